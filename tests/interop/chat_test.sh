#!/bin/bash
# Interop test: one-to-one chat between a Prosody user and a SIP user through xmppfed.
#
#   alice@xmpp.example --c2s--> Prosody 127.0.0.2 --s2s (STARTTLS, dialback)--> edge 127.0.0.10
#     --relay (mutual TLS)--> gateway 127.0.0.11 --SIP/TCP--> Kamailio 127.0.0.4
#     --> SIPp UAS bob@sip.example 127.0.0.6:5070
# and back: SIPp UAC 127.0.0.7 -> Kamailio -> gateway -> edge -> Prosody -> alice.
#
# Checks (each prints PASS/FAIL; exit 1 if any fails):
#   1. COUNT messages alice -> bob@sip.example arrive at bob's SIP UA, each once, with
#      From sip:alice@xmpp.example, To sip:bob@sip.example and the exact body;
#   2. COUNT SIP MESSAGEs bob -> alice@xmpp.example are accepted (200/202) and arrive at alice,
#      each once, from bob@sip.example with the exact body;
#   3. a message to an unknown SIP user (nobody@sip.example) comes back to alice as a
#      <message type='error'/> with <item-not-found/> (SIP 404, RFC 7247 section 8);
#   4. UDP_COUNT MESSAGEs from a SIP UA on a UDP hop to Kamailio reach alice and are answered
#      before T1, so SIPp retransmits none of them (the delivery grace window is below T1);
#   5. on SIGUSR1 the edge and the gateway log their status (links up, work in progress) and
#      keep running.
#
# Environment: XMPPFED_EDGE_BIN, XMPPFED_GATEWAY_BIN (the daemons; CTest sets both),
# XMPPFED_RUN_DIR (base of the run dir, default /tmp/xmppfed-interop), XMPPFED_CHAT_COUNT
# (default 100), PROSODY_LOGLEVEL (default debug). Needs root; re-runs itself in the sandbox.
# shellcheck source=tests/interop/lib.sh
source "$(dirname "$0")/lib.sh"
enter_sandbox "$0" "$@"
harness_init interop_chat

readonly COUNT=${XMPPFED_CHAT_COUNT:-100}
readonly ALICE=alice@$PARTNER_DOMAIN
readonly BOB=bob@$SIP_DOMAIN
# Seconds for all COUNT messages of one direction to arrive (includes s2s and relay setup).
readonly DELIVERY_TIMEOUT_S=60

check "sandbox has only loopback" in_sandbox

log "peers: dnsmasq, prosody, kamailio, sipp UAS"
setup() {
  make_certs &&
    start_dnsmasq &&
    start_prosody dialback &&
    xmpp_register alice alicepw &&
    start_kamailio &&
    start_sipp_uas uas-bob "$UAS_IP" "$UAS_PORT" &&
    sip_register bob "$UAS_IP:$UAS_PORT"
}
check "peers started (dnsmasq, prosody, kamailio, sipp UAS registered as $BOB)" setup
BOB_LOG=$RUN/uas-bob/messages.log
peers_up=$((FAILED == 0))

log "xmppfed: edge + gateway"
xmppfed_up=0
if [ $peers_up -eq 1 ]; then
  check "xmppfed started (edge listening, gateway listening, relay link up)" start_xmppfed
  [ "$FAILED" -eq 0 ] && xmppfed_up=1
fi

xmpp_to_sip_sent() { xmpp_messages_sent "$ALICE" alicepw "$BOB" "$COUNT" xmpp-to-sip; }

xmpp_to_sip_arrived() {
  sip_messages_arrived "$BOB_LOG" "$ALICE" "$BOB" xmpp-to-sip "$COUNT" "$DELIVERY_TIMEOUT_S"
}

# sip_to_xmpp: alice online first, then the SIPp UAC; both results must be good.
sip_to_xmpp() {
  rm -f "$RUN/alice.ready"
  xmpp xmpp_receive.py --jid "$ALICE" --password alicepw --expect-from "$BOB" \
    --count "$COUNT" --prefix sip-to-xmpp --timeout "$DELIVERY_TIMEOUT_S" \
    --ready-file "$RUN/alice.ready" > "$RUN/sip-to-xmpp-received.json" 2> "$RUN/sip-to-xmpp-received.err" &
  local receiver=$!
  local sent=1
  if wait_file "$RUN/alice.ready"; then
    sipp_uac uac-bob "$KAMAILIO_IP:$SIP_PORT" uac_message.xml -m "$COUNT" -r 50 -l 20 \
      -timeout "$DELIVERY_TIMEOUT_S" -key from_uri "sip:$BOB" -key to_uri "sip:$ALICE" \
      -key body_prefix sip-to-xmpp
    sent=$?
  fi
  wait $receiver
  SIP_TO_XMPP_RECEIVED=$?
  return $sent
}

