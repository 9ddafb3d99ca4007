# shellcheck shell=bash
# Shared plumbing of the interop tests (sourced by bash scripts in this directory).
#
# A test script does:
#   source "$(dirname "$0")/lib.sh"
#   enter_sandbox "$0" "$@"        # re-runs the script inside tests/harness/sandbox.sh
#   harness_init NAME              # run dir, cleanup trap
#   start_dnsmasq; start_prosody; start_kamailio; ...
#   check "what" command args...   # prints PASS/FAIL
#   finish                         # summary line; exit status 1 if any check failed
#
# Every daemon is started by spawn, which records its PID; cleanup (an EXIT trap) stops each by
# PID, and on failure prints the tail of every daemon's log. The run directory is kept for
# diagnosis until the next run of the same test:
#   ${XMPPFED_RUN_DIR:-/tmp/xmppfed-interop}/NAME
# Nothing here may reach beyond loopback: enter_sandbox refuses to continue outside a network
# namespace that has only loopback.

# shellcheck disable=SC2034  # the constants are used by the scripts that source this file
# Addresses of the topology (tests/harness/dns/dnsmasq.conf names the same ones).
readonly DNS_IP=127.0.0.53
readonly PROSODY_IP=127.0.0.2
readonly KAMAILIO_IP=127.0.0.4
readonly UAS_IP=127.0.0.6
readonly UAS_PORT=5070
readonly UAC_IP=127.0.0.7
readonly EDGE_IP=127.0.0.10
readonly GATEWAY_IP=127.0.0.11
readonly PARTNER_DOMAIN=xmpp.example   # the federated XMPP server (Prosody)
readonly SIP_DOMAIN=sip.example        # the SIP platform; also the XMPP domain xmppfed hosts
readonly S2S_PORT=5269
readonly RELAY_PORT=23456
readonly SIP_PORT=5060

# Seconds a daemon gets to open its listening socket.
readonly START_TIMEOUT_S=15
# Seconds between the relay link's TCP connection and the first test stanza (TLS + handshake).
readonly RELAY_SETTLE_S=1
# Lines of each daemon's log shown when a test fails.
readonly LOG_TAIL_LINES=25
# What AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer print when they find something.
readonly SANITIZER_REPORT='==[0-9]+==ERROR: (Address|Leak)Sanitizer|: runtime error: '

SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HARNESS=$SOURCE_DIR/tests/harness
PY=/usr/bin/python3            # Debian's python3-slixmpp lives there, not in a pyenv
export PYTHONDONTWRITEBYTECODE=1   # no __pycache__ in the source tree
SCRIPTS=$HARNESS/scripts

PIDS=()        # every process spawn started, stopped by cleanup in reverse order
PID_NAMES=()
LOGS=()        # "name=path" of every daemon log, shown on failure
PASSED=0
FAILED=0

# ---------------------------------------------------------------------------------------------
# Sandbox

in_sandbox() {
  [ -n "${XMPPFED_SANDBOX:-}" ] || return 1
  [ "$(ip netns identify $$ 2>/dev/null)" = "$XMPPFED_SANDBOX" ] || return 1
  # Only loopback: then no packet of the test can leave the machine.
  [ -z "$(ip -o link show | awk -F': ' '$2 != "lo"')" ]
}

# enter_sandbox SCRIPT ARGS...: re-execs SCRIPT inside the sandbox unless already there.
enter_sandbox() {
  local script
  script=$(readlink -f "$1")
  shift
  if in_sandbox; then
    return 0
  fi
  if [ -n "${XMPPFED_SANDBOX:-}" ]; then
    echo "FAIL: XMPPFED_SANDBOX is set but this is not a loopback-only namespace" >&2
    exit 1
  fi
  exec "$HARNESS/sandbox.sh" "$script" "$@"
}

# ---------------------------------------------------------------------------------------------
# Run directory, processes, cleanup

