#!/bin/bash
# Interop load test: a burst larger than the gateway's transaction cap in each direction must be
# read more slowly (backpressure), never refused, while every component is healthy.
#
#   SIPp UAC 127.0.0.7 --MESSAGE--> Kamailio 127.0.0.4 --> gateway 127.0.0.11 --relay--> edge
#     127.0.0.10 --s2s--> Prosody 127.0.0.2 --c2s--> alice (tests/harness/scripts/xmpp_load.py)
#   alice --c2s--> Prosody --s2s--> edge --relay--> gateway --SIP/TCP--> Kamailio --> SIPp UAS bob
#
# Both daemons run at log level info, Prosody at info, as an operator would run them; the
# gateway's transaction caps are 4096 (conf/gateway-load.json.in), a tenth of the burst.
# Checks (each prints PASS/FAIL; exit 1 if any fails):
#   1. SIP_COUNT SIP MESSAGEs bob -> alice at SIP_RATE/s are all answered 2xx (none 503, or
#      the 500 a proxy turns a 503 into, RFC 3261 §16.7);
#   2. all SIP_COUNT arrive at alice, each once, from bob;
#   3. XMPP_COUNT chat messages alice -> bob written in one burst: no error stanza comes back
#      (no resource-constraint);
#   4. all XMPP_COUNT arrive at bob's SIP UA, each once, From alice To bob, exact body;
#   5. neither daemon logs a line per message at info (fewer than MAX_LOG_LINES lines each
#      while the load ran);
#   6. both daemons are still running and report their counters on SIGUSR1.
# Figures printed: per direction sent / delivered / 503 / bounced / lost, and seconds taken
# (printed only: no time is asserted).
#
# Environment as chat_test.sh, plus XMPPFED_LOAD_SIP_COUNT (20000), XMPPFED_LOAD_SIP_RATE (2000)
# and XMPPFED_LOAD_XMPP_COUNT (40000).
# shellcheck source=tests/interop/lib.sh
source "$(dirname "$0")/lib.sh"
enter_sandbox "$0" "$@"
harness_init interop_load

readonly SIP_COUNT=${XMPPFED_LOAD_SIP_COUNT:-20000}
readonly SIP_RATE=${XMPPFED_LOAD_SIP_RATE:-2000}
readonly XMPP_COUNT=${XMPPFED_LOAD_XMPP_COUNT:-40000}
readonly ALICE=alice@$PARTNER_DOMAIN
readonly BOB=bob@$SIP_DOMAIN
# Seconds one direction may take at most (a bound for a hung run, not a performance target).
readonly PHASE_TIMEOUT_S=90
# Seconds without a new MESSAGE at bob's UA after which XMPP -> SIP delivery counts as over.
readonly STALL_S=15
# Log lines each daemon may write at info while the load runs: a few per state change, far
# below one per message.
readonly MAX_LOG_LINES=500

export PROSODY_LOGLEVEL=info
export XMPPFED_LOG_LEVEL=info
# The gateway's caps at 4096 transactions (high water 2048): the 40,000-message burst is ten
# times the cap, so only backpressure gets it through without bounces, whatever the speed of
# this machine (with the 32768 default a fast SIP side may keep the burst below the cap).
export GATEWAY_TEMPLATE=$SOURCE_DIR/tests/interop/conf/gateway-load.json.in

check "sandbox has only loopback" in_sandbox

log "peers: dnsmasq, prosody, kamailio, sipp UAS"
check "peers and xmppfed started (bob registered, relay link up)" start_alice_bob
up=$((FAILED == 0))
BOB_LOG=$RUN/uas-bob/messages.log


# json FILE KEY: one top-level number of a JSON report (0 when absent).
json() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], 0))' "$1" "$2" 2>/dev/null || echo 0; }

# stat_last CSV COLUMN: the last value of a column of SIPp's statistics file.
stat_last() {
  awk -F';' -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i }
                         END { print (c ? $c : 0) + 0 }' "$1" 2>/dev/null
}

# Both s2s streams and the SIP next hop are opened before the load: a first stanza waits for
# dialback, which is not what this test measures.
warm_up() {
  rm -f "$RUN/warm.ready"
  xmpp_load receive --expect-from "$BOB" --count 3 --prefix warm-s2x --timeout 30 \
    --ready-file "$RUN/warm.ready" > "$RUN/warm-s2x.json" 2>&1 &
  local receiver=$!
  wait_file "$RUN/warm.ready" &&
    sipp_uac warm-uac "$KAMAILIO_IP:$SIP_PORT" uac_message.xml -m 3 -r 10 -timeout 30 \
      -key from_uri "sip:$BOB" -key to_uri "sip:$ALICE" -key body_prefix warm-s2x || return 1
  wait $receiver || { cat "$RUN/warm-s2x.json"; return 1; }
  xmpp_load send --to "$BOB" --count 3 --prefix warm-x2s --linger 1 > "$RUN/warm-x2s.json" &&
    sip_messages_arrived "$BOB_LOG" "$ALICE" "$BOB" warm-x2s 3 30
}

