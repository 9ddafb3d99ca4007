#!/bin/bash
# Certificate authentication (SASL EXTERNAL, XEP-0178) between the edge and a real Prosody.
#
#   secure: Prosody with s2s_secure_auth = true (certificates only, no dialback), trusting the
#           edge's CA; the edge trusts Prosody's CA (s2s.trust_anchors). Chat through edge and
#           gateway both ways:
#             alice@xmpp.example --Prosody--s2s--> edge --relay--> gateway --> Kamailio --> SIPp bob
#             SIPp bob --> Kamailio --> gateway --> edge --s2s--> Prosody --> alice
#           Each direction's stream must be authenticated by SASL EXTERNAL, as both the edge's
#           log and Prosody's log say.
#   expired | not-yet-valid | misnamed | untrusted:
#           Prosody (still s2s_secure_auth = true, trusting the edge) presents a certificate
#           with that fault; the edge still trusts Prosody's CA. The edge must not offer SASL
#           EXTERNAL on Prosody's inbound stream (Prosody's log never starts it), must log
#           which fault it found, and must offer dialback alongside (XEP-0220, XEP-0178 §3):
#           Prosody then authenticates by dialback, which the edge verifies over its own
#           outbound stream (authenticated by SASL EXTERNAL, since Prosody trusts the edge).
#           No gateway is connected, so the message comes back service-unavailable from the
#           edge, which proves the inbound stream was authenticated, and by what.
# shellcheck source=tests/interop/lib.sh
source "$(dirname "$0")/lib.sh"
enter_sandbox "$0" "$@"
scenario=${1:?usage: s2s_certauth_test.sh secure|expired|not-yet-valid|misnamed|untrusted}
case $scenario in secure | expired | not-yet-valid | misnamed | untrusted) ;;
  *) echo "unknown scenario $scenario" >&2; exit 2 ;;
esac
harness_init "interop_s2s_certauth_$scenario"

readonly ALICE=alice@$PARTNER_DOMAIN
readonly BOB=bob@$SIP_DOMAIN
readonly COUNT=5
# Seconds for the messages of one direction to arrive (includes s2s and relay setup).
readonly DELIVERY_TIMEOUT_S=60
EDGE_TEMPLATE=$SOURCE_DIR/tests/interop/conf/edge-certauth.json.in

edge_log_says() {
  grep -qF "$1" "$RUN/edge/edge.log" || { echo "edge log lacks: $1" >&2; return 1; }
}
edge_log_lacks() {
  ! grep -F "$1" "$RUN/edge/edge.log" || { echo "edge log has: $1" >&2; return 1; }
}
prosody_log_says() {
  grep -qF "$1" "$RUN/prosody/prosody.log" || { echo "prosody log lacks: $1" >&2; return 1; }
}
prosody_log_lacks() {
  ! grep -F "$1" "$RUN/prosody/prosody.log" || { echo "prosody log has: $1" >&2; return 1; }
}

check "sandbox has only loopback" in_sandbox

# Prosody trusts the edge's CA (so it offers and accepts SASL EXTERNAL with the edge).
prosody_secure() {
  PROSODY_CAFILE=$CERTS_INTERNAL/ca.crt start_prosody secure && xmpp_register alice alicepw
}

if [ "$scenario" = secure ]; then
  setup() {
    make_certs && start_dnsmasq && prosody_secure && start_kamailio &&
      start_sipp_uas uas-bob "$UAS_IP" "$UAS_PORT" && sip_register bob "$UAS_IP:$UAS_PORT"
  }
  check "peers started (dnsmasq, prosody with s2s_secure_auth, kamailio, sipp UAS)" setup
  check "xmppfed started (edge trusting the partner CA, gateway, relay link up)" start_xmppfed

  check "$COUNT messages $ALICE -> $BOB sent, no error bounced" \
    xmpp_messages_sent "$ALICE" alicepw "$BOB" "$COUNT" certauth-in
  check "$COUNT messages arrive at the SIP UA, each once, exact From/To/body" \
    sip_messages_arrived "$RUN/uas-bob/messages.log" "$ALICE" "$BOB" certauth-in "$COUNT" \
    "$DELIVERY_TIMEOUT_S"

  check "$COUNT SIP MESSAGEs $BOB -> $ALICE answered and arrive, each once, exact body" \
    sip_messages_to_xmpp "$BOB" "$ALICE" alicepw certauth-out "$COUNT" "$DELIVERY_TIMEOUT_S"

  check "edge offered SASL EXTERNAL to Prosody (its certificate is valid)" \
    edge_log_says "certificate of $PARTNER_DOMAIN is valid: offering SASL EXTERNAL and dialback"
  check "edge authenticated Prosody's inbound stream by SASL EXTERNAL" \
    edge_log_says "authenticated $PARTNER_DOMAIN -> $SIP_DOMAIN by sasl-external"
  check "Prosody authenticated the edge's outbound stream by SASL EXTERNAL" \
    edge_log_says "authenticated $SIP_DOMAIN -> $PARTNER_DOMAIN by sasl-external"
  check "no stream authenticated by dialback" edge_log_lacks "by dialback"
  check "Prosody: it accepted the edge's SASL EXTERNAL identity" \
    prosody_log_says "Accepting SASL EXTERNAL identity from $SIP_DOMAIN"
  check "Prosody: its SASL EXTERNAL with the edge succeeded" \
    prosody_log_says "SASL EXTERNAL with $SIP_DOMAIN succeeded"
  finish
fi

setup() {
  make_certs && make_fault_cert "$scenario" && start_dnsmasq &&
    PROSODY_CERTS=$FAULT_CERTS prosody_secure
}
check "peers started (dnsmasq, prosody with a certificate that is $scenario)" setup
check "edge started (trusting the partner CA)" start_edge

bounce_from_edge() {
  "$PY" "$SCRIPTS/xmpp_expect_error.py" --addr "$PROSODY_IP" --jid "$ALICE" \
    --password alicepw --to "$BOB" --expect-condition service-unavailable --timeout 30
}
check "message to $BOB without a gateway -> service-unavailable from the edge" bounce_from_edge
check "edge logged the fault: $scenario" \
  edge_log_says "certificate of $PARTNER_DOMAIN refused for SASL EXTERNAL: $scenario ("
check "edge did not offer SASL EXTERNAL (Prosody never started it)" \
  prosody_log_lacks "Initiating SASL EXTERNAL with $SIP_DOMAIN"
check "Prosody's inbound stream is not authenticated by certificate" \
  edge_log_lacks "authenticated $PARTNER_DOMAIN -> $SIP_DOMAIN by sasl-external"
check "dialback, offered alongside, authenticated Prosody's inbound stream" \
  edge_log_says "authenticated $PARTNER_DOMAIN -> $SIP_DOMAIN by dialback"
check "the edge's outbound stream (dialback verification, bounce) used SASL EXTERNAL" \
  edge_log_says "authenticated $SIP_DOMAIN -> $PARTNER_DOMAIN by sasl-external"
finish