# harness_init NAME: creates the run directory RUN and installs the cleanup trap.
harness_init() {
  local name=${1:?test name}
  local base=${XMPPFED_RUN_DIR:-/tmp/xmppfed-interop}
  RUN=$base/$name
  # Remove only what an earlier run of this harness created (it leaves a marker file).
  if [ -e "$RUN" ]; then
    if [ -f "$RUN/.xmppfed-run" ]; then
      rm -rf "$RUN"
    else
      echo "FAIL: $RUN exists and was not made by this harness; not touching it" >&2
      exit 1
    fi
  fi
  mkdir -p "$RUN"
  touch "$RUN/.xmppfed-run"
  T0=$(date +%s%N)
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  log "run dir $RUN (namespace $XMPPFED_SANDBOX)"
}

# log MESSAGE: a progress line with the seconds since harness_init.
log() {
  local ms=$((($(date +%s%N) - T0) / 1000000))
  printf '[%3d.%03ds] %s\n' $((ms / 1000)) $((ms % 1000)) "$*"
}

# spawn NAME LOGFILE CMD ARGS...: starts CMD in the background, stdout+stderr to LOGFILE.
# Sets SPAWNED_PID. The caller names the logs worth showing on failure (add_log).
spawn() {
  local name=$1 logfile=$2
  shift 2
  mkdir -p "$(dirname "$logfile")"
  "$@" > "$logfile" 2>&1 < /dev/null &
  SPAWNED_PID=$!
  PIDS+=("$SPAWNED_PID")
  PID_NAMES+=("$name")
}

# add_log NAME PATH: one more log to show when the test fails.
add_log() { LOGS+=("$1=$2"); }

# stop_pid PID: TERM, up to 3 s to exit, then KILL. Only for processes spawn started.
stop_pid() {
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
  kill -TERM "$pid" 2>/dev/null
  for i in $(seq 30); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}

# cleanup: the EXIT trap. Stops everything spawn started, newest first, and shows logs on failure.
cleanup() {
  local rc=$? i entry
  trap - EXIT INT TERM
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    stop_pid "${PIDS[i]}"
  done
  # A sanitizer build reports into the daemon's log, often only at exit (leaks): any report
  # fails the test, whatever its checks said.
  for entry in "${LOGS[@]}"; do
    if [ -s "${entry#*=}" ] && grep -qE "$SANITIZER_REPORT" "${entry#*=}"; then
      echo "FAIL: sanitizer report in the ${entry%%=*} log:"
      grep -E -m 5 -A 12 "$SANITIZER_REPORT" "${entry#*=}" | awk '{print "    " $0}'
      FAILED=$((FAILED + 1))
      [ "$rc" -eq 0 ] && rc=1
    fi
  done
  if [ "$rc" -ne 0 ] || [ "$FAILED" -ne 0 ]; then
    for entry in "${LOGS[@]}"; do
      [ -s "${entry#*=}" ] || continue
      echo "----- ${entry%%=*}: tail of ${entry#*=}"
      tail -n "$LOG_TAIL_LINES" "${entry#*=}"
    done
    echo "----- run dir kept: $RUN"
  fi
  exit "$rc"
}

# ---------------------------------------------------------------------------------------------
# Checks

pass() { echo "PASS: $1"; PASSED=$((PASSED + 1)); }
fail() { echo "FAIL: $1"; FAILED=$((FAILED + 1)); }

# check NAME CMD ARGS...: runs CMD with its output in RUN/checks/N.log; PASS or FAIL, and on
# FAIL the last lines of that output.
check() {
  local name=$1 out
  shift
  mkdir -p "$RUN/checks"
  out=$RUN/checks/$((PASSED + FAILED + 1)).log
  if "$@" > "$out" 2>&1; then
    pass "$name"
  else
    fail "$name"
    tail -n 15 "$out" | awk '{print "    " $0}'
  fi
}

