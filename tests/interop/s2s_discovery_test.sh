#!/bin/bash
# Outbound s2s discovery on the edge against a real Prosody whose s2s service is not where the
# bare domain points: Prosody serves c2s on xmpp.example (127.0.0.2) but s2s only on
# prosody-s2s.example (127.0.0.5) port 5299, and nothing listens on xmpp.example:5269.
#   srv:   _xmpp-server._tcp.xmpp.example -> prosody-s2s.example:5299 (a per-test dnsmasq
#          conf); the edge must follow the SRV record.
#   route: the SRV record stays on xmpp.example:5269 (dead), and the edge's static route
#          s2s.routes {"xmpp.example": "prosody-s2s.example:5299"} must win without any SRV
#          lookup.
# As in edge_s2s_test.sh, no gateway is connected: a message from alice@xmpp.example to
# bob@sip.example is answered <service-unavailable/> by the edge over its outbound stream to
# Prosody, and Prosody's inbound stream is verified by dialback over that outbound stream too,
# so the check fails unless the edge reached Prosody's s2s port.
# shellcheck source=tests/interop/lib.sh
source "$(dirname "$0")/lib.sh"
enter_sandbox "$0" "$@"
scenario=${1:?usage: s2s_discovery_test.sh srv|route}
case $scenario in srv | route) ;; *) echo "unknown scenario $scenario" >&2; exit 2 ;; esac
harness_init "interop_s2s_discovery_$scenario"

readonly S2S_HOST=prosody-s2s.example
readonly S2S_HOST_IP=127.0.0.5
readonly S2S_HOST_PORT=5299
readonly SRV_NAME=_xmpp-server._tcp.$PARTNER_DOMAIN

# The harness's DNS with the partner's s2s SRV record replaced (srv) or kept (route), plus an
# A record for the s2s host. Other tests keep using the shared file unchanged.
write_dns_conf() {
  local conf=$RUN/dnsmasq.conf
  grep -v "^srv-host=$SRV_NAME," "$HARNESS/dns/dnsmasq.conf" > "$conf" || return 1
  echo "address=/$S2S_HOST/$S2S_HOST_IP" >> "$conf"
  if [ "$scenario" = srv ]; then
    echo "srv-host=$SRV_NAME,$S2S_HOST,$S2S_HOST_PORT,0,5" >> "$conf"
  else
    echo "srv-host=$SRV_NAME,$PARTNER_DOMAIN,$S2S_PORT,0,5" >> "$conf"
  fi
  DNS_CONF=$conf
}

# Prosody as start_prosody makes it, but s2s only on S2S_HOST_IP:S2S_HOST_PORT.
start_prosody_elsewhere() {
  PROSODY_CFG=$("$HARNESS/prosody-gen.sh" "$RUN/prosody" "$PARTNER_DOMAIN" "$PROSODY_IP" dialback \
    "$CERTS_PARTNER" debug) || return 1
  sed -i "s/^s2s_ports = .*/s2s_ports = { $S2S_HOST_PORT }\ns2s_interfaces = { \"$S2S_HOST_IP\" }/" \
    "$PROSODY_CFG" || return 1
  grep -q "^s2s_interfaces = { \"$S2S_HOST_IP\" }" "$PROSODY_CFG" || return 1
  spawn prosody "$RUN/prosody/stdout.log" prosody --config "$PROSODY_CFG" -F
  add_log prosody "$RUN/prosody/stdout.log"
  add_log prosody-log "$RUN/prosody/prosody.log"
  wait_port "$PROSODY_IP" 5222 tcp "$START_TIMEOUT_S" "$SPAWNED_PID" &&
    wait_port "$S2S_HOST_IP" "$S2S_HOST_PORT" tcp "$START_TIMEOUT_S" "$SPAWNED_PID"
}

check "sandbox has only loopback" in_sandbox
setup() {
  write_dns_conf && make_certs && start_dnsmasq "$DNS_CONF" && start_prosody_elsewhere &&
    xmpp_register alice alicepw
}
check "peers started (dnsmasq with the $scenario records, prosody s2s on $S2S_HOST_IP:$S2S_HOST_PORT)" setup
nothing_on() { ! timeout 3 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }
check "nothing listens on $PARTNER_DOMAIN:$S2S_PORT ($PROSODY_IP)" nothing_on "$PROSODY_IP" "$S2S_PORT"

[ "$scenario" = route ] && EDGE_TEMPLATE=$SOURCE_DIR/tests/interop/conf/edge-route.json.in
check "edge started" start_edge

bounce_from_edge() {
  "$PY" "$SCRIPTS/xmpp_expect_error.py" --addr "$PROSODY_IP" --jid "alice@$PARTNER_DOMAIN" \
    --password alicepw --to "bob@$SIP_DOMAIN" --expect-condition service-unavailable --timeout 30
}
check "message to bob@$SIP_DOMAIN -> service-unavailable from the edge over its outbound stream" \
  bounce_from_edge
edge_log_says() { grep -qF "$1" "$RUN/edge/edge.log" || { echo "edge log lacks: $1" >&2; return 1; }; }
check "Prosody authenticated the edge's outbound stream by dialback" \
  edge_log_says "authenticated $SIP_DOMAIN -> $PARTNER_DOMAIN by dialback"
if [ "$scenario" = srv ]; then
  check "the edge connected to the SRV target" \
    edge_log_says "connecting to $S2S_HOST_IP:$S2S_HOST_PORT (SRV target $S2S_HOST:$S2S_HOST_PORT)"
  dns_asked() { grep -q "query\[SRV\] $SRV_NAME from" "$RUN/dnsmasq/dnsmasq.log"; }
  check "the edge asked DNS for $SRV_NAME" dns_asked
else
  check "the edge connected through the static route" \
    edge_log_says "connecting to $S2S_HOST_IP:$S2S_HOST_PORT (route $S2S_HOST:$S2S_HOST_PORT)"
  no_srv_query() {
    ! grep "query\[SRV\] $SRV_NAME from" "$RUN/dnsmasq/dnsmasq.log"
  }
  check "no SRV lookup for $PARTNER_DOMAIN (the route overrides DNS)" no_srv_query
fi
finish
