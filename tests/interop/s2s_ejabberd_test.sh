#!/bin/bash
# Federation with ejabberd (Debian's package, the second XMPP implementation) through edge and
# gateway, one message each way:
#   alice@xmpp.example --ejabberd--s2s--> edge --relay--> gateway --> Kamailio --> SIPp bob
#   SIPp bob --> Kamailio --> gateway --> edge --s2s--> ejabberd --> alice
#   certauth: ejabberd without mod_s2s_dialback (certificates only), trusting the edge's CA; the
#             edge trusts ejabberd's CA. Both streams must be authenticated by SASL EXTERNAL.
#   dialback: ejabberd with mod_s2s_dialback and no trust in the edge's CA; the edge trusts no
#             ejabberd certificate either. Both streams must be authenticated by dialback.
# ejabberd takes the place of Prosody (xmpp.example on 127.0.0.2, as lib.sh and the harness's
# DNS have it). It runs as a plain, non-distributed Erlang node (no epmd, no ejabberdctl, no
# system service) with its config, spool and log in the run directory; alice is registered by
# an -eval at start-up. Start-up to listening: 1.7 s on an idle 2-core machine, 34-38 s
# measured while two C++ builds ran on it (hence EJABBERD_START_TIMEOUT_S).
# Seen on the way: ejabberd offers SASL EXTERNAL on its inbound streams even when it does not
# trust the peer's CA, then answers <failure><not-authorized/>; the edge falls back to
# dialback on the same stream (the dialback cell shows it in the edge's log).
# shellcheck source=tests/interop/lib.sh
source "$(dirname "$0")/lib.sh"
enter_sandbox "$0" "$@"
scenario=${1:?usage: s2s_ejabberd_test.sh certauth|dialback}
case $scenario in certauth | dialback) ;; *) echo "unknown scenario $scenario" >&2; exit 2 ;; esac
harness_init "interop_s2s_ejabberd_$scenario"

readonly ALICE=alice@$PARTNER_DOMAIN
readonly BOB=bob@$SIP_DOMAIN
readonly EJABBERD_IP=$PROSODY_IP
# Erlang boots slowly on a busy machine: ejabberd gets more than the other daemons.
readonly EJABBERD_START_TIMEOUT_S=60
readonly DELIVERY_TIMEOUT_S=30
how=sasl-external
[ "$scenario" = dialback ] && how=dialback

edge_log_says() {
  grep -qF "$1" "$RUN/edge/edge.log" || { echo "edge log lacks: $1" >&2; return 1; }
}

# start_ejabberd: ejabberd for PARTNER_DOMAIN on EJABBERD_IP, with alice registered.
start_ejabberd() {
  local cfg ca=$CERTS_INTERNAL/ca.crt t0
  [ "$scenario" = dialback ] && ca=$CERTS_PARTNER/ca.crt
  cfg=$("$HARNESS/ejabberd-gen.sh" "$RUN/ejabberd" "$PARTNER_DOMAIN" "$EJABBERD_IP" "$scenario" \
    "$CERTS_PARTNER" "$ca") || return 1
  t0=$(date +%s%N)
  spawn ejabberd "$RUN/ejabberd/stdout.log" env EJABBERD_CONFIG_PATH="$cfg" \
    EJABBERD_LOG_PATH="$RUN/ejabberd/log/ejabberd.log" ERL_LIBS=/usr/lib/x86_64-linux-gnu \
    HOME="$RUN/ejabberd" erl -noinput -mnesia dir "\"$RUN/ejabberd/spool\"" \
    -eval "{ok, _} = application:ensure_all_started(ejabberd),
           ok = ejabberd_auth:try_register(<<\"alice\">>, <<\"$PARTNER_DOMAIN\">>, <<\"alicepw\">>)."
  add_log ejabberd "$RUN/ejabberd/stdout.log"
  add_log ejabberd-log "$RUN/ejabberd/log/ejabberd.log"
  wait_port "$EJABBERD_IP" 5222 tcp "$EJABBERD_START_TIMEOUT_S" "$SPAWNED_PID" &&
    wait_port "$EJABBERD_IP" "$S2S_PORT" tcp "$EJABBERD_START_TIMEOUT_S" "$SPAWNED_PID" ||
    return 1
  log "ejabberd listening after $((($(date +%s%N) - t0) / 1000000)) ms"
}

check "sandbox has only loopback" in_sandbox
setup() {
  make_certs && start_dnsmasq && start_ejabberd && start_kamailio &&
    start_sipp_uas uas-bob "$UAS_IP" "$UAS_PORT" && sip_register bob "$UAS_IP:$UAS_PORT"
}
check "peers started (dnsmasq, ejabberd $scenario, kamailio, sipp UAS)" setup
[ "$scenario" = certauth ] && EDGE_TEMPLATE=$SOURCE_DIR/tests/interop/conf/edge-certauth.json.in
check "xmppfed started (edge, gateway, relay link up)" start_xmppfed

check "a message $ALICE -> $BOB sent, no error bounced" \
  xmpp_messages_sent "$ALICE" alicepw "$BOB" 1 ejabberd-in
check "it arrives at the SIP UA, once, exact From/To/body" \
  sip_messages_arrived "$RUN/uas-bob/messages.log" "$ALICE" "$BOB" ejabberd-in 1 \
  "$DELIVERY_TIMEOUT_S"
check "a SIP MESSAGE $BOB -> $ALICE answered and arrives, once, exact body" \
  sip_messages_to_xmpp "$BOB" "$ALICE" alicepw ejabberd-out 1 "$DELIVERY_TIMEOUT_S"
check "the edge authenticated ejabberd's stream by $how" \
  edge_log_says "authenticated $PARTNER_DOMAIN -> $SIP_DOMAIN by $how"
check "ejabberd authenticated the edge's stream by $how" \
  edge_log_says "authenticated $SIP_DOMAIN -> $PARTNER_DOMAIN by $how"
finish