# fails CMD ARGS...: succeeds when CMD fails (for checks that something is refused).
fails() { ! "$@"; }

# finish: the summary line; exits 0 only when every check passed (and there was one).
finish() {
  log "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ] && exit 0
  exit 1
}

# ---------------------------------------------------------------------------------------------
# Waiting

# wait_port IP PORT [tcp|udp] [SECONDS] [PID]: until something listens there; with PID, gives
# up as soon as that process has exited.
wait_port() {
  local ip=$1 port=$2 proto=${3:-tcp} secs=${4:-$START_TIMEOUT_S} pid=${5:-} i flag=-ltnH
  [ "$proto" = udp ] && flag=-lunH
  for ((i = 0; i < secs * 10; i++)); do
    ss $flag | awk '{print $4}' | grep -qx "$ip:$port" && return 0
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      echo "process $pid exited before listening on $proto $ip:$port" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "nothing listens on $proto $ip:$port after ${secs}s" >&2
  return 1
}

# wait_established DST_IP DST_PORT [SECONDS] [PID]: until a TCP connection to DST is up (from
# any local address: a daemon need not bind its outgoing sockets); with PID, gives up as soon
# as that process has exited.
wait_established() {
  local dst=$1 port=$2 secs=${3:-$START_TIMEOUT_S} pid=${4:-} i
  for ((i = 0; i < secs * 10; i++)); do
    ss -tnH state established | awk '{print $4}' | grep -qx "$dst:$port" && return 0
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      echo "process $pid exited before connecting to $dst:$port" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "no TCP connection to $dst:$port after ${secs}s" >&2
  return 1
}

# wait_file PATH [SECONDS]
wait_file() {
  local path=$1 secs=${2:-$START_TIMEOUT_S} i
  for ((i = 0; i < secs * 10; i++)); do
    [ -e "$path" ] && return 0
    sleep 0.1
  done
  echo "$path did not appear after ${secs}s" >&2
  return 1
}

# ---------------------------------------------------------------------------------------------
# Certificates

# make_certs: RUN/certs/internal (CA, edge.internal, gateway.internal, sip.example) for xmppfed,
# and RUN/certs/partner (another CA, xmpp.example) for Prosody: the partner's CA is not ours.
make_certs() {
  CERTS_INTERNAL=$RUN/certs/internal
  CERTS_PARTNER=$RUN/certs/partner
  "$SOURCE_DIR/deploy/make-certs.sh" "$CERTS_INTERNAL" "$SIP_DOMAIN" > "$RUN/certs.log" 2>&1 &&
    "$SOURCE_DIR/deploy/make-certs.sh" "$CERTS_PARTNER" --no-relay --ca-name "Partner test CA" \
      "$PARTNER_DOMAIN" >> "$RUN/certs.log" 2>&1 || { cat "$RUN/certs.log"; return 1; }
}