log_lines() { wc -l < "$1"; }

# ---- SIP -> XMPP ----------------------------------------------------------------------------

sip_to_xmpp() {
  rm -f "$RUN/alice.ready"
  xmpp_load receive --expect-from "$BOB" --count "$SIP_COUNT" --prefix sip-load \
    --timeout "$PHASE_TIMEOUT_S" --ready-file "$RUN/alice.ready" > "$RUN/s2x-received.json" 2>&1 &
  local receiver=$!
  wait_file "$RUN/alice.ready" || return 1
  local t0=$(date +%s%N)
  # -l: calls open at once; each waits ~delivery_grace_ms for its 202, so a few hundred.
  sipp_uac uac-load "$KAMAILIO_IP:$SIP_PORT" uac_message.xml -m "$SIP_COUNT" -r "$SIP_RATE" \
    -rp 1000 -l "$SIP_COUNT" -timeout "$PHASE_TIMEOUT_S" -recv_timeout 40000 \
    -key from_uri "sip:$BOB" -key to_uri "sip:$ALICE" -key body_prefix sip-load
  S2X_SIPP=$?
  wait $receiver
  S2X_RECEIVED=$?
  S2X_MS=$((($(date +%s%N) - t0) / 1000000))
  local stat=$RUN/uac-load/stat.csv errors=$RUN/uac-load/errors.log
  S2X_SENT=$(stat_last "$stat" "TotalCallCreated")
  S2X_OK=$(stat_last "$stat" "SuccessfulCall(C)")
  S2X_FAILED=$(stat_last "$stat" "FailedCall(C)")
  S2X_503=$(grep -cE '^ *SIP/2.0 (503|500) ' "$errors" 2>/dev/null)
  S2X_DELIVERED=$(json "$RUN/s2x-received.json" delivered)
  local lost=$((S2X_SENT - S2X_DELIVERED))
  echo "sip->xmpp: sent $S2X_SENT at $SIP_RATE/s, answered 2xx $S2X_OK, failed $S2X_FAILED," \
    "503/500 $S2X_503, delivered $S2X_DELIVERED, lost $lost, $((S2X_MS / 1000)).$((S2X_MS % 1000 / 100)) s"
  [ "$S2X_SIPP" -eq 0 ] && [ "$S2X_SENT" -eq "$SIP_COUNT" ] && [ "$S2X_OK" -eq "$SIP_COUNT" ] &&
    [ "$S2X_503" -eq 0 ]
}

sip_to_xmpp_delivered() {
  cat "$RUN/s2x-received.json"
  [ "$S2X_RECEIVED" -eq 0 ]
}

# ---- XMPP -> SIP ----------------------------------------------------------------------------

# wait_bob_stalled PREFIX N: until N messages with PREFIX are at bob's UA, or none came for
# STALL_S seconds, or PHASE_TIMEOUT_S passed.
wait_bob_stalled() {
  local prefix=$1 n=$2 last=-1 count since=0 i
  for ((i = 0; i < PHASE_TIMEOUT_S * 5; i++)); do
    count=$(messages_at_uas "$BOB_LOG" "$prefix")
    [ "$count" -ge "$n" ] && return 0
    if [ "$count" -eq "$last" ]; then
      since=$((since + 1))
      [ $since -ge $((STALL_S * 5)) ] && return 0
    else
      since=0
      last=$count
    fi
    sleep 0.2
  done
}