# sip_to_xmpp_udp: as sip_to_xmpp, but the SIP UA sends over UDP, which retransmits after T1.
readonly UDP_COUNT=20
sip_to_xmpp_udp() {
  rm -f "$RUN/alice-udp.ready"
  xmpp xmpp_receive.py --jid "$ALICE" --password alicepw --expect-from "$BOB" \
    --count "$UDP_COUNT" --prefix sip-udp --timeout "$DELIVERY_TIMEOUT_S" \
    --ready-file "$RUN/alice-udp.ready" > "$RUN/sip-udp-received.json" 2>&1 &
  local receiver=$! sent=1
  if wait_file "$RUN/alice-udp.ready"; then
    SIPP_TRANSPORT=u1 sipp_uac uac-udp "$KAMAILIO_IP:$SIP_PORT" uac_message.xml \
      -m "$UDP_COUNT" -r 10 -l 5 -timeout "$DELIVERY_TIMEOUT_S" -key from_uri "sip:$BOB" \
      -key to_uri "sip:$ALICE" -key body_prefix sip-udp
    sent=$?
  fi
  wait $receiver || { cat "$RUN/sip-udp-received.json"; return 1; }
  [ $sent -eq 0 ] || return 1
  # SIPp's cumulative retransmission count, from the last line of its statistics.
  local retrans
  retrans=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "Retransmissions(C)") c = i }
                       END { print $c }' "$RUN/uac-udp/stat.csv")
  echo "SIPp retransmissions over UDP: ${retrans:-unknown}"
  [ "$retrans" = 0 ]
}

sip_to_xmpp_arrived() {
  cat "$RUN/sip-to-xmpp-received.json" "$RUN/sip-to-xmpp-received.err"
  return "$SIP_TO_XMPP_RECEIVED"
}

daemons_alive() {
  local name
  for name in edge gateway; do
    local i
    for i in "${!PID_NAMES[@]}"; do
      [ "${PID_NAMES[i]}" = "$name" ] || continue
      kill -0 "${PIDS[i]}" 2>/dev/null || { echo "$name (pid ${PIDS[i]}) has exited" >&2; return 1; }
    done
  done
}

readonly CHECK_P2S_SENT="$COUNT messages $ALICE -> $BOB sent, no error bounced"
readonly CHECK_P2S="$COUNT messages arrive at the SIP UA, each once, From sip:$ALICE To sip:$BOB, exact body"
readonly CHECK_S2P_SENT="$COUNT SIP MESSAGEs $BOB -> $ALICE answered 200/202"
readonly CHECK_S2P="$COUNT messages arrive at $ALICE, each once, from $BOB, exact body"
readonly CHECK_UDP="$UDP_COUNT MESSAGEs over a UDP hop arrive at $ALICE, none retransmitted by the SIP UA"
readonly CHECK_ERR="message to unknown SIP user nobody@$SIP_DOMAIN -> error stanza item-not-found"
readonly CHECK_ALIVE="edge and gateway still running"
readonly CHECK_STATUS="SIGUSR1: both daemons log their status and keep running"

# status_reported: SIGUSR1 to each daemon; each logs its links and what is in progress.
status_reported() {
  kill -USR1 "$EDGE_PID" "$GATEWAY_PID" || return 1
  local i
  for i in $(seq 50); do
    grep -q 'status: 1 gateway link(s) up' "$RUN/edge/edge.log" &&
      grep -q 'status: 1 relay link(s) up; SIP next hop connected' "$RUN/gateway/gateway.log" &&
      grep -q 'status: IM 0 message(s) awaiting a SIP answer' "$RUN/gateway/gateway.log" &&
      break
    sleep 0.1
  done
  grep 'status:' "$RUN/edge/edge.log" "$RUN/gateway/gateway.log"
  grep -q 'status: 1 relay link(s) up; SIP next hop connected' "$RUN/gateway/gateway.log" &&
    grep -q 'status: 1 gateway link(s) up' "$RUN/edge/edge.log" && daemons_alive
}

if [ $xmppfed_up -eq 1 ]; then
  log "xmpp -> sip"
  check "$CHECK_P2S_SENT" xmpp_to_sip_sent
  check "$CHECK_P2S" xmpp_to_sip_arrived
  log "sip -> xmpp"
  check "$CHECK_S2P_SENT" sip_to_xmpp
  check "$CHECK_S2P" sip_to_xmpp_arrived
  log "sip -> xmpp over a UDP hop"
  check "$CHECK_UDP" sip_to_xmpp_udp
  log "error to unknown SIP user"
  check "$CHECK_ERR" unknown_sip_user_bounces "$ALICE" alicepw
  check "$CHECK_ALIVE" daemons_alive
  check "$CHECK_STATUS" status_reported
else
  for name in "$CHECK_P2S_SENT" "$CHECK_P2S" "$CHECK_S2P_SENT" "$CHECK_S2P" "$CHECK_ERR" "$CHECK_ALIVE" "$CHECK_STATUS"; do
    fail "$name (not run: setup failed)"
  done
fi

finish
