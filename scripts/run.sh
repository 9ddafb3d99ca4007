#!/bin/bash
# README quick start line 1: installs what is needed, builds, makes a default single-host
# configuration on first run (deploy/first-run.sh, in ./run) and runs both daemons in the
# foreground until Ctrl-C. The edge listens for XMPP s2s on 5269 and for the relay link on
# 127.0.0.1:23456; the gateway dials it and listens for SIP on 127.0.0.1:5070.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Only the daemons: the tests are line 2's business, and this keeps the first start quick.
bash scripts/build.sh xmppfed-edge-proxy xmppfed-frontend-gateway
RUN=${XMPPFED_HOME:-$PWD/run}
bash deploy/first-run.sh "$RUN"
for f in edge gateway; do
  bin=build/edge-proxy/xmppfed-edge-proxy
  [ $f = gateway ] && bin=build/frontend-gateway/xmppfed-frontend-gateway
  "$bin" --config "$RUN/$f.json" --check-config
done
build/edge-proxy/xmppfed-edge-proxy --config "$RUN/edge.json" &
edge=$!
# The gateway would redial anyway; starting it once the edge listens keeps the log clean.
for _ in $(seq 50); do
  ss -ltn | grep -q ':23456 ' && break
  sleep 0.1
done
build/frontend-gateway/xmppfed-frontend-gateway --config "$RUN/gateway.json" &
gateway=$!
stop() { kill -TERM "$gateway" "$edge" 2>/dev/null || true; }
trap stop INT TERM
echo "xmppfed running (edge pid $edge, gateway pid $gateway); Ctrl-C stops both"
# Whichever daemon ends first ends the run; the other is stopped too.
set +e
wait -n "$edge" "$gateway"
rc=$?
stop
wait
exit $rc
