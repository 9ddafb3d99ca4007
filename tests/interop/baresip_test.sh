#!/bin/bash
# Interop test: a real SIP client, baresip (headless, driven through its ctrl_tcp module),
# registered at Kamailio, with a Prosody user through xmppfed:
#
#   alice@xmpp.example (slixmpp) -- Prosody -- edge -- gateway -- Kamailio -- baresip
#                                                                  bob@sip.example, 127.0.0.8
#
#   baresip_test.sh TRANSPORT   (tcp or udp: baresip's transport to Kamailio)
#
# baresip registers with +sip.instance and gets a GRUU from Kamailio, which it uses as its
# Contact: the gateway's in-dialog NOTIFYs reach it only if Kamailio resolves GRUUs.
# Checks, in order:
#   1. baresip registers (with +sip.instance, so Kamailio gives it a GRUU);
#   2. alice subscribes to bob: 'subscribed' and bob available (baresip is the notifier);
#   3. baresip subscribes to alice (its contact has presence=p2p): alice gets 'subscribe' and
#      accepts; baresip shows her online;
#   4. chat both ways: baresip answers alice's MESSAGE 200, bob's arrives at alice; the
#      gateway's NOTIFYs reached baresip through its GRUU;
#   5. baresip quits: alice sees bob unavailable, gets no 'unsubscribe'/'unsubscribed', and
#      Prosody's roster still has bob with subscription 'both';
#   6. baresip starts again: alice sees bob available again without a new request, and the
#      roster is still 'both'.
#
# Environment as chat_test.sh (XMPPFED_EDGE_BIN, XMPPFED_GATEWAY_BIN, XMPPFED_RUN_DIR).
# shellcheck source=tests/interop/lib.sh
source "$(dirname "$0")/lib.sh"
enter_sandbox "$0" "$@"
readonly TRANSPORT=${1:?usage: baresip_test.sh tcp|udp}
harness_init "interop_baresip_$TRANSPORT"

readonly ALICE=alice@$PARTNER_DOMAIN
readonly BOB=bob@$SIP_DOMAIN
readonly BARESIP_IP=127.0.0.8
readonly BARESIP_SIP_PORT=5090
readonly BARESIP_CTRL_PORT=4444
readonly SYNC=$RUN/sync
# Seconds a presence or message may take end to end (s2s and relay set-up included).
readonly STEP_TIMEOUT_S=30

check "sandbox has only loopback" in_sandbox

setup() {
  make_certs && start_dnsmasq && start_prosody dialback && xmpp_register alice alicepw &&
    start_kamailio
}
check "peers started (dnsmasq, prosody, kamailio)" setup
[ "$FAILED" -eq 0 ] && check "xmppfed started" start_xmppfed
[ "$FAILED" -eq 0 ] || finish

# baresip's configuration: SIP on BARESIP_IP, control on loopback, no audio devices needed.
mkdir -p "$RUN/baresip" "$SYNC"
cat > "$RUN/baresip/config" <<CONF
poll_method		epoll
net_interface		$BARESIP_IP
dns_server		$DNS_IP:53
sip_listen		$BARESIP_IP:$BARESIP_SIP_PORT
module_path		/usr/lib/baresip/modules
module			uuid.so
module			g711.so
module			ausine.so
module			aufile.so
module_app		account.so
module_app		contact.so
module_app		menu.so
module_app		ctrl_tcp.so
module_app		presence.so
ctrl_tcp_listen		127.0.0.1:$BARESIP_CTRL_PORT
audio_player		aufile,/dev/null
audio_source		ausine,440
audio_alert		aufile,/dev/null
CONF
cat > "$RUN/baresip/accounts" <<CONF
<sip:$BOB;transport=$TRANSPORT>;outbound="sip:$KAMAILIO_IP:$SIP_PORT;transport=$TRANSPORT";regint=600;sipnat=outbound;pubint=0
CONF
cat > "$RUN/baresip/contacts" <<CONF
"Alice" <sip:$ALICE>;presence=p2p
CONF
BARESIP_RUNS=0

start_baresip() {
  BARESIP_RUNS=$((BARESIP_RUNS + 1))
  BARESIP_LOG=$RUN/baresip/baresip-$BARESIP_RUNS.log
  spawn baresip "$BARESIP_LOG" baresip -f "$RUN/baresip" -v
  BARESIP_PID=$SPAWNED_PID
  add_log "baresip-$BARESIP_RUNS" "$BARESIP_LOG"
  wait_port 127.0.0.1 "$BARESIP_CTRL_PORT" tcp "$START_TIMEOUT_S" "$BARESIP_PID"
}

ctl() { "$PY" "$SCRIPTS/baresip_ctl.py" --port "$BARESIP_CTRL_PORT" "$@"; }