# make_fault_cert FAULT: RUN/certs/FAULT/PARTNER_DOMAIN.crt/.key, a partner certificate with one
# fault, and sets FAULT_CERTS to that directory. Signed by the partner CA (CERTS_PARTNER, so a
# peer that trusts it sees only the fault) except for untrusted. Needs make_certs.
#   expired        valid 2000-01-01 .. 2001-01-01
#   not-yet-valid  valid from 2100-01-01
#   misnamed       names wrong.example only (DNS-ID, SRV-ID and XmppAddr)
#   untrusted      self-signed
make_fault_cert() {
  local fault=$1 dir=$RUN/certs/$1 name=$PARTNER_DOMAIN san="DNS:$PARTNER_DOMAIN,DNS:*.$PARTNER_DOMAIN"
  mkdir -p "$dir/db"
  : > "$dir/db/index.txt"
  echo 1000 > "$dir/db/serial"
  [ "$fault" = misnamed ] &&
    san="DNS:wrong.example,otherName:1.3.6.1.5.5.7.8.7;IA5:_xmpp-server.wrong.example,otherName:1.3.6.1.5.5.7.8.5;UTF8:wrong.example"
  cat > "$dir/ca.cnf" <<EOT
[ca]
default_ca = fault_ca
[fault_ca]
database = $dir/db/index.txt
serial = $dir/db/serial
new_certs_dir = $dir/db
default_md = sha256
policy = any
copy_extensions = none
[any]
commonName = supplied
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = $san
EOT
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/$name.key" \
    -out "$dir/$name.csr" -subj "/CN=$name" 2>> "$RUN/certs.log" || return 1
  local dates=()
  case $fault in
    expired) dates=(-startdate 20000101000000Z -enddate 20010101000000Z) ;;
    not-yet-valid) dates=(-startdate 21000101000000Z -enddate 21010101000000Z) ;;
    misnamed) dates=(-days 30) ;;
    untrusted)
      openssl x509 -req -in "$dir/$name.csr" -signkey "$dir/$name.key" -days 30 \
        -extfile "$dir/ca.cnf" -extensions leaf -out "$dir/$name.crt" 2>> "$RUN/certs.log" ||
        return 1
      ;;
    *) echo "make_fault_cert: unknown fault $fault" >&2; return 1 ;;
  esac
  if [ "$fault" != untrusted ]; then
    openssl ca -batch -config "$dir/ca.cnf" -cert "$CERTS_PARTNER/ca.crt" \
      -keyfile "$CERTS_PARTNER/ca.key" -in "$dir/$name.csr" "${dates[@]}" -extensions leaf \
      -notext -out "$dir/$name.crt" >> "$RUN/certs.log" 2>&1 || return 1
  fi
  chmod 644 "$dir/$name.key" "$dir/$name.crt"
  FAULT_CERTS=$dir
}

# ---------------------------------------------------------------------------------------------
# Daemons

# start_dnsmasq [CONF]: dnsmasq on DNS_IP with CONF (default tests/harness/dns/dnsmasq.conf).
start_dnsmasq() {
  local conf=${1:-$HARNESS/dns/dnsmasq.conf}
  spawn dnsmasq "$RUN/dnsmasq/stdout.log" dnsmasq --conf-file="$conf" \
    --pid-file="$RUN/dnsmasq/dnsmasq.pid" --keep-in-foreground --user=root \
    --log-facility="$RUN/dnsmasq/dnsmasq.log"
  add_log dnsmasq "$RUN/dnsmasq/stdout.log"
  add_log dnsmasq-queries "$RUN/dnsmasq/dnsmasq.log"
  wait_port "$DNS_IP" 53 udp "$START_TIMEOUT_S" "$SPAWNED_PID"
}

# start_prosody [MODE]: Prosody for PARTNER_DOMAIN on PROSODY_IP (MODE dialback by default).
# Needs make_certs. Sets PROSODY_CFG for xmpp_register. PROSODY_CERTS (default CERTS_PARTNER)
# names the directory of its certificate; in MODE secure it trusts PROSODY_CAFILE (default that
# directory's ca.crt).
start_prosody() {
  local mode=${1:-dialback}
  PROSODY_CFG=$("$HARNESS/prosody-gen.sh" "$RUN/prosody" "$PARTNER_DOMAIN" "$PROSODY_IP" "$mode" \
    "${PROSODY_CERTS:-$CERTS_PARTNER}" "${PROSODY_LOGLEVEL:-debug}" "${PROSODY_CAFILE:-}") ||
    return 1
  spawn prosody "$RUN/prosody/stdout.log" prosody --config "$PROSODY_CFG" -F
  add_log prosody "$RUN/prosody/stdout.log"
  add_log prosody-log "$RUN/prosody/prosody.log"
  wait_port "$PROSODY_IP" 5222 tcp "$START_TIMEOUT_S" "$SPAWNED_PID" &&
    wait_port "$PROSODY_IP" "$S2S_PORT" tcp "$START_TIMEOUT_S" "$SPAWNED_PID"
}

