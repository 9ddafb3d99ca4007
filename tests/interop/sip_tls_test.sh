#!/bin/bash
# SIP over TLS to the next hop (RFC 3261 §26.2.1): the gateway reaches Kamailio on
# tls:127.0.0.4:5061 with mutual TLS, checking that Kamailio's certificate (sip.example, from
# deploy/make-certs.sh) chains to the internal CA and names sip.example.
#
#   alice@xmpp.example --c2s--> Prosody 127.0.0.2 --s2s--> edge 127.0.0.10 --relay--> gateway
#     127.0.0.11 --SIP/TLS--> Kamailio 127.0.0.4:5061 --SIP/TCP--> SIPp UAS bob@sip.example
#
# Checks (each prints PASS/FAIL; exit 1 if any fails):
#   1. the gateway verified Kamailio's certificate as sip.example;
#   2. COUNT messages alice -> bob@sip.example arrive at bob's SIP UA, each once, with
#      From sip:alice@xmpp.example, To sip:bob@sip.example and the exact body;
#   3. Kamailio received those MESSAGEs over TLS (its log names the transport), none over TCP
#      from the gateway;
#   4. a message to nobody@sip.example comes back to alice as <item-not-found/> (Kamailio's 404
#      came back over the TLS connection).
#
# Environment: as chat_test.sh (XMPPFED_EDGE_BIN, XMPPFED_GATEWAY_BIN, XMPPFED_RUN_DIR);
# XMPPFED_SIP_TLS_COUNT (default 10). Needs root and kamailio-tls-modules.
# shellcheck source=tests/interop/lib.sh
source "$(dirname "$0")/lib.sh"
enter_sandbox "$0" "$@"
harness_init interop_sip_tls

readonly COUNT=${XMPPFED_SIP_TLS_COUNT:-10}
readonly ALICE=alice@$PARTNER_DOMAIN
readonly BOB=bob@$SIP_DOMAIN
readonly SIP_TLS_PORT=5061
# Seconds for all COUNT messages to arrive (includes s2s and relay setup).
readonly DELIVERY_TIMEOUT_S=60

check "sandbox has only loopback" in_sandbox

# start_kamailio_tls: tests/harness/kamailio-tls.cfg with the sip.example certificate.
start_kamailio_tls() {
  mkdir -p "$RUN/kamailio"
  spawn kamailio "$RUN/kamailio/kamailio.log" bash -c 'ulimit -c 0; exec "$@"' kamailio \
    kamailio -f "$HARNESS/kamailio-tls.cfg" -P "$RUN/kamailio/kamailio.pid" -Y "$RUN/kamailio" \
    -A "TLS_CERTIFICATE=\"$CERTS_INTERNAL/$SIP_DOMAIN.crt\"" \
    -A "TLS_PRIVATE_KEY=\"$CERTS_INTERNAL/$SIP_DOMAIN.key\"" \
    -A "TLS_CA=\"$CERTS_INTERNAL/ca.crt\"" \
    -DD -E -m 512 -M 16
  add_log kamailio "$RUN/kamailio/kamailio.log"
  local pid=$SPAWNED_PID
  wait_port "$KAMAILIO_IP" "$SIP_PORT" tcp "$START_TIMEOUT_S" "$pid" &&
    wait_port "$KAMAILIO_IP" "$SIP_TLS_PORT" tcp "$START_TIMEOUT_S" "$pid"
}

log "peers: dnsmasq, prosody, kamailio (TLS on $SIP_TLS_PORT), sipp UAS"
setup() {
  make_certs &&
    start_dnsmasq &&
    start_prosody dialback &&
    xmpp_register alice alicepw &&
    start_kamailio_tls &&
    start_sipp_uas uas-bob "$UAS_IP" "$UAS_PORT" &&
    sip_register bob "$UAS_IP:$UAS_PORT"
}
check "peers started (dnsmasq, prosody, kamailio with TLS, sipp UAS registered as $BOB)" setup
BOB_LOG=$RUN/uas-bob/messages.log
peers_up=$((FAILED == 0))

xmppfed_up=0
if [ $peers_up -eq 1 ]; then
  log "xmppfed: edge + gateway (next hop over TLS)"
  GATEWAY_TEMPLATE=$SOURCE_DIR/tests/interop/conf/gateway-tls.json.in \
    check "xmppfed started (edge listening, gateway listening, relay link up)" start_xmppfed
  [ "$FAILED" -eq 0 ] && xmppfed_up=1
fi

xmpp_to_sip_sent() { xmpp_messages_sent "$ALICE" alicepw "$BOB" "$COUNT" over-tls; }

xmpp_to_sip_arrived() {
  sip_messages_arrived "$BOB_LOG" "$ALICE" "$BOB" over-tls "$COUNT" "$DELIVERY_TIMEOUT_S"
}

# The gateway's log line once the handshake and the name check passed (SipConnection).
gateway_verified_kamailio() {
  grep -E "TLS with the next hop $SIP_DOMAIN verified \(TLSv1\.[23] " "$RUN/gateway/gateway.log"
}

# Kamailio's request log (kamailio.cfg): "REQ MESSAGE <ruri> from <ip>:<port> (<proto>) ...".
kamailio_got_them_over_tls() {
  local log=$RUN/kamailio/kamailio.log tls tcp
  tls=$(grep -cE "REQ MESSAGE sip:$BOB from [0-9.]+:[0-9]+ \(tls\)" "$log")
  tcp=$(grep -cE "REQ MESSAGE sip:$BOB from [0-9.]+:[0-9]+ \((tcp|udp)\)" "$log")
  echo "MESSAGEs for $BOB at Kamailio: $tls over TLS, $tcp over TCP/UDP"
  [ "$tls" -ge "$COUNT" ] && [ "$tcp" -eq 0 ]
}

readonly CHECK_VERIFIED="gateway verified Kamailio's certificate as $SIP_DOMAIN (TLS 1.2+)"
readonly CHECK_SENT="$COUNT messages $ALICE -> $BOB sent, no error bounced"
readonly CHECK_ARRIVED="$COUNT messages arrive at the SIP UA, each once, From sip:$ALICE To sip:$BOB, exact body"
readonly CHECK_TLS="Kamailio received every MESSAGE from the gateway over TLS, none over TCP"
readonly CHECK_ERR="message to nobody@$SIP_DOMAIN -> Kamailio's 404 back over TLS -> item-not-found"

if [ $xmppfed_up -eq 1 ]; then
  log "xmpp -> sip over TLS"
  check "$CHECK_SENT" xmpp_to_sip_sent
  check "$CHECK_ARRIVED" xmpp_to_sip_arrived
  check "$CHECK_VERIFIED" gateway_verified_kamailio
  check "$CHECK_TLS" kamailio_got_them_over_tls
  log "error from Kamailio over TLS"
  check "$CHECK_ERR" unknown_sip_user_bounces "$ALICE" alicepw
else
  for name in "$CHECK_SENT" "$CHECK_ARRIVED" "$CHECK_VERIFIED" "$CHECK_TLS" "$CHECK_ERR"; do
    fail "$name (not run: setup failed)"
  done
fi

finish
