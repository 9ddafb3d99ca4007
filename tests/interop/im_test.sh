#!/bin/bash
# Interop tests: session-mode IM, chat states and content types between a Prosody user
# and a SIP user through xmppfed and Kamailio (topology as in chat_test.sh):
#
#   alice@xmpp.example --c2s--> Prosody 127.0.0.2 --s2s--> edge 127.0.0.10 --relay--> gateway
#     127.0.0.11 --SIP/TCP--> Kamailio 127.0.0.4 --> SIPp (UAS 127.0.0.6:5070, UAC 127.0.0.7)
#
# Usage: im_test.sh SCENARIO, one CTest test each:
#   session_mode              SIPp UAC (bob) INVITEs alice@xmpp.example with a Lync-style SDP
#                             offer through Kamailio (which record-routes it): 200 with an
#                             m=message answer, ACK, 3 MESSAGEs in the dialog reach alice from
#                             bob@sip.example with the exact bodies and one stable <thread>;
#                             alice's reply reaches SIPp inside the dialog (SIPp matches it to
#                             the call by Call-ID; To carries SIPp's tag; From and body exact;
#                             it may come before the 202 to MESSAGE #3, which waits for the
#                             gateway's delivery grace window),
#                             routed by Kamailio from the Record-Route; BYE gets 200.
#   chat_states_xmpp_to_sip   alice sends <composing/> then <paused/>: bob's SIPp UAS receives
#                             two MESSAGEs application/im-iscomposing+xml, state active then
#                             idle, From sip:alice@xmpp.example To sip:bob@sip.example.
#   chat_states_sip_to_xmpp   SIPp UAC sends isComposing state active: alice receives a chat
#                             message from bob@sip.example with exactly <composing/>, no body.
#   unsupported_content_type  SIPp UAC sends text/html: 415 with
#                             "Accept: text/plain, application/im-iscomposing+xml".
#   unknown_partner_user      SIPp UAC (bob) sends a page-mode MESSAGE to alice@xmpp.example:
#                             exactly 202, and alice gets it; then one to nobody@xmpp.example,
#                             a user Prosody does not have: Prosody answers the stanza with
#                             <service-unavailable/> inside the gateway's delivery grace
#                             window (sip.delivery_grace_ms), so the gateway answers 503
#                             (RFC 7247 §8) instead of 202, and no SIP MESSAGE goes out for
#                             the error. SIPp gets exactly 500: a proxy never relays a 503
#                             upstream but turns it into 500 (RFC 3261 §16.7 step 6), and
#                             Kamailio does.
#
# Environment as chat_test.sh (XMPPFED_EDGE_BIN, XMPPFED_GATEWAY_BIN, XMPPFED_RUN_DIR).
# shellcheck source=tests/interop/lib.sh
source "$(dirname "$0")/lib.sh"
enter_sandbox "$0" "$@"
readonly SCENARIO=${1:?usage: im_test.sh SCENARIO}
# The run directory carries the CTest name (tests/interop/CMakeLists.txt).
case $SCENARIO in
  chat_states_*) harness_init "interop_$SCENARIO" ;;
  *) harness_init "interop_im_$SCENARIO" ;;
esac

readonly ALICE=alice@$PARTNER_DOMAIN
readonly BOB=bob@$SIP_DOMAIN
# The SIPp UAC's own port: the Contact that in-dialog requests from the gateway come to.
readonly UAC_PORT=5090
# Seconds for a message to cross (includes the first s2s connection and dialback).
readonly DELIVERY_TIMEOUT_S=30

check "sandbox has only loopback" in_sandbox

# setup [UAS_SCENARIO]: peers, bob registered (as a UAS when a scenario is given, else with
# the UAC's contact), xmppfed up.
setup() {
  local uas=${1:-}
  make_certs && start_dnsmasq && start_prosody dialback && xmpp_register alice alicepw &&
    start_kamailio || return 1
  if [ -n "$uas" ]; then
    start_sipp_uas_scenario uas-bob "$UAS_IP" "$UAS_PORT" "$uas" &&
      sip_register bob "$UAS_IP:$UAS_PORT" || return 1
  else
    sip_register bob "$UAC_IP:$UAC_PORT" || return 1
  fi
  start_xmppfed
}

