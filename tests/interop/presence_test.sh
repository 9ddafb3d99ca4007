#!/bin/bash
# Interop test: presence (RFC 8048) between a Prosody user and a SIP user through
# xmppfed, one scenario per run (CTest lists each as its own test):
#
#   alice@xmpp.example (slixmpp) -- Prosody 127.0.0.2 -- edge 127.0.0.10 -- gateway 127.0.0.11
#     -- Kamailio 127.0.0.4 -- bob@sip.example: a SIPp notifier (UAS, 127.0.0.6:5070, registered)
#                              or a SIPp watcher (UAC, 127.0.0.7:5081)
#
#   presence_test.sh SCENARIO, SCENARIO one of
#     xmpp_to_sip_accept   alice subscribes to bob; bob's notifier accepts: SUBSCRIBE content,
#                          then 'subscribed' and bob's presence (status) at alice
#     xmpp_to_sip_deny     bob's notifier rejects: 'unsubscribed' at alice, never 'subscribed'
#     sip_to_xmpp_accept   bob subscribes to alice; alice accepts: NOTIFY pending, then active
#                          with PIDF open, alice's note and RPID activity; alice cancels:
#                          terminated;reason=deactivated
#     sip_to_xmpp_deny     alice refuses: NOTIFY pending, then terminated;reason=rejected
#     show_status          show/status changes both ways (PIDF note + RPID <-> show/status)
#     unsubscribe          both ways: SUBSCRIBE Expires 0 in the dialog; 'unsubscribe' at alice
#     probe                alice logs in again: Prosody probes bob, the gateway answers from its
#                          cache (no second SUBSCRIBE)
#     unknown_user         subscribe to nobody@sip.example -> 'unsubscribed'; a SUBSCRIBE for a
#                          domain that is no partner -> 403
#     public_unverified_refused  partner_type public_unverified: alice's message and subscription
#                          request to bob, who never added her, come back as policy-violation
#     restart              the gateway is restarted in the middle of a subscription: the refresh
#                          still goes out (from the new process) and presence still flows
#
# Environment as chat_test.sh (XMPPFED_EDGE_BIN, XMPPFED_GATEWAY_BIN, XMPPFED_RUN_DIR).
# shellcheck source=tests/interop/lib.sh
source "$(dirname "$0")/lib.sh"
enter_sandbox "$0" "$@"
readonly SCENARIO=${1:?usage: presence_test.sh SCENARIO}
case "$SCENARIO" in
  public_unverified_refused) export PARTNER_TYPE=public_unverified ;;
esac
harness_init "interop_presence_$SCENARIO"

readonly ALICE=alice@$PARTNER_DOMAIN
readonly BOB=bob@$SIP_DOMAIN
readonly WATCHER_PORT=5081
# Seconds any one expected presence or NOTIFY may take (s2s and relay setup included).
readonly WAIT_S=30

check "sandbox has only loopback" in_sandbox

# start_notifier SCENARIO_FILE: bob's SIPp notifier on UAS_IP:UAS_PORT, registered at Kamailio.
start_notifier() {
  local file=$1 name=uas-bob
  mkdir -p "$RUN/$name"
  UAS_LOG=$RUN/$name/presence.log
  : > "$UAS_LOG"
  spawn "$name" "$RUN/$name/sipp.log" bash -c 'cd "$1" && shift && exec "$@"' sipp "$RUN/$name" \
    timeout 900 sipp -sf "$HARNESS/sip/$file" -i "$UAS_IP" -p "$UAS_PORT" -t t1 -nostdin \
    -trace_logs -log_file "$UAS_LOG" -trace_err -error_file "$RUN/$name/errors.log"
  add_log "$name-log" "$UAS_LOG"
  add_log "$name-errors" "$RUN/$name/errors.log"
  wait_port "$UAS_IP" "$UAS_PORT" tcp "$START_TIMEOUT_S" "$SPAWNED_PID" &&
    sip_register bob "$UAS_IP:$UAS_PORT"
}

notifier_for() {
  case "$SCENARIO" in
    xmpp_to_sip_accept|probe|public_unverified_refused) echo uas_presence_accept.xml ;;
    xmpp_to_sip_deny) echo uas_presence_deny.xml ;;
    show_status) echo uas_presence_show.xml ;;
    unsubscribe) echo uas_presence_unsubscribe.xml ;;
    restart) echo uas_presence_refresh.xml ;;
    *) echo uas_presence_accept.xml ;;
  esac
}

