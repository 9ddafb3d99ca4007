#!/bin/bash
# Direct TLS (XEP-0368) between the edge and a real Prosody 0.12 (s2s_direct_tls_ports), one
# direction per cell, with chat through edge and gateway both ways in each:
#   out: edge -> Prosody. DNS has no _xmpp-server._tcp.xmpp.example record, only
#        _xmpps-server._tcp.xmpp.example -> xmpp.example:5270, Prosody's direct TLS port: the
#        edge must dial it with TLS from the first byte (SNI xmpp.example, ALPN xmpp-server)
#        and authenticate there (dialback: Prosody does not trust the edge's CA). Prosody's
#        own stream to the edge stays STARTTLS.
#   in:  Prosody -> edge. DNS has no _xmpp-server._tcp.sip.example record, only
#        _xmpps-server._tcp.sip.example -> sip.example:5270, the edge's s2s.direct_tls_listen:
#        Prosody (which looks up _xmpps-server first) must come in with direct TLS, ALPN
#        xmpp-server, and authenticate by SASL EXTERNAL (each side trusts the other's CA).
# Each cell checks in the edge's log that the stream of its direction was direct TLS and never
# STARTTLS, and in Prosody's log that the connection was on port 5270.
# What Prosody 0.12 does (/usr/lib/prosody/modules/mod_s2s.lua, mod_tls.lua): inbound, the
# "s2s_direct_tls" service on s2s_direct_tls_ports (none by default) with TLS on accept;
# outbound, a resolver chain that tries every _xmpps-server._tcp target (SNI = the domain)
# before any _xmpp-server._tcp one (no merging by priority), with the s2sout TLS context that
# offers ALPN xmpp-server on STARTTLS streams too.
# shellcheck source=tests/interop/lib.sh
source "$(dirname "$0")/lib.sh"
enter_sandbox "$0" "$@"
scenario=${1:?usage: s2s_direct_tls_test.sh out|in}
case $scenario in out | in) ;; *) echo "unknown scenario $scenario" >&2; exit 2 ;; esac
harness_init "interop_s2s_direct_tls_$scenario"

readonly ALICE=alice@$PARTNER_DOMAIN
readonly BOB=bob@$SIP_DOMAIN
readonly COUNT=3
readonly DIRECT_TLS_PORT=5270
# Seconds for the messages of one direction to arrive (includes s2s and relay setup).
readonly DELIVERY_TIMEOUT_S=30
EDGE_TEMPLATE=$SOURCE_DIR/tests/interop/conf/edge-direct-tls.json.in

edge_log_says() {
  grep -qE "$1" "$RUN/edge/edge.log" || { echo "edge log lacks: $1" >&2; return 1; }
}
edge_log_lacks() {
  ! grep -E "$1" "$RUN/edge/edge.log" || { echo "edge log has: $1" >&2; return 1; }
}
prosody_log_says() {
  grep -qE "$1" "$RUN/prosody/prosody.log" || { echo "prosody log lacks: $1" >&2; return 1; }
}

# The harness's DNS with the STARTTLS SRV record of the direction under test replaced by an
# _xmpps-server one on port 5270.
write_dns_conf() {
  local domain=$PARTNER_DOMAIN conf=$RUN/dnsmasq.conf
  [ "$scenario" = in ] && domain=$SIP_DOMAIN
  grep -v "^srv-host=_xmpp-server._tcp.$domain," "$HARNESS/dns/dnsmasq.conf" > "$conf" || return 1
  echo "srv-host=_xmpps-server._tcp.$domain,$domain,$DIRECT_TLS_PORT,0,5" >> "$conf"
  DNS_CONF=$conf
}

# start_prosody with Prosody's direct TLS port open as well (s2s_direct_tls_ports).
start_prosody_direct_tls() {
  local mode=dialback
  [ "$scenario" = in ] && mode=secure
  PROSODY_CFG=$("$HARNESS/prosody-gen.sh" "$RUN/prosody" "$PARTNER_DOMAIN" "$PROSODY_IP" "$mode" \
    "$CERTS_PARTNER" debug "$CERTS_INTERNAL/ca.crt") || return 1
  sed -i "s/^s2s_direct_tls_ports = .*/s2s_direct_tls_ports = { $DIRECT_TLS_PORT }/" \
    "$PROSODY_CFG" || return 1
  grep -q "^s2s_direct_tls_ports = { $DIRECT_TLS_PORT }" "$PROSODY_CFG" || return 1
  spawn prosody "$RUN/prosody/stdout.log" prosody --config "$PROSODY_CFG" -F
  add_log prosody "$RUN/prosody/stdout.log"
  add_log prosody-log "$RUN/prosody/prosody.log"
  wait_port "$PROSODY_IP" 5222 tcp "$START_TIMEOUT_S" "$SPAWNED_PID" &&
    wait_port "$PROSODY_IP" "$DIRECT_TLS_PORT" tcp "$START_TIMEOUT_S" "$SPAWNED_PID"
}