# xmpp_register USER PASSWORD: an account USER@PARTNER_DOMAIN (works before or after start).
xmpp_register() {
  prosodyctl --config "$PROSODY_CFG" register "$1" "$PARTNER_DOMAIN" "$2" >> "$RUN/prosody/register.log" 2>&1
}

start_kamailio() {
  mkdir -p "$RUN/kamailio"
  # ulimit -c 0: a crashing Kamailio may otherwise leave a large core file in /.
  spawn kamailio "$RUN/kamailio/kamailio.log" bash -c 'ulimit -c 0; exec "$@"' kamailio \
    kamailio -f "$HARNESS/kamailio.cfg" -P "$RUN/kamailio/kamailio.pid" -Y "$RUN/kamailio" \
    -DD -E -m 512 -M 16
  add_log kamailio "$RUN/kamailio/kamailio.log"
  wait_port "$KAMAILIO_IP" "$SIP_PORT" tcp "$START_TIMEOUT_S" "$SPAWNED_PID"
}

# start_sipp_uas NAME IP PORT: a SIPp UAS answering MESSAGE with 200, logging one line per
# message to RUN/NAME/messages.log (see tests/harness/sip/uas_message.xml). It runs until
# cleanup stops it. Sets UAS_LOG.
start_sipp_uas() {
  local name=$1 ip=$2 port=$3
  mkdir -p "$RUN/$name"
  UAS_LOG=$RUN/$name/messages.log
  : > "$UAS_LOG"
  # timeout: a SIPp once spun at full CPU past its own limits; this bounds any UAS's life.
  spawn "$name" "$RUN/$name/sipp.log" bash -c 'cd "$1" && shift && exec "$@"' sipp "$RUN/$name" \
    timeout 900 sipp -sf "$HARNESS/sip/uas_message.xml" -i "$ip" -p "$port" -t t1 -nostdin \
    -trace_logs -log_file "$UAS_LOG" -trace_err -error_file "$RUN/$name/errors.log"
  add_log "$name-messages" "$UAS_LOG"
  add_log "$name-errors" "$RUN/$name/errors.log"
  # SIPp's own output is mostly its statistics screen: show it only when it does not start.
  wait_port "$ip" "$port" tcp "$START_TIMEOUT_S" "$SPAWNED_PID" ||
    { tail -n 15 "$RUN/$name/sipp.log" >&2; return 1; }
}

# sipp_uac NAME REMOTE SCENARIO SIPP_ARGS...: one SIPp client run in the foreground from
# UAC_IP over TCP (SIPP_TRANSPORT=u1: UDP), output in RUN/NAME, statistics in RUN/NAME/stat.csv;
# returns SIPp's exit status (0 = every call succeeded).
sipp_uac() {
  local name=$1 remote=$2 scenario=$3
  shift 3
  mkdir -p "$RUN/$name"
  add_log "$name-errors" "$RUN/$name/errors.log"
  (cd "$RUN/$name" && timeout 120 sipp "$remote" -sf "$HARNESS/sip/$scenario" -i "$UAC_IP" \
    -t "${SIPP_TRANSPORT:-t1}" -nostdin -trace_err -error_file "$RUN/$name/errors.log" \
    -trace_stat -stf "$RUN/$name/stat.csv" "$@") \
    > "$RUN/$name/sipp.log" 2>&1
  local rc=$?
  if [ $rc -ne 0 ]; then
    echo "sipp $scenario exited $rc; $RUN/$name/sipp.log and errors.log say:" >&2
    grep -E 'Successful call|Failed call' "$RUN/$name/sipp.log" | tail -n 2 >&2
    tail -n 12 "$RUN/$name/errors.log" 2>/dev/null | awk '{print}' >&2
  fi
  return $rc
}