# start_sipp_uas_scenario NAME IP PORT SCENARIO: like lib.sh start_sipp_uas with another
# scenario; the log is RUN/NAME/messages.log.
start_sipp_uas_scenario() {
  local name=$1 ip=$2 port=$3 scenario=$4
  mkdir -p "$RUN/$name"
  UAS_LOG=$RUN/$name/messages.log
  : > "$UAS_LOG"
  spawn "$name" "$RUN/$name/sipp.log" bash -c 'cd "$1" && shift && exec "$@"' sipp "$RUN/$name" \
    timeout 900 sipp -sf "$HARNESS/sip/$scenario" -i "$ip" -p "$port" -t t1 -nostdin \
    -trace_logs -log_file "$UAS_LOG" -trace_err -error_file "$RUN/$name/errors.log"
  add_log "$name-messages" "$UAS_LOG"
  add_log "$name-errors" "$RUN/$name/errors.log"
  wait_port "$ip" "$port" tcp "$START_TIMEOUT_S" "$SPAWNED_PID" ||
    { tail -n 15 "$RUN/$name/sipp.log" >&2; return 1; }
}

# expect_lines FILE PATTERN LINE...: the lines of FILE that match PATTERN are exactly LINE...
# (waits up to DELIVERY_TIMEOUT_S for them to appear).
expect_lines() {
  local file=$1 pattern=$2 i
  shift 2
  local want
  want=$(printf '%s\n' "$@")
  for ((i = 0; i < DELIVERY_TIMEOUT_S * 10; i++)); do
    [ "$(grep -c -- "$pattern" "$file" 2>/dev/null)" -ge $# ] && break
    sleep 0.1
  done
  sleep 1   # duplicates would show up by now
  local got
  got=$(grep -- "$pattern" "$file" 2>/dev/null | tr -d '\r')
  if [ "$got" != "$want" ]; then
    echo "expected in $file:" >&2
    echo "$want" >&2
    echo "got:" >&2
    echo "$got" >&2
    return 1
  fi
}

# ---- session_mode ---------------------------------------------------------------------------

session_mode() {
  rm -f "$RUN/alice.ready"
  xmpp xmpp_session_peer.py --jid "$ALICE" --password alicepw --expect-from "$BOB" --count 3 \
    --prefix "in session" --reply "reply from alice" --timeout "$DELIVERY_TIMEOUT_S" \
    --ready-file "$RUN/alice.ready" > "$RUN/alice.json" 2> "$RUN/alice.err" &
  local peer=$!
  local sipp_rc=1
  if wait_file "$RUN/alice.ready"; then
    mkdir -p "$RUN/uac-session"
    # The reply may overtake the answer to MESSAGE #3 (delivery grace window).
    sipp_uac uac-session "$KAMAILIO_IP:$SIP_PORT" uac_im_session_interleaved.xml -p "$UAC_PORT" -m 1 \
      -timeout 60 -trace_logs -log_file "$RUN/uac-session/session.log" \
      -key from_uri "sip:$BOB" -key to_uri "sip:$ALICE" -key body_prefix "in session"
    sipp_rc=$?
  fi
  wait $peer
  PEER_RC=$?
  return $sipp_rc
}

session_alice_received() {
  cat "$RUN/alice.json" "$RUN/alice.err"
  [ "$PEER_RC" -eq 0 ] || return 1
  "$PY" - "$RUN/alice.json" "$BOB" <<'PYEOF'
import json, sys
r = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
bodies = [m["body"] for m in r["received"]]
froms = {m["from"].split("/")[0] for m in r["received"]}
assert bodies == ["in session #1", "in session #2", "in session #3"], bodies
assert froms == {sys.argv[2]}, froms
assert len(set(r["threads"])) == 1 and r["threads"][0], r["threads"]
assert r["replied"], r
PYEOF
}

session_reply_in_dialog() {
  local log=$RUN/uac-session/session.log
  cat "$log" >&2
  local line
  line=$(grep '^REPLY|' "$log" | tr -d '\r')
  [ "$(grep -c '^REPLY|' "$log")" -eq 1 ] || { echo "want exactly one REPLY line" >&2; return 1; }
  # From alice, To tag = SIPp's own From tag (so it is inside SIPp's dialog), exact body.
  [[ "$line" =~ ^REPLY\|sip:$ALICE\|tag=[0-9]+SIPpTag001\|reply\ from\ alice$ ]] ||
    { echo "REPLY line is '$line'" >&2; return 1; }
  # Kamailio got it from the gateway with the UAC's Contact as Request-URI and the INVITE's
  # Call-ID, and relayed it by the route set (loose_route).
  local kam=$RUN/kamailio/kamailio.log call_id
  call_id=$(grep -m1 'REQ INVITE ' "$kam" | sed -n 's/.*callid=//p')
  grep -E "REQ MESSAGE sip:uac@$UAC_IP:$UAC_PORT;transport=(tcp|TCP) .*From=sip:$ALICE To=sip:$BOB callid=$call_id\$" \
    "$kam" >&2 ||
    { echo "Kamailio saw no in-dialog MESSAGE to the UAC contact (Call-ID $call_id)" >&2; return 1; }
}

gateway_session_log() {
  grep -E "session .* started|ended by BYE" "$RUN/gateway/gateway.log" >&2
  grep -q "session $BOB -> $ALICE started" "$RUN/gateway/gateway.log" &&
    grep -q "session $BOB -> $ALICE ended by BYE" "$RUN/gateway/gateway.log"
}

# ---- chat states ----------------------------------------------------------------------------

chat_states_sent() {
  xmpp xmpp_chat_states.py send --jid "$ALICE" --password alicepw --to "$BOB" \
    --states composing,paused --gap 0.5
}

chat_states_arrived() {
  expect_lines "$UAS_LOG" '^MESSAGE|' \
    "MESSAGE|sip:$ALICE|sip:$BOB|application/im-iscomposing+xml|<state>active</state>" \
    "MESSAGE|sip:$ALICE|sip:$BOB|application/im-iscomposing+xml|<state>idle</state>"
}

composing_to_xmpp() {
  rm -f "$RUN/alice.ready"
  xmpp xmpp_chat_states.py expect --jid "$ALICE" --password alicepw --expect-from "$BOB" \
    --state composing --timeout "$DELIVERY_TIMEOUT_S" --ready-file "$RUN/alice.ready" \
    > "$RUN/alice.json" 2> "$RUN/alice.err" &
  local peer=$!
  local sipp_rc=1
  if wait_file "$RUN/alice.ready"; then
    sipp_uac uac-composing "$KAMAILIO_IP:$SIP_PORT" uac_iscomposing.xml -m 1 -timeout 30 \
      -key from_uri "sip:$BOB" -key to_uri "sip:$ALICE" -key state active
    sipp_rc=$?
  fi
  wait $peer
  PEER_RC=$?
  return $sipp_rc
}

composing_arrived() {
  cat "$RUN/alice.json" "$RUN/alice.err"
  return "$PEER_RC"
}

# ---- 415 ------------------------------------------------------------------------------------

html_refused() {
  mkdir -p "$RUN/uac-html"
  sipp_uac uac-html "$KAMAILIO_IP:$SIP_PORT" uac_message_415.xml -m 1 -timeout 30 \
    -trace_logs -log_file "$RUN/uac-html/accept.log" \
    -key from_uri "sip:$BOB" -key to_uri "sip:$ALICE" &&
    expect_lines "$RUN/uac-html/accept.log" '^ACCEPT|' \
      "ACCEPT|text/plain, application/im-iscomposing+xml"
}

# ---- unknown partner user --------------------------------------------------------------------

# message_status NAME TO_URI: one MESSAGE from bob to TO_URI; the final status line SIPp got
# is left in RUN/NAME/status.log ("STATUS|SIP/2.0 <code>").
message_status() {
  local name=$1 to=$2
  mkdir -p "$RUN/$name"
  sipp_uac "$name" "$KAMAILIO_IP:$SIP_PORT" uac_message_status.xml -m 1 -timeout 30 \
    -trace_logs -log_file "$RUN/$name/status.log" \
    -key from_uri "sip:$BOB" -key to_uri "$to" -key body_prefix "$name"
}

known_user_accepted() {
  rm -f "$RUN/alice.ready"
  xmpp xmpp_receive.py --jid "$ALICE" --password alicepw --expect-from "$BOB" --count 1 \
    --prefix uac-alice --timeout "$DELIVERY_TIMEOUT_S" --ready-file "$RUN/alice.ready" \
    > "$RUN/alice.json" 2> "$RUN/alice.err" &
  local peer=$!
  local sipp_rc=1
  if wait_file "$RUN/alice.ready"; then
    message_status uac-alice "sip:$ALICE"
    sipp_rc=$?
  fi
  wait $peer
  PEER_RC=$?
  [ $sipp_rc -eq 0 ] && expect_lines "$RUN/uac-alice/status.log" '^STATUS|' "STATUS|SIP/2.0 202"
}

known_user_received() {
  cat "$RUN/alice.json" "$RUN/alice.err"
  return "$PEER_RC"
}

# The gateway's 503 arrives as 500 (RFC 3261 §16.7 step 6); unknown_user_gateway_log checks
# the 503 itself.
unknown_user_refused() {
  message_status uac-nobody "sip:nobody@$PARTNER_DOMAIN" &&
    expect_lines "$RUN/uac-nobody/status.log" '^STATUS|' "STATUS|SIP/2.0 500"
}

# The gateway answered from Prosody's error stanza (not from a bounce of the edge), and the
# error did not travel on as a SIP MESSAGE (Kamailio logs every request it sees).
unknown_user_gateway_log() {
  local gw=$RUN/gateway/gateway.log kam=$RUN/kamailio/kamailio.log
  grep -E "nobody@$PARTNER_DOMAIN" "$gw" >&2
  grep -q "MESSAGE sip:$BOB -> sip:nobody@$PARTNER_DOMAIN refused by the partner's server: service-unavailable within the delivery grace window (503)" "$gw" ||
    { echo "gateway log has no mapping of the error stanza" >&2; return 1; }
  if grep -E "REQ MESSAGE .*From=sip:nobody@$PARTNER_DOMAIN" "$kam" >&2; then
    echo "the error stanza was forwarded as a SIP MESSAGE" >&2
    return 1
  fi
}

# ---------------------------------------------------------------------------------------------

run_checks() {
  case $SCENARIO in
    session_mode)
      check "peers and xmppfed started; $BOB registered at $UAC_IP:$UAC_PORT" setup &&
        {
          check "SIPp: INVITE (Lync SDP) -> 200 m=message, ACK, 3 MESSAGEs 200/202, reply received in dialog, BYE 200" session_mode
          check "$ALICE got 3 chat messages from $BOB, exact bodies, one thread; replied" session_alice_received
          check "reply arrived in SIPp's dialog via Kamailio's route: From sip:$ALICE, To tag SIPp's, exact body" session_reply_in_dialog
          check "gateway logged session start and BYE" gateway_session_log
        }
      ;;
    chat_states_xmpp_to_sip)
      check "peers and xmppfed started; $BOB registered as SIPp UAS" setup uas_iscomposing.xml &&
        {
          check "$ALICE sent <composing/> then <paused/> to $BOB" chat_states_sent
          check "SIP UA got isComposing active then idle, From sip:$ALICE To sip:$BOB" chat_states_arrived
        }
      ;;
    chat_states_sip_to_xmpp)
      check "peers and xmppfed started" setup uas_iscomposing.xml &&
        {
          check "SIPp: MESSAGE isComposing active -> 200/202" composing_to_xmpp
          check "$ALICE got a chat message from $BOB with exactly <composing/> and no body" composing_arrived
        }
      ;;
    unsupported_content_type)
      check "peers and xmppfed started" setup uas_iscomposing.xml &&
        check "text/html MESSAGE -> 415, Accept: text/plain, application/im-iscomposing+xml" html_refused
      ;;
    unknown_partner_user)
      check "peers and xmppfed started" setup &&
        {
          check "SIPp: MESSAGE $BOB -> $ALICE answered exactly 202" known_user_accepted
          check "$ALICE got the MESSAGE from $BOB" known_user_received
          check "SIPp: MESSAGE $BOB -> nobody@$PARTNER_DOMAIN answered exactly 500 (the gateway's 503 via Kamailio)" unknown_user_refused
          check "gateway answered 503 from Prosody's service-unavailable inside the grace window; nothing forwarded" unknown_user_gateway_log
        }
      ;;
    *)
      fail "unknown scenario $SCENARIO"
      ;;
  esac
}

run_checks
finish