check "sandbox has only loopback" in_sandbox
setup() {
  write_dns_conf && make_certs && start_dnsmasq "$DNS_CONF" && start_prosody_direct_tls &&
    xmpp_register alice alicepw && start_kamailio &&
    start_sipp_uas uas-bob "$UAS_IP" "$UAS_PORT" && sip_register bob "$UAS_IP:$UAS_PORT"
}
check "peers started (dnsmasq with _xmpps-server for the $scenario direction, prosody with direct TLS on $DIRECT_TLS_PORT, kamailio, sipp UAS)" setup
check "xmppfed started (edge with direct TLS on $EDGE_IP:$DIRECT_TLS_PORT, gateway, relay link up)" \
  start_xmppfed

check "$COUNT messages $ALICE -> $BOB sent, no error bounced" \
  xmpp_messages_sent "$ALICE" alicepw "$BOB" "$COUNT" direct-tls-in
check "$COUNT messages arrive at the SIP UA, each once, exact From/To/body" \
  sip_messages_arrived "$RUN/uas-bob/messages.log" "$ALICE" "$BOB" direct-tls-in "$COUNT" \
  "$DELIVERY_TIMEOUT_S"
check "$COUNT SIP MESSAGEs $BOB -> $ALICE answered and arrive, each once, exact body" \
  sip_messages_to_xmpp "$BOB" "$ALICE" alicepw direct-tls-out "$COUNT" "$DELIVERY_TIMEOUT_S"

if [ "$scenario" = out ]; then
  check "edge dialled Prosody's _xmpps-server target with direct TLS" \
    edge_log_says "connecting to $PROSODY_IP:$DIRECT_TLS_PORT \\(SRV target $PARTNER_DOMAIN:$DIRECT_TLS_PORT direct TLS\\)"
  check "the edge's outbound stream was direct TLS" \
    edge_log_says '\[s2s-out [0-9a-f]+ xmpp\.example\] TLS established \(direct TLS\): TLSv1\.[23] '
  check "no outbound stream used STARTTLS" \
    edge_log_lacks '\[s2s-out [^]]*\] TLS established \(STARTTLS\)'
  check "the edge's outbound stream was authenticated (dialback: Prosody does not trust the edge CA)" \
    edge_log_says "authenticated $SIP_DOMAIN -> $PARTNER_DOMAIN by dialback"
  check "Prosody took the edge's connection on its direct TLS port" \
    prosody_log_says "New connection FD [0-9]+ \\([0-9.]+, [0-9]+, $PROSODY_IP, $DIRECT_TLS_PORT\\)"
else
  check "Prosody dialled the edge's _xmpps-server target" \
    prosody_log_says "Next target to try is $EDGE_IP:$DIRECT_TLS_PORT"
  check "the edge's inbound stream was direct TLS with ALPN xmpp-server" \
    edge_log_says '\[s2s-in [0-9a-f]+\] TLS established \(direct TLS\): TLSv1\.[23] [^,]*, ALPN xmpp-server,'
  check "no inbound stream used STARTTLS" \
    edge_log_lacks '\[s2s-in [^]]*\] TLS established \(STARTTLS\)'
  check "the edge authenticated Prosody's direct TLS stream by SASL EXTERNAL" \
    edge_log_says "authenticated $PARTNER_DOMAIN -> $SIP_DOMAIN by sasl-external"
  # The listener itself, with a TLS client that is not an XMPP server.
  tls_hello() {
    openssl s_client -connect "$EDGE_IP:$DIRECT_TLS_PORT" -servername "$SIP_DOMAIN" \
      -CAfile "$CERTS_INTERNAL/ca.crt" -verify_return_error "$@" < /dev/null 2>&1
  }
  alpn_xmpp_server() {
    local out
    out=$(tls_hello -alpn xmpp-server)
    grep -q "ALPN protocol: xmpp-server" <<< "$out" &&
      grep -q "Verify return code: 0 (ok)" <<< "$out" || { echo "$out"; return 1; }
  }
  check "a client offering ALPN xmpp-server gets it and the $SIP_DOMAIN certificate (SNI)" \
    alpn_xmpp_server
  alpn_refused() {
    local out
    out=$(tls_hello -alpn h2,http/1.1)
    grep -q "no application protocol" <<< "$out" || { echo "$out"; return 1; }
  }
  check "a client offering only h2 and http/1.1 is refused (no_application_protocol)" alpn_refused
fi
finish
