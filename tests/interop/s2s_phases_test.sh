#!/bin/bash
# Times each phase of an inbound s2s stream set-up on the edge (TCP, header, STARTTLS, TLS 1.3,
# restarted header -> features) with a client that keeps Nagle's algorithm on, as a partner
# server's does, and prints the table; it asserts that every phase completes, never a time.
# The figures show whether the edge acknowledges the client's last handshake record at once:
# if it did not, the restarted stream's features would arrive a delayed-ACK timer (~40 ms) late.
# shellcheck source=tests/interop/lib.sh
source "$(dirname "$0")/lib.sh"
enter_sandbox "$0" "$@"
harness_init interop_s2s_phases

check "sandbox has only loopback" in_sandbox
check "certificates made" make_certs

check "edge started" start_edge

phases() {
  "$PY" "$SCRIPTS/s2s_phases.py" --addr "$EDGE_IP" --port "$S2S_PORT" --to-domain "$SIP_DOMAIN" \
    --from-domain "$PARTNER_DOMAIN" --cafile "$CERTS_INTERNAL/ca.crt" --tls13 --runs 10 \
    > "$RUN/phases.txt"
}
check "every phase of 10 stream set-ups completes (table below)" phases
cat "$RUN/phases.txt" 2>/dev/null
finish