setup() {
  make_certs &&
    start_dnsmasq &&
    start_prosody dialback &&
    xmpp_register alice alicepw &&
    start_kamailio &&
    start_notifier "$(notifier_for)"
}
log "peers: dnsmasq, prosody, kamailio, sipp notifier ($(notifier_for))"
check "peers started (bob's SIPp notifier registered as $BOB)" setup
[ "$FAILED" -eq 0 ] && check "xmppfed started (edge, gateway, relay link up)" start_xmppfed
if [ "$FAILED" -ne 0 ]; then
  fail "scenario $SCENARIO (not run: setup failed)"
  finish
fi

# alice STEP...: alice's slixmpp session running the steps; JSON result in RUN/alice-N.json.
ALICE_RUNS=0
alice() {
  ALICE_RUNS=$((ALICE_RUNS + 1))
  local out=$RUN/alice-$ALICE_RUNS.json args=() s
  for s in "$@"; do args+=(--step "$s"); done
  "$PY" "$SCRIPTS/xmpp_presence.py" --addr "$PROSODY_IP" --jid "$ALICE" --password alicepw \
    --timeout "$WAIT_S" "${args[@]}" > "$out" 2> "$out.err"
  local rc=$?
  cat "$out"
  tail -n 5 "$out.err"
  return $rc
}

# watcher SCENARIO_FILE TARGET_USER: bob's SIPp watcher (through Kamailio), in the background;
# WATCHER_PID, WATCHER_LOG.
watcher() {
  local file=$1 user=$2 name=uac-bob-$ALICE_RUNS
  mkdir -p "$RUN/$name"
  WATCHER_LOG=$RUN/$name/presence.log
  : > "$WATCHER_LOG"
  add_log "$name-log" "$WATCHER_LOG"
  add_log "$name-errors" "$RUN/$name/errors.log"
  (cd "$RUN/$name" && timeout 120 sipp "$KAMAILIO_IP:$SIP_PORT" -sf "$HARNESS/sip/$file" \
    -i "$UAC_IP" -p "$WATCHER_PORT" -t t1 -nostdin -m 1 -timeout 90 -s "$user" \
    -key domain "$PARTNER_DOMAIN" -trace_logs -log_file "$WATCHER_LOG" -trace_err \
    -error_file "$RUN/$name/errors.log") > "$RUN/$name/sipp.log" 2>&1 &
  WATCHER_PID=$!
}

watcher_done() {
  wait "$WATCHER_PID"
  local rc=$?
  echo "sipp watcher exited $rc; its log:"
  cat "$WATCHER_LOG"
  return $rc
}

# has_line FILE REGEX: the file has a line matching the extended regex.
has_line() {
  grep -Eq -- "$2" "$1" || { echo "no line matching '$2' in $1:"; cat "$1"; return 1; }
}
lacks_line() {
  ! grep -Eq -- "$2" "$1" || { echo "unexpected line matching '$2' in $1:"; cat "$1"; return 1; }
}
count_lines() { grep -Ec -- "$2" "$1"; }

readonly SUB_LINE="^SUBSCRIBE\|sip:$ALICE\|sip:$BOB\|presence\|application/pidf\+xml\|28800\|1$"

case "$SCENARIO" in
xmpp_to_sip_accept)
  check "alice subscribes to $BOB: 'subscribed', then presence with status 'Available on SIP'" \
    alice "subscribe:$BOB" "expect:subscribed:$BOB" "expect:available:$BOB:none:Available on SIP"
  check "bob's notifier got SUBSCRIBE From sip:$ALICE To sip:$BOB, Event presence, Accept PIDF, Expires 28800" \
    has_line "$UAS_LOG" "$SUB_LINE"
  ;;
xmpp_to_sip_deny)
  check "alice subscribes to $BOB: 'unsubscribed', never 'subscribed'" \
    alice "reject-others:subscribed:$BOB" "subscribe:$BOB" "expect:unsubscribed:$BOB" "sleep:1"
  check "bob's notifier got the SUBSCRIBE" has_line "$UAS_LOG" "$SUB_LINE"
  ;;
