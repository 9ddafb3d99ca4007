#!/bin/bash
# Proves the interop harness works without xmppfed: dnsmasq, Prosody, Kamailio and SIPp in the
# loopback-only sandbox, each check against the real software.
#   - dnsmasq answers the A and SRV records of the topology and nothing else (no upstream);
#   - slixmpp logs in to Prosody; 100 messages between two local users arrive exactly once
#     (this checks the scripts chat_test.sh uses); Prosody bounces a message to an unknown
#     local user and to an unresolvable domain with the right stanza errors;
#   - Kamailio registers a SIPp UAS, proxies 100 MESSAGEs from a SIPp UAC to it (From/To/body
#     checked per message), answers 404 for an unknown user, refuses foreign domains, and sends
#     requests for the federated XMPP domain to the gateway's address (a SIPp UAS stands in).
# Usage: harness_smoke.sh  (as root; re-runs itself inside tests/harness/sandbox.sh)
# shellcheck source=tests/interop/lib.sh
source "$(dirname "$0")/lib.sh"
enter_sandbox "$0" "$@"
harness_init harness_smoke

readonly COUNT=100

check "sandbox has only loopback" in_sandbox

log "certificates, dnsmasq, prosody, kamailio"
check "certificates made" make_certs
check "dnsmasq started" start_dnsmasq
check "prosody started" start_prosody dialback
xmpp_register alice alicepw && xmpp_register carol carolpw
check "kamailio started" start_kamailio

dns() { "$PY" "$SCRIPTS/dns_query.py" --server "$DNS_IP" "$@"; }
expect_dns() {
  local want=$1
  shift
  dns "$@" | tee /dev/stderr | grep -qx "$want"
}
check "dns: A xmpp.example" expect_dns "A $PROSODY_IP" "$PARTNER_DOMAIN" A
check "dns: A sip.example -> edge" expect_dns "A $EDGE_IP" "$SIP_DOMAIN" A
check "dns: SRV _xmpp-server._tcp.sip.example" \
  expect_dns "SRV 0 5 $S2S_PORT $SIP_DOMAIN" "_xmpp-server._tcp.$SIP_DOMAIN" SRV
check "dns: SRV _xmpp-server._tcp.xmpp.example" \
  expect_dns "SRV 0 5 $S2S_PORT $PARTNER_DOMAIN" "_xmpp-server._tcp.$PARTNER_DOMAIN" SRV
check "dns: no answer for a real-world name (no upstream)" fails dns debian.org A

log "xmpp"
check "slixmpp c2s login alice@$PARTNER_DOMAIN" \
  xmpp xmpp_login.py --jid "alice@$PARTNER_DOMAIN" --password alicepw

local_delivery() {
  xmpp xmpp_receive.py --jid "alice@$PARTNER_DOMAIN" --password alicepw \
    --expect-from "carol@$PARTNER_DOMAIN" --count $COUNT --prefix local --timeout 30 \
    --ready-file "$RUN/alice.ready" > "$RUN/receive-local.json" &
  local receiver=$!
  wait_file "$RUN/alice.ready" &&
    xmpp xmpp_send.py --jid "carol@$PARTNER_DOMAIN" --password carolpw \
      --to "alice@$PARTNER_DOMAIN" --count $COUNT --prefix local --linger 0.5
  local sent=$?
  wait $receiver
  local received=$?
  cat "$RUN/receive-local.json"
  [ $sent -eq 0 ] && [ $received -eq 0 ]
}
check "prosody: $COUNT messages carol -> alice arrive once each" local_delivery
check "prosody: unknown local user -> service-unavailable" \
  xmpp xmpp_expect_error.py --jid "alice@$PARTNER_DOMAIN" --password alicepw \
    --to "nobody@$PARTNER_DOMAIN" --expect-condition service-unavailable --timeout 10
check "prosody: unresolvable domain -> remote-server-not-found within 10 s (DNS is dnsmasq)" \
  xmpp xmpp_expect_error.py --jid "alice@$PARTNER_DOMAIN" --password alicepw \
    --to "someone@nowhere.example" --expect-condition remote-server-not-found --timeout 10

log "sip"
check "sipp UAS bob on $UAS_IP:$UAS_PORT" start_sipp_uas uas-bob "$UAS_IP" "$UAS_PORT"
BOB_LOG=$UAS_LOG
check "kamailio: REGISTER bob@$SIP_DOMAIN" sip_register bob "$UAS_IP:$UAS_PORT"
check "kamailio: $COUNT MESSAGEs carol -> bob accepted (200)" \
  sipp_uac uac-bob "$KAMAILIO_IP:$SIP_PORT" uac_message.xml -m $COUNT -r 200 -l 20 \
    -timeout 60 -key from_uri "sip:carol@$SIP_DOMAIN" -key to_uri "sip:bob@$SIP_DOMAIN" \
    -key body_prefix sip-local
check "sipp UAS: $COUNT MESSAGEs with right From/To/body, once each" \
  "$PY" "$SCRIPTS/check_sip_log.py" --log "$BOB_LOG" --from-uri "sip:carol@$SIP_DOMAIN" \
    --to-uri "sip:bob@$SIP_DOMAIN" --prefix sip-local --count $COUNT
check "kamailio: 404 for unknown user nobody@$SIP_DOMAIN" \
  sipp_uac uac-nobody "$KAMAILIO_IP:$SIP_PORT" uac_message_404.xml -m 1 -timeout 10 \
    -key from_uri "sip:carol@$SIP_DOMAIN" -key to_uri "sip:nobody@$SIP_DOMAIN" -key body_prefix x
check "kamailio: a foreign domain is not relayed (MESSAGE fails)" \
  fails sipp_uac uac-foreign "$KAMAILIO_IP:$SIP_PORT" uac_message.xml -m 1 -timeout 10 \
    -key from_uri "sip:carol@$SIP_DOMAIN" -key to_uri sip:someone@elsewhere.test -key body_prefix x

# The gateway's address is free in this test: a SIPp UAS takes it to see what Kamailio sends.
check "fake gateway (sipp UAS) on $GATEWAY_IP:$SIP_PORT" start_sipp_uas fake-gateway "$GATEWAY_IP" "$SIP_PORT"
GW_LOG=$UAS_LOG
check "kamailio: 10 MESSAGEs to alice@$PARTNER_DOMAIN accepted via the gateway address" \
  sipp_uac uac-federated "$KAMAILIO_IP:$SIP_PORT" uac_message.xml -m 10 -timeout 20 \
    -key from_uri "sip:bob@$SIP_DOMAIN" -key to_uri "sip:alice@$PARTNER_DOMAIN" \
    -key body_prefix federated
check "fake gateway: 10 MESSAGEs bob -> alice@$PARTNER_DOMAIN with right From/To/body" \
  "$PY" "$SCRIPTS/check_sip_log.py" --log "$GW_LOG" --from-uri "sip:bob@$SIP_DOMAIN" \
    --to-uri "sip:alice@$PARTNER_DOMAIN" --prefix federated --count 10

finish
