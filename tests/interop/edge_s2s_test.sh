#!/bin/bash
# Edge proxy against a real Prosody, with no gateway connected:
#   alice@xmpp.example --c2s--> Prosody --s2s (STARTTLS, dialback)--> edge (sip.example)
# The edge must accept Prosody's inbound stream (STARTTLS, dialback verified through its own
# outbound stream to Prosody), and, because no gateway link is up, answer the message with
# <service-unavailable/> over its outbound stream, which Prosody authenticates by dialback
# against the edge. So one check proves both directions of s2s and the no-silent-drop rule;
# Prosody's own s2s failure bounces carry other conditions (remote-server-*), so they fail it.
# shellcheck source=tests/interop/lib.sh
source "$(dirname "$0")/lib.sh"
enter_sandbox "$0" "$@"
harness_init interop_edge_s2s

check "sandbox has only loopback" in_sandbox
setup() {
  make_certs && start_dnsmasq && start_prosody dialback && xmpp_register alice alicepw
}
check "peers started (dnsmasq, prosody)" setup

check "edge started" start_edge

bounce_from_edge() {
  "$PY" "$SCRIPTS/xmpp_expect_error.py" --addr "$PROSODY_IP" --jid "alice@$PARTNER_DOMAIN" \
    --password alicepw --to "bob@$SIP_DOMAIN" --expect-condition service-unavailable --timeout 30
}
check "message to bob@$SIP_DOMAIN without a gateway -> service-unavailable from the edge" \
  bounce_from_edge
edge_log_says() { grep -q "$1" "$RUN/edge/edge.log" || { echo "edge log lacks: $1" >&2; return 1; }; }
check "edge authenticated Prosody's inbound stream by dialback" \
  edge_log_says "authenticated $PARTNER_DOMAIN -> $SIP_DOMAIN by dialback"
check "Prosody authenticated the edge's outbound stream by dialback" \
  edge_log_says "authenticated $SIP_DOMAIN -> $PARTNER_DOMAIN by dialback"
finish