sip_to_xmpp_accept)
  watcher uac_presence_watch.xml alice
  check "alice gets bob's subscribe, accepts, later cancels" \
    alice "show:away:Reading mail" "expect:subscribe:$BOB" "subscribed:$BOB" "sleep:3" \
    "unsubscribed:$BOB"
  check "bob's watcher: every NOTIFY answered, ended by terminated" watcher_done
  check "NOTIFY pending first (RFC 6665: at once)" \
    bash -c "head -n 1 '$WATCHER_LOG' | grep -Eq '^NOTIFY\|pending;expires=[0-9]+\|\|\|$'"
  check "NOTIFY active with PIDF basic open, note 'Reading mail', <rpid:away/>" \
    has_line "$WATCHER_LOG" '^NOTIFY\|active;expires=[0-9]+\|open\|Reading mail</note>\|<rpid:away/>$'
  check "last NOTIFY terminated;reason=deactivated" \
    bash -c "tail -n 1 '$WATCHER_LOG' | grep -Eq '^NOTIFY\|terminated;reason=deactivated\|'"
  ;;
sip_to_xmpp_deny)
  watcher uac_presence_watch.xml alice
  check "alice gets bob's subscribe and refuses it" \
    alice "expect:subscribe:$BOB" "unsubscribed:$BOB"
  check "bob's watcher: every NOTIFY answered, ended by terminated" watcher_done
  check "NOTIFY pending, then terminated;reason=rejected, never active" \
    bash -c "head -n 1 '$WATCHER_LOG' | grep -Eq '^NOTIFY\|pending' &&
             tail -n 1 '$WATCHER_LOG' | grep -Eq '^NOTIFY\|terminated;reason=rejected\|' &&
             ! grep -q '^NOTIFY|active' '$WATCHER_LOG'"
  ;;
show_status)
  check "SIP -> XMPP: busy/away/closed with notes arrive as dnd/away/unavailable with status" \
    alice "subscribe:$BOB" "expect:subscribed:$BOB" \
    "expect:available:$BOB:dnd:In a meeting" "expect:available:$BOB:away:Out for lunch" \
    "expect:unavailable:$BOB:none:Gone home"
  watcher uac_presence_watch.xml alice
  check "XMPP -> SIP: alice accepts bob and changes show/status four times" \
    alice "show:none:Here" "expect:subscribe:$BOB" "subscribed:$BOB" "sleep:2.5" \
    "show:dnd:In a call" "sleep:2.5" "show:xa:On holiday" "sleep:2.5" "show:chat:Free" \
    "sleep:2.5" "unsubscribed:$BOB"
  check "bob's watcher: every NOTIFY answered" watcher_done
  check "NOTIFY open, note 'Here', no activity" \
    has_line "$WATCHER_LOG" '^NOTIFY\|active;expires=[0-9]+\|open\|Here</note>\|$'
  check "NOTIFY open, note 'In a call', <rpid:busy/> (dnd)" \
    has_line "$WATCHER_LOG" '^NOTIFY\|active;expires=[0-9]+\|open\|In a call</note>\|<rpid:busy/>$'
  check "NOTIFY open, note 'On holiday', <rpid:away/> (xa)" \
    has_line "$WATCHER_LOG" '^NOTIFY\|active;expires=[0-9]+\|open\|On holiday</note>\|<rpid:away/>$'
  check "NOTIFY open, note 'Free', no activity (chat)" \
    has_line "$WATCHER_LOG" '^NOTIFY\|active;expires=[0-9]+\|open\|Free</note>\|$'
  ;;
unsubscribe)
  check "XMPP -> SIP: alice subscribes, sees bob, unsubscribes" \
    alice "subscribe:$BOB" "expect:subscribed:$BOB" "expect:available:$BOB" "unsubscribe:$BOB" \
    "sleep:3"
  check "bob's notifier got SUBSCRIBE Expires 0, CSeq 2, in the dialog (To tag)" \
    has_line "$UAS_LOG" '^RESUBSCRIBE\|0\|2\|tag='
  check "bob's notifier saw no error" bash -c "! test -s '$RUN/uas-bob/errors.log' || ! grep -q . '$RUN/uas-bob/errors.log'"
  watcher uac_presence_unsubscribe.xml alice
  # A SIP client unsubscribes at every logout: alice's roster keeps bob.
  check "SIP -> XMPP: alice accepts bob; his un-SUBSCRIBE leaves her roster alone" \
    alice "show:none:Here" "expect:subscribe:$BOB" "subscribed:$BOB" "sleep:3" \
    "reject-others:unsubscribe:$BOB" "roster:$BOB:from"
  check "bob's watcher unsubscribed: 200 and NOTIFY terminated;reason=timeout" watcher_done
  check "final NOTIFY terminated;reason=timeout" has_line "$WATCHER_LOG" '^FINAL\|terminated;reason=timeout$'
  # Logged in again: active with alice's presence at once, no new request to alice.
  watcher uac_presence_unsubscribe.xml alice
  check "bob subscribes again: no second 'subscribe' at alice, roster unchanged" \
    alice "show:none:Here again" "sleep:3" "reject-others:subscribe:$BOB" \
    "reject-others:unsubscribe:$BOB" "roster:$BOB:from"
  check "bob's second watcher saw alice open and unsubscribed" watcher_done
  check "its first NOTIFY was active (no pending round)" \
    bash -c "grep -m1 '^NOTIFY|' '$WATCHER_LOG' | grep -q '|active;'"
  ;;
