#!/bin/bash
# Fault tests (label fault): chat messages from a Prosody user to a SIP user in one burst while
# a component fails and comes back. Prints sent / delivered / duplicates / bounced / lost and
# asserts that, for an outage within the relay's hold bounds, nothing is lost or bounced.
# Delivery is at least once: a message the SIP UA took whose 200 had not reached the gateway
# when it died is sent again by the edge (the new gateway's MESSAGE has a new Call-ID, so the UA
# cannot recognise it). Their number depends on how many transactions were in flight, so the
# test asserts where duplicates come from, not how many: every duplicate was first delivered
# before the new gateway started.
#   gateway_kill  the gateway is killed (SIGKILL) mid-stream and started again 1 s later: the
#                 edge holds what the gateway had not acknowledged and sends it to the new one.
# shellcheck source=tests/interop/lib.sh
source "$(dirname "$0")/lib.sh"
enter_sandbox "$0" "$@"
readonly SCENARIO=${1:?usage: fault_test.sh gateway_kill}
harness_init "interop_fault_$SCENARIO"

readonly COUNT=${XMPPFED_FAULT_COUNT:-10000}
readonly KILL_AFTER=${XMPPFED_FAULT_KILL_AFTER:-1500}  # delivered messages before the fault
readonly ALICE=alice@$PARTNER_DOMAIN
readonly BOB=bob@$SIP_DOMAIN
readonly TIMEOUT_S=120
export XMPPFED_LOG_LEVEL=info

check "sandbox has only loopback" in_sandbox
check "peers and xmppfed started (bob registered, relay link up)" start_alice_bob
BOB_LOG=$RUN/uas-bob/messages.log

warm_up() {
  xmpp_load send --to "$BOB" --count 3 --prefix warm --linger 1 > "$RUN/warm.json" &&
    sip_messages_arrived "$BOB_LOG" "$ALICE" "$BOB" warm 3 30
}

# fault_run: the burst, the fault once KILL_AFTER messages arrived, and the count.
fault_run() {
  rm -f "$RUN/sent.done"
  xmpp_load send --to "$BOB" --count "$COUNT" --prefix fault --linger "$TIMEOUT_S" \
    --done-file "$RUN/sent.done" > "$RUN/sent.json" 2>&1 &
  local sender=$! i
  for ((i = 0; i < TIMEOUT_S * 10; i++)); do
    [ "$(messages_at_uas "$BOB_LOG" fault)" -ge "$KILL_AFTER" ] && break
    sleep 0.1
  done
  local at=$(messages_at_uas "$BOB_LOG" fault)
  case $SCENARIO in
    gateway_kill)
      kill -KILL "$GATEWAY_PID"
      log "gateway killed with $at message(s) at the SIP UA"
      sleep 1
      # Everything at the UA so far came from the dead gateway.
      wc -l < "$BOB_LOG" > "$RUN/before-restart.lines"
      spawn_gateway gateway-2
      log "gateway started again"
      ;;
  esac
  # Until every message arrived, or nothing moved for 20 s.
  local last=-1 still=0 n
  for ((i = 0; i < TIMEOUT_S * 5; i++)); do
    n=$(messages_at_uas "$BOB_LOG" fault)
    [ "$n" -ge "$COUNT" ] && break
    if [ "$n" -eq "$last" ]; then
      still=$((still + 1))
      [ $still -ge 100 ] && break
    else
      still=0
      last=$n
    fi
    sleep 0.2
  done
  sleep 2  # Duplicates and late bounces.
  touch "$RUN/sent.done"
  wait $sender
  "$PY" -c '
import collections, json, sys
log, count, sent_json = sys.argv[1], int(sys.argv[2]), sys.argv[3]
restart_line = int(open(sys.argv[5]).read().strip() or 0)
seen, first_line = collections.Counter(), {}
for number, line in enumerate(open(log, errors="replace"), 1):
    parts = line.rstrip("\r\n").split("|")
    if len(parts) >= 4 and parts[3].startswith("fault #"):
        seen[parts[3]] += 1
        first_line.setdefault(parts[3], number)
try:
    bounced = json.load(open(sent_json)).get("errors", 0)
    conditions = json.load(open(sent_json)).get("conditions", {})
except Exception:
    bounced, conditions = -1, {}
delivered = len(seen)
dups = sum(n - 1 for n in seen.values())
late = [m for m, n in seen.items() if n > 1 and first_line[m] > restart_line]
lost = count - delivered - max(bounced, 0)
print("fault %s: sent %d, delivered %d, duplicates %d (%d first delivered after the restart), "
      "bounced %d %s, lost %d"
      % (sys.argv[4], count, delivered, dups, len(late), bounced, conditions, lost))
sys.exit(0 if delivered == count and bounced == 0 and not late else 1)
' "$BOB_LOG" "$COUNT" "$RUN/sent.json" "$SCENARIO" "$RUN/before-restart.lines"
}

gateway_alive() { kill -0 "$GATEWAY_PID" && kill -0 "$EDGE_PID"; }

if [ "$FAILED" -eq 0 ]; then
  check "warm-up: the s2s stream and the SIP next hop open" warm_up
  check "$COUNT messages through $SCENARIO: all delivered, none bounced, none lost, duplicates only of messages the dead gateway delivered" fault_run
  check "both daemons running afterwards" gateway_alive
  grep -h '^fault ' "$RUN"/checks/*.log
  grep -h 'sent again\|holding' "$RUN/edge/edge.log" | head -5
else
  fail "fault run (not run: setup failed)"
fi
finish