# sip_register USER CONTACT: REGISTER USER@SIP_DOMAIN at Kamailio with CONTACT (ip:port, TCP).
sip_register() {
  sipp_uac "register-$1" "$KAMAILIO_IP:$SIP_PORT" uac_register.xml -s "$1" \
    -key domain "$SIP_DOMAIN" -key contact "$2" -m 1 -timeout 10
}

# ---------------------------------------------------------------------------------------------
# xmppfed (edge proxy + front-end gateway)
#
# The daemons are found through XMPPFED_EDGE_BIN and XMPPFED_GATEWAY_BIN (CTest sets them to
# the built targets). Their configs are written from tests/interop/conf/*.json.in: every
# @NAME@ is replaced by the value below, and a placeholder left over is an error.
#   @RUN_DIR@ @EDGE_IP@ @GATEWAY_IP@ @KAMAILIO_IP@ @DNS_IP@ @S2S_PORT@ @RELAY_PORT@ @SIP_PORT@
#   @HOSTED_DOMAIN@ @PARTNER_DOMAIN@ @INTERNAL_CERTS@ @PARTNER_CERTS@ @DIALBACK_SECRET@
#   @PARTNER_TYPE@ (the partner entry's partner_type: $PARTNER_TYPE, federated by default)
#   @LOG_LEVEL@ (both daemons' log_level: $XMPPFED_LOG_LEVEL, debug by default)
# Each daemon runs as: BIN --config FILE (override with XMPPFED_EDGE_ARGS / XMPPFED_GATEWAY_ARGS,
# where the word {config} stands for the file).

# render_conf TEMPLATE OUT: fills the placeholders; fails on one it does not know.
render_conf() {
  local template=$1 out=$2
  mkdir -p "$(dirname "$out")"
  sed -e "s|@RUN_DIR@|$RUN|g" \
      -e "s|@EDGE_IP@|$EDGE_IP|g" \
      -e "s|@GATEWAY_IP@|$GATEWAY_IP|g" \
      -e "s|@KAMAILIO_IP@|$KAMAILIO_IP|g" \
      -e "s|@DNS_IP@|$DNS_IP|g" \
      -e "s|@S2S_PORT@|$S2S_PORT|g" \
      -e "s|@RELAY_PORT@|$RELAY_PORT|g" \
      -e "s|@SIP_PORT@|$SIP_PORT|g" \
      -e "s|@HOSTED_DOMAIN@|$SIP_DOMAIN|g" \
      -e "s|@PARTNER_DOMAIN@|$PARTNER_DOMAIN|g" \
      -e "s|@INTERNAL_CERTS@|$CERTS_INTERNAL|g" \
      -e "s|@PARTNER_CERTS@|$CERTS_PARTNER|g" \
      -e "s|@DIALBACK_SECRET@|interop-dialback-secret-$$|g" \
      -e "s|@PARTNER_TYPE@|${PARTNER_TYPE:-federated}|g" \
      -e "s|@LOG_LEVEL@|${XMPPFED_LOG_LEVEL:-debug}|g" \
      "$template" > "$out" || return 1
  if grep -n '@[A-Z_]*@' "$out" >&2; then
    echo "render_conf: $template has placeholders lib.sh does not know (above)" >&2
    return 1
  fi
  "$PY" -c 'import json, sys; json.load(open(sys.argv[1]))' "$out" ||
    { echo "render_conf: $out is not valid JSON" >&2; return 1; }
}

# daemon_cmd BIN ARGS_TEMPLATE CONFIG: sets the array DAEMON_CMD to the command line.
daemon_cmd() {
  local bin=$1 args=$2 config=$3 word words
  read -r -a words <<< "$args"
  DAEMON_CMD=("$bin")
  for word in "${words[@]}"; do
    DAEMON_CMD+=("${word//\{config\}/$config}")
  done
}