probe)
  check "alice subscribes to $BOB and sees 'Available on SIP'" \
    alice "subscribe:$BOB" "expect:subscribed:$BOB" "expect:available:$BOB:none:Available on SIP"
  check "after a new login (Prosody probes bob) alice sees 'Available on SIP' again" \
    alice "expect:available:$BOB:none:Available on SIP"
  check "the probe was answered from the gateway's cache: one SUBSCRIBE only" \
    bash -c "[ \"\$(grep -c '^SUBSCRIBE|' '$UAS_LOG')\" -eq 1 ] && grep -q 'answered from the cache' '$RUN/gateway/gateway.log'"
  ;;
unknown_user)
  check "alice subscribes to nobody@$SIP_DOMAIN (Kamailio: 404): 'unsubscribed' from it" \
    alice "subscribe:nobody@$SIP_DOMAIN" "expect:unsubscribed:nobody@$SIP_DOMAIN"
  check "SUBSCRIBE to carol@unknown.example (no partner) straight to the gateway: 403" \
    sipp_uac refused "$GATEWAY_IP:$SIP_PORT" uac_presence_refused.xml -s carol \
      -key domain unknown.example -m 1 -timeout 10
  ;;
public_unverified_refused)
  check "alice's message and subscription request to $BOB (who never added her) bounce" \
    alice "reject-others:subscribed:$BOB" "message:$BOB:hello bob" "expect:message-error:$BOB" \
    "subscribe:$BOB" "expect:error:$BOB" "sleep:1"
  check "both errors carry policy-violation" \
    bash -c "[ \"\$(grep -o '\"condition\": \"policy-violation\"' '$RUN/alice-1.json' | wc -l)\" -eq 2 ]"
  check "nothing reached bob's SIP UA" bash -c "! grep -q . '$UAS_LOG'"
  ;;
restart)
  restart_gateway() {
    local i
    for i in "${!PID_NAMES[@]}"; do
      [ "${PID_NAMES[i]}" = gateway ] && stop_pid "${PIDS[i]}"
    done
    local gw_bin=${XMPPFED_GATEWAY_BIN:-$SOURCE_DIR/build/frontend-gateway/xmppfed-frontend-gateway}
    daemon_cmd "$gw_bin" "${XMPPFED_GATEWAY_ARGS:---config {config}}" "$RUN/gateway/gateway.json"
    spawn gateway "$RUN/gateway/gateway-2.log" "${DAEMON_CMD[@]}"
    add_log gateway-2 "$RUN/gateway/gateway-2.log"
    wait_port "$GATEWAY_IP" "$SIP_PORT" tcp "$START_TIMEOUT_S" "$SPAWNED_PID" &&
      wait_established "$EDGE_IP" "$RELAY_PORT" "$START_TIMEOUT_S" "$SPAWNED_PID" &&
      sleep "$RELAY_SETTLE_S"
  }
  alice "subscribe:$BOB" "expect:subscribed:$BOB" "expect:available:$BOB:none:before restart" \
    "touch:$RUN/phase1" "wait-file:$RUN/restarted" "expect:available:$BOB:dnd:after restart" \
    > "$RUN/alice-restart.out" 2>&1 &
  alice_pid=$!
  check "alice subscribed to $BOB and sees 'before restart'" wait_file "$RUN/phase1" "$WAIT_S"
  check "gateway stopped and started again (same state database)" restart_gateway
  touch "$RUN/restarted"
  alice_done() {
    wait "$alice_pid"
    local rc=$?
    cat "$RUN/alice-restart.out"
    return $rc
  }
  check "alice sees 'after restart' (dnd): presence still flows" alice_done
  check "bob's notifier got the refresh SUBSCRIBE in the dialog (Expires 28800, CSeq 2)" \
    has_line "$UAS_LOG" '^RESUBSCRIBE\|28800\|2\|tag='
  check "the refresh came from the restarted gateway" \
    grep -q "refresh $ALICE -> sip:$BOB" "$RUN/gateway/gateway-2.log"
  ;;
*)
  fail "unknown scenario $SCENARIO"
  ;;
esac

finish