xmpp_to_sip() {
  rm -f "$RUN/x2s.done"
  local t0=$(date +%s%N)
  xmpp_load send --to "$BOB" --count "$XMPP_COUNT" --prefix xmpp-load --linger "$PHASE_TIMEOUT_S" \
    --done-file "$RUN/x2s.done" > "$RUN/x2s-sent.json" 2>&1 &
  local sender=$!
  wait_bob_stalled xmpp-load "$XMPP_COUNT"
  X2S_MS=$((($(date +%s%N) - t0) / 1000000))
  touch "$RUN/x2s.done"
  wait $sender
  X2S_SENDER=$?
  cat "$RUN/x2s-sent.json"
  X2S_SENT=$(json "$RUN/x2s-sent.json" sent)
  X2S_BOUNCED=$(json "$RUN/x2s-sent.json" errors)
  X2S_DELIVERED=$("$PY" -c '
import sys
seen = set()
for line in open(sys.argv[1], errors="replace"):
    parts = line.rstrip("\r\n").split("|")
    if len(parts) >= 4 and parts[0] == "MESSAGE" and parts[3].startswith("xmpp-load #"):
        seen.add(parts[3])
print(len(seen))' "$BOB_LOG")
  local lost=$((X2S_SENT - X2S_DELIVERED - X2S_BOUNCED))
  echo "xmpp->sip: sent $X2S_SENT in one burst, delivered $X2S_DELIVERED, bounced $X2S_BOUNCED," \
    "lost $lost, $((X2S_MS / 1000)).$((X2S_MS % 1000 / 100)) s"
  [ "$X2S_SENDER" -eq 0 ] && [ "$X2S_SENT" -eq "$XMPP_COUNT" ] && [ "$X2S_BOUNCED" -eq 0 ]
}

# Every xmpp-load message once at bob's UA, From alice To bob, exact body (the warm-up lines
# carry another prefix and are not counted).
xmpp_to_sip_delivered() {
  "$PY" -c '
import collections, sys
log, count, alice, bob = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
seen, wrong = collections.Counter(), []
for line in open(log, errors="replace"):
    parts = line.rstrip("\r\n").split("|")
    if len(parts) < 4 or not parts[3].startswith("xmpp-load #"):
        continue
    if parts[1] != "sip:" + alice or parts[2] != "sip:" + bob:
        wrong.append(line.strip())
    seen[parts[3]] += 1
missing = [i for i in range(1, count + 1) if seen["xmpp-load #%d" % i] == 0]
dups = sum(n - 1 for n in seen.values())
print({"expected": count, "delivered": len(seen), "missing_count": len(missing),
       "missing": missing[:10], "duplicates": dups, "wrong_from_or_to": wrong[:5]})
sys.exit(0 if not missing and not dups and not wrong and len(seen) == count else 1)
' "$BOB_LOG" "$XMPP_COUNT" "$ALICE" "$BOB"
}

# quiet_logs: lines each daemon wrote while the load ran.
quiet_logs() {
  local edge=$(($(log_lines "$RUN/edge/edge.log") - EDGE_LINES0))
  local gw=$(($(log_lines "$RUN/gateway/gateway.log") - GW_LINES0))
  echo "log lines at info during $((SIP_COUNT + XMPP_COUNT)) messages: edge $edge, gateway $gw"
  [ "$edge" -lt "$MAX_LOG_LINES" ] && [ "$gw" -lt "$MAX_LOG_LINES" ]
}

daemons_report() {
  kill -0 "$EDGE_PID" && kill -0 "$GATEWAY_PID" || { echo "a daemon has exited"; return 1; }
  kill -USR1 "$EDGE_PID" "$GATEWAY_PID" || return 1
  local i
  for i in $(seq 50); do
    grep -q 'status: counters' "$RUN/gateway/gateway.log" &&
      grep -q 'status: counters' "$RUN/edge/edge.log" && break
    sleep 0.1
  done
  grep 'status:' "$RUN/edge/edge.log" "$RUN/gateway/gateway.log"
  grep -q 'status: counters' "$RUN/gateway/gateway.log" &&
    grep -q 'status: counters' "$RUN/edge/edge.log"
}

readonly CHECK_S2X="$SIP_COUNT SIP MESSAGEs $BOB -> $ALICE at $SIP_RATE/s all answered 2xx, none 503"
readonly CHECK_S2X_DELIVERED="all $SIP_COUNT arrive at $ALICE, each once, from $BOB"
readonly CHECK_X2S="$XMPP_COUNT messages $ALICE -> $BOB in one burst, none bounced"
readonly CHECK_X2S_DELIVERED="all $XMPP_COUNT arrive at the SIP UA, each once, From/To/body exact"
readonly CHECK_LOGS="no log line per message at info on either daemon"
readonly CHECK_ALIVE="both daemons running; SIGUSR1 reports their counters"

if [ $up -eq 1 ]; then
  check "warm-up: s2s streams both ways and the SIP next hop open" warm_up
  EDGE_LINES0=$(log_lines "$RUN/edge/edge.log")
  GW_LINES0=$(log_lines "$RUN/gateway/gateway.log")
  log "sip -> xmpp: $SIP_COUNT MESSAGEs at $SIP_RATE/s"
  check "$CHECK_S2X" sip_to_xmpp
  check "$CHECK_S2X_DELIVERED" sip_to_xmpp_delivered
  log "xmpp -> sip: $XMPP_COUNT messages in one burst"
  check "$CHECK_X2S" xmpp_to_sip
  check "$CHECK_X2S_DELIVERED" xmpp_to_sip_delivered
  check "$CHECK_LOGS" quiet_logs
  check "$CHECK_ALIVE" daemons_report
  grep -h -E '^(sip->xmpp|xmpp->sip|log lines)' "$RUN"/checks/*.log
else
  for name in "$CHECK_S2X" "$CHECK_S2X_DELIVERED" "$CHECK_X2S" "$CHECK_X2S_DELIVERED" \
    "$CHECK_LOGS" "$CHECK_ALIVE"; do
    fail "$name (not run: setup failed)"
  done
fi

finish