# start_edge: the edge alone on EDGE_IP (s2s + relay listening); EDGE_PID is its pid. Needs
# make_certs. Its config comes from EDGE_TEMPLATE (default tests/interop/conf/edge.json.in).
start_edge() {
  local edge_bin=${XMPPFED_EDGE_BIN:-$SOURCE_DIR/build/edge-proxy/xmppfed-edge-proxy}
  [ -x "$edge_bin" ] || { echo "edge binary not found or not executable: $edge_bin" >&2; return 1; }
  render_conf "${EDGE_TEMPLATE:-$SOURCE_DIR/tests/interop/conf/edge.json.in}" "$RUN/edge/edge.json" ||
    return 1
  daemon_cmd "$edge_bin" "${XMPPFED_EDGE_ARGS:---config {config}}" "$RUN/edge/edge.json"
  spawn edge "$RUN/edge/edge.log" "${DAEMON_CMD[@]}"
  add_log edge "$RUN/edge/edge.log"
  EDGE_PID=$SPAWNED_PID
  wait_port "$EDGE_IP" "$S2S_PORT" tcp "$START_TIMEOUT_S" "$EDGE_PID" &&
    wait_port "$EDGE_IP" "$RELAY_PORT" tcp "$START_TIMEOUT_S" "$EDGE_PID"
}

# start_xmppfed: edge on EDGE_IP (s2s + relay), gateway on GATEWAY_IP (SIP), then waits until the
# gateway's relay link to the edge is up. Needs make_certs, start_dnsmasq and start_kamailio.
# The gateway's config comes from GATEWAY_TEMPLATE (default tests/interop/conf/gateway.json.in).
# spawn_gateway NAME: the gateway on the configuration start_xmppfed rendered, logging to
# $RUN/gateway/NAME.log (a second NAME after a fault test killed the first); sets GATEWAY_PID.
spawn_gateway() {
  local gw_bin=${XMPPFED_GATEWAY_BIN:-$SOURCE_DIR/build/frontend-gateway/xmppfed-frontend-gateway}
  daemon_cmd "$gw_bin" "${XMPPFED_GATEWAY_ARGS:---config {config}}" "$RUN/gateway/gateway.json"
  spawn "$1" "$RUN/gateway/$1.log" "${DAEMON_CMD[@]}"
  add_log "$1" "$RUN/gateway/$1.log"
  GATEWAY_PID=$SPAWNED_PID
}

# start_alice_bob: the peers of a chat between alice@PARTNER_DOMAIN (Prosody, dialback) and bob,
# a SIPp UAS registered at Kamailio, then both daemons.
start_alice_bob() {
  make_certs &&
    start_dnsmasq &&
    start_prosody dialback &&
    xmpp_register alice alicepw &&
    start_kamailio &&
    start_sipp_uas uas-bob "$UAS_IP" "$UAS_PORT" &&
    sip_register bob "$UAS_IP:$UAS_PORT" &&
    start_xmppfed
}

# xmpp_load MODE ARGS...: tests/harness/scripts/xmpp_load.py as alice on Prosody.
xmpp_load() {
  "$PY" "$SCRIPTS/xmpp_load.py" "$1" --addr "$PROSODY_IP" --jid "alice@$PARTNER_DOMAIN" \
    --password alicepw "${@:2}"
}

start_xmppfed() {
  local gw_bin=${XMPPFED_GATEWAY_BIN:-$SOURCE_DIR/build/frontend-gateway/xmppfed-frontend-gateway}
  [ -x "$gw_bin" ] || { echo "gateway binary not found or not executable: $gw_bin" >&2; return 1; }
  render_conf "${GATEWAY_TEMPLATE:-$SOURCE_DIR/tests/interop/conf/gateway.json.in}" \
    "$RUN/gateway/gateway.json" || return 1
  start_edge || return 1

  spawn_gateway gateway
  local gw_pid=$GATEWAY_PID
  wait_port "$GATEWAY_IP" "$SIP_PORT" tcp "$START_TIMEOUT_S" "$gw_pid" &&
    wait_established "$EDGE_IP" "$RELAY_PORT" "$START_TIMEOUT_S" "$gw_pid" || return 1
  # TCP is up before the TLS and relay handshakes are done: give those a moment.
  sleep "$RELAY_SETTLE_S"
}