# registered: baresip's registration info says it is registered (OK).
registered() {
  local i
  for i in $(seq 50); do
    ctl reginfo | grep -q 'OK' && return 0
    sleep 0.2
  done
  ctl reginfo
  return 1
}

# log_has REGEX: baresip's current log has a line matching it, within STEP_TIMEOUT_S.
log_has() {
  local i
  for i in $(seq $((STEP_TIMEOUT_S * 5))); do
    grep -Eq -- "$1" "$BARESIP_LOG" && return 0
    sleep 0.2
  done
  echo "no line matching '$1' in $BARESIP_LOG:"
  tail -n 30 "$BARESIP_LOG"
  return 1
}

check "baresip ($TRANSPORT) started" start_baresip
check "baresip registered at Kamailio" registered
# baresip's own presence starts unknown ('?' in its PIDF, which the gateway refuses): a user
# sets it, as here.
check "bob sets his presence online" ctl presence_online

# alice runs in the background for the whole test, synchronised through files in SYNC.
ALICE_OUT=$RUN/alice.json
"$PY" "$SCRIPTS/xmpp_presence.py" --jid "$ALICE" --password alicepw --addr "$PROSODY_IP" \
  --timeout "$STEP_TIMEOUT_S" --linger 0 \
  --step "show:none:At my desk" \
  --step "subscribe:$BOB" --step "expect:subscribed:$BOB" --step "expect:available:$BOB" \
  --step "touch:$SYNC/alice-sees-bob" \
  --step "expect:subscribe:$BOB" --step "subscribed:$BOB" \
  --step "message:$BOB:hello bob from alice" \
  --step "expect-message:$BOB:hello alice from bob" \
  --step "touch:$SYNC/chat-done" --step "mark" \
  --step "wait-file:$SYNC/bob-quit" \
  --step "expect:unavailable:$BOB" --step "roster:$BOB:both" \
  --step "touch:$SYNC/alice-saw-quit" --step "mark" \
  --step "wait-file:$SYNC/bob-back" \
  --step "expect:available:$BOB" --step "roster:$BOB:both" \
  --step "reject-others:unsubscribe:$BOB" --step "reject-others:unsubscribed:$BOB" \
  > "$ALICE_OUT" 2> "$RUN/alice.err" &
ALICE_PID=$!
PIDS+=("$ALICE_PID")
PID_NAMES+=(alice)
add_log alice-err "$RUN/alice.err"

check "alice subscribed to bob and sees him available (baresip notifies)" \
  wait_file "$SYNC/alice-sees-bob" "$STEP_TIMEOUT_S"
check "baresip shows alice online (its SUBSCRIBE, her 'subscribed', the gateway's NOTIFY)" \
  log_has '[Aa]lice.*([Oo]nline|[Oo]pen)'
check "bob -> alice: baresip sends a MESSAGE" ctl message "hello alice from bob"
# baresip 1.0 logs no received MESSAGE; its 200 (the gateway logs who answered) and
# Kamailio's routing to baresip's address show that the client took it.
check "alice -> bob: baresip answered the MESSAGE 200" \
  grep -q "message from $ALICE/[^ ]* to $BOB accepted by SIP (200)" "$RUN/gateway/gateway.log"
check "alice -> bob: Kamailio routed the MESSAGE to baresip" \
  grep -Eq "REQ MESSAGE sip:$BOB .*From=sip:$ALICE" "$RUN/kamailio/kamailio.log"
# baresip registered with +sip.instance and Kamailio gave it a GRUU, its Contact in dialogs:
# the gateway's NOTIFYs to baresip reach it only through Kamailio's GRUU lookup.
check "the gateway's NOTIFY to baresip went to its GRUU and Kamailio resolved it" \
  grep -Eq "GRUU resolved to sip:[^ ]*@$BARESIP_IP:$BARESIP_SIP_PORT" "$RUN/kamailio/kamailio.log"
check "alice got bob's message" wait_file "$SYNC/chat-done" "$STEP_TIMEOUT_S"

check "baresip quits" ctl quit
wait "$BARESIP_PID" 2>/dev/null
touch "$SYNC/bob-quit"
check "alice sees bob unavailable; her roster still has him as 'both'" \
  wait_file "$SYNC/alice-saw-quit" "$STEP_TIMEOUT_S"

check "baresip ($TRANSPORT) starts again" start_baresip
check "baresip registered again" registered
check "bob sets his presence online again" ctl presence_online
touch "$SYNC/bob-back"
alice_done() {
  wait "$ALICE_PID"
  local rc=$?
  cat "$ALICE_OUT"
  return $rc
}
check "alice sees bob available again, roster 'both', no unsubscribe or unsubscribed" alice_done
finish
