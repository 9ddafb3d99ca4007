#!/bin/bash
# --check-config on both daemons: a valid file exits 0; a file with an unknown key and an
# out-of-range value exits 78 (EX_CONFIG) and names the JSON pointer of each problem.
# --version prints "NAME VERSION", plus " (git COMMIT)" with a commit of this checkout when the
# source is a git checkout, and exits 0.
# Usage: check_config_test.sh EDGE_BIN GATEWAY_BIN VERSION
set -u
edge=$1 gateway=$2 version=$3
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
expect() {  # expect NAME WANT_RC PATTERN CMD...
  local name=$1 want=$2 pattern=$3; shift 3
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" -ne "$want" ] || ! grep -qF -- "$pattern" <<< "$out"; then
    echo "FAIL: $name (exit $rc, want $want; output must contain '$pattern')"; echo "$out"
    failed=1
  else
    echo "PASS: $name"
  fi
}

# Valid edge config with real certificates (the test data CA and a leaf).
certs=$src/tests/data/tls
python3 - "$src/deploy/edge.example.json" "$tmp/edge.json" "$certs" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); c = sys.argv[3]
d["hosted_domains"][0].update(domain="a.example", certificate=c + "/a.example.pem", private_key=c + "/a.example.key")
d["relay"].update(certificate=c + "/a.example.pem", private_key=c + "/a.example.key", ca_file=c + "/ca.pem")
json.dump(d, open(sys.argv[2], "w"))
d["s2s"]["trust_anchors"] = c + "/ca.pem"
json.dump(d, open(sys.argv[2] + ".anchors", "w"))
d["s2s"]["trust_anchors"] = c + "/missing.pem"
json.dump(d, open(sys.argv[2] + ".anchors-missing", "w"))
d["s2s"]["trust_anchors"] = c + "/a.example.key"
json.dump(d, open(sys.argv[2] + ".anchors-not-certs", "w"))
d["s2s"]["trust_anchors"] = ""
d["s2s"]["dialback_secret"] = ""
json.dump(d, open(sys.argv[2] + ".empty-secret", "w"))
d["s2s"]["dialback_secret"] = "0123456789abcdef"
d["s2s"]["colour"] = "blue"; d["s2s"]["max_stanza_bytes"] = 5
json.dump(d, open(sys.argv[2] + ".bad", "w"))
PY
expect "edge: valid config" 0 "configuration is valid" "$edge" --config "$tmp/edge.json" --check-config
expect "edge: trust anchors from a CA bundle" 0 "configuration is valid" \
  "$edge" --config "$tmp/edge.json.anchors" --check-config
expect "edge: unreadable trust anchors refused" 78 "/s2s/trust_anchors: cannot read CA file" \
  "$edge" --config "$tmp/edge.json.anchors-missing" --check-config
expect "edge: trust anchors without a certificate refused" 78 "/s2s/trust_anchors: bad CA file" \
  "$edge" --config "$tmp/edge.json.anchors-not-certs" --check-config
expect "edge: an empty dialback secret refused" 78 \
  "/s2s/dialback_secret: must be at least 16 characters" \
  "$edge" --config "$tmp/edge.json.empty-secret" --check-config
expect "edge: unknown key named" 78 "/s2s/colour: unknown key" \
  "$edge" --config "$tmp/edge.json.bad" --check-config
expect "edge: range error named" 78 "/s2s/max_stanza_bytes: must be an integer in 10000.." \
  "$edge" --config "$tmp/edge.json.bad" --check-config

python3 - "$src/deploy/gateway.example.json" "$tmp/gw.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
json.dump(d, open(sys.argv[2], "w"))
d["partners"][0]["tls"] = "sometimes"; d["sip"]["next_hop"]["colour"] = 1
d["partners"][0]["sasl"] = "required"
json.dump(d, open(sys.argv[2] + ".bad", "w"))
PY
expect "gateway: valid config" 0 "configuration is valid" "$gateway" --config "$tmp/gw.json" --check-config
expect "gateway: enum error named" 78 "/partners/0/tls: must be one of required|optional|not_supported" \
  "$gateway" --config "$tmp/gw.json.bad" --check-config
expect "gateway: unknown key named" 78 "/sip/next_hop/colour: unknown key" \
  "$gateway" --config "$tmp/gw.json.bad" --check-config
expect "edge: missing file" 78 "cannot open" "$edge" --config "$tmp/nope.json" --check-config
expect "gateway: no --config" 64 "--config FILE is required" "$gateway"

# As cmake/Version.cmake decides: a commit only when the source is the top of a git checkout.
in_git=no
[ "$(git -C "$src" rev-parse --show-toplevel 2> /dev/null)" = "$(cd "$src" && pwd -P)" ] &&
  in_git=yes
for bin in "$edge" "$gateway"; do
  name=${bin##*/}
  out=$("$bin" --version 2>&1); rc=$?
  line="^$name ${version//./\\.}( \(git ([0-9a-f]{7,40})\))?\$"
  commit=$(sed -nE "s/$line/\2/p" <<< "$out")
  if [ "$rc" -ne 0 ] || ! grep -qE "$line" <<< "$out"; then
    echo "FAIL: $name --version (exit $rc, want 0 and '$name $version [(git COMMIT)]')"; echo "$out"
    failed=1
  elif [ $in_git = yes ] && ! git -C "$src" cat-file -e "${commit:-none}^{commit}" 2> /dev/null; then
    echo "FAIL: $name --version names no commit of this checkout: $out"
    failed=1
  else
    echo "PASS: $name --version: $out"
  fi
done
exit $failed