# ---------------------------------------------------------------------------------------------
# Chat checks

# xmpp SCRIPT ARGS...: runs a harness script as a c2s client of Prosody.
xmpp() {
  local script=$1
  shift
  "$PY" "$SCRIPTS/$script" --addr "$PROSODY_IP" "$@"
}

# xmpp_messages_sent JID PASSWORD TO COUNT PREFIX: JID sends COUNT numbered chat messages with
# PREFIX to TO; fails on an error bounced back.
xmpp_messages_sent() {
  xmpp xmpp_send.py --jid "$1" --password "$2" --to "$3" --count "$4" --prefix "$5" --linger 2
}

# messages_at_uas LOG PREFIX: how many MESSAGEs in a SIPp UAS log carry a body with PREFIX.
messages_at_uas() { grep -c "^MESSAGE|.*|$2 #" "$1" 2>/dev/null; }

# wait_uas_messages LOG PREFIX N SECONDS: until N such messages are logged (then 1 s more, so
# that duplicates show up as well).
wait_uas_messages() {
  local log=$1 prefix=$2 n=$3 secs=$4 i
  for ((i = 0; i < secs * 10; i++)); do
    if [ "$(messages_at_uas "$log" "$prefix")" -ge "$n" ]; then
      sleep 1
      return 0
    fi
    sleep 0.1
  done
  return 0   # check_sip_log reports what is missing
}

# sip_messages_arrived LOG FROM TO PREFIX COUNT SECONDS: COUNT messages FROM -> TO with PREFIX
# arrive at the SIP UA whose log is LOG, each once, From sip:FROM, To sip:TO, exact body.
sip_messages_arrived() {
  local log=$1 from=$2 to=$3 prefix=$4 count=$5 secs=$6
  wait_uas_messages "$log" "$prefix" "$count" "$secs"
  "$PY" "$SCRIPTS/check_sip_log.py" --log "$log" --from-uri "sip:$from" \
    --to-uri "sip:$to" --prefix "$prefix" --count "$count"
}

# sip_messages_to_xmpp FROM JID PASSWORD PREFIX COUNT SECONDS: COUNT SIP MESSAGEs FROM (a SIP
# user) -> JID (a Prosody user, logged in first as the receiver) through Kamailio, each answered
# and arriving once with its exact body.
sip_messages_to_xmpp() {
  local from=$1 jid=$2 password=$3 prefix=$4 count=$5 secs=$6 receiver sent=1
  rm -f "$RUN/$prefix.ready"
  xmpp xmpp_receive.py --jid "$jid" --password "$password" --expect-from "$from" \
    --count "$count" --prefix "$prefix" --timeout "$secs" \
    --ready-file "$RUN/$prefix.ready" > "$RUN/$prefix.received.json" 2>&1 &
  receiver=$!
  if wait_file "$RUN/$prefix.ready"; then
    sipp_uac "uac-$prefix" "$KAMAILIO_IP:$SIP_PORT" uac_message.xml -m "$count" -r 10 -l 5 \
      -timeout "$secs" -key from_uri "sip:$from" -key to_uri "sip:$jid" -key body_prefix "$prefix"
    sent=$?
  fi
  wait $receiver || { cat "$RUN/$prefix.received.json"; return 1; }
  return $sent
}

# unknown_sip_user_bounces JID PASSWORD: a message from JID to nobody@SIP_DOMAIN comes back as
# an error stanza with <item-not-found/> (SIP 404, RFC 7247 section 8).
unknown_sip_user_bounces() {
  xmpp xmpp_expect_error.py --jid "$1" --password "$2" --to "nobody@$SIP_DOMAIN" \
    --expect-condition item-not-found --timeout 30
}
