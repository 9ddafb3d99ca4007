#!/bin/bash
# The Debian packages (cmake/Packaging.cmake). `cpack -G DEB` in the build directory makes both;
# each holds its binary, unit, man page, sysusers file, conffile and maintainer scripts, and
# depends on its runtime libraries. dpkg installs both into an empty root (dpkg --root, the
# maintainer scripts run with DPKG_ROOT set), where the postinst creates the xmppfed user and
# gives the configuration to its group. In that root, `systemd-analyze verify` must accept both
# units without a word (systemd 252 only warns about an unknown key or a bad value, so any output
# fails the test) and `systemd-analyze security` must rate their exposure 2.0 or lower. The
# installed binaries print their version; --check-config accepts the installed gateway example
# and refuses the edge example until it has a dialback secret, then accepts it with certificates
# from deploy/make-certs.sh. A purge leaves none of the packages' files behind.
# Usage: package_test.sh BUILD_DIR SOURCE_DIR VERSION
set -u
build=$1 src=$2 version=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1"; failed=1; }
check() {  # check NAME CMD...: passes when CMD succeeds
  local name=$1; shift
  if "$@"; then pass "$name"; else fail "$name"; fi
}
expect() {  # expect NAME WANT_RC PATTERN CMD...
  local name=$1 want=$2 pattern=$3; shift 3
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" -ne "$want" ] || ! grep -qE -- "$pattern" <<< "$out"; then
    fail "$name (exit $rc, want $want; output must match '$pattern')"; echo "$out"
  else
    pass "$name"
  fi
}

# --- Build the packages. CPack first brings the build up to date (its preinstall target). ---
out=$tmp/out
if ! (cd "$build" && cpack -G DEB -B "$out") > "$tmp/cpack.log" 2>&1; then
  cat "$tmp/cpack.log"; echo "FAIL: cpack -G DEB"; exit 1
fi
arch=$(dpkg --print-architecture)
edge_deb=$out/xmppfed-edge-proxy_${version}_$arch.deb
gw_deb=$out/xmppfed-frontend-gateway_${version}_$arch.deb
check "cpack made xmppfed-edge-proxy_${version}_$arch.deb" test -f "$edge_deb"
check "cpack made xmppfed-frontend-gateway_${version}_$arch.deb" test -f "$gw_deb"
debs=$(find "$out" -maxdepth 1 -name '*.deb' | wc -l)
check "exactly two packages (found $debs)" test "$debs" -eq 2
[ "$failed" -eq 0 ] || exit 1

# --- What each package holds and declares. ---
inspect() {  # inspect DEB NAME CONF DEPENDS...
  local deb=$1 name=$2 conf=$3; shift 3
  local files info
  files=$(dpkg-deb -c "$deb" | awk '{ print $1, $NF }')
  for f in "-rwxr-xr-x ./usr/sbin/$name" "-rw-r--r-- ./lib/systemd/system/$name.service" \
           "-rw-r--r-- ./usr/share/man/man8/$name.8.gz" \
           "-rw-r--r-- ./usr/lib/sysusers.d/$name.conf" "-rw-r--r-- ./etc/xmppfed/$conf"; do
    grep -qxF -- "$f" <<< "$files" || { fail "$name: package holds ${f#* } (${f%% *})"; return; }
  done
  local regular
  regular=$(grep -c '^-' <<< "$files")
  check "$name: five files, no more ($regular)" test "$regular" -eq 5
  info=$(dpkg-deb -I "$deb")
  grep -q "^ Package: $name\$" <<< "$info" && grep -q "^ Version: $version\$" <<< "$info" ||
    fail "$name: control names the package and version $version"
  local depends
  depends=$(dpkg-deb -f "$deb" Depends)
  for d in "$@"; do
    grep -qE "(^|, )$d( |,|\$)" <<< "$depends" || fail "$name: Depends has $d ($depends)"
  done
  mkdir -p "$tmp/control/$name"
  dpkg-deb -e "$deb" "$tmp/control/$name"
  check "$name: /etc/xmppfed/$conf is a conffile" \
    grep -qxF "/etc/xmppfed/$conf" "$tmp/control/$name/conffiles"
  for s in postinst prerm postrm; do
    [ -x "$tmp/control/$name/$s" ] && sh -n "$tmp/control/$name/$s" ||
      fail "$name: $s is an executable shell script"
  done
  pass "$name: contents, control fields and dependencies"
}
inspect "$edge_deb" xmppfed-edge-proxy edge.json libc6 libstdc\\+\\+6 libuv1 android-libboringssl \
  libxml2 libidn12 libc-ares2 systemd
inspect "$gw_deb" xmppfed-frontend-gateway gateway.json libc6 libstdc\\+\\+6 libuv1 \
  android-libboringssl libxml2 libidn12 libsqlite3-0 libosip2-15 systemd

# --- Install both into an empty root. ---
root=$tmp/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers"
touch "$root/var/lib/dpkg/status"
# The root has no shell and no libraries of its own: the maintainer scripts run outside it with
# DPKG_ROOT set (--force-script-chrootless); dependencies are the host's (--force-depends).
dpkg_root() { dpkg --root="$root" --log=/dev/null --force-script-chrootless --force-depends "$@"; }
if dpkg_root -i "$edge_deb" "$gw_deb" > "$tmp/dpkg.log" 2>&1; then
  pass "dpkg installs both packages into an empty root"
else
  cat "$tmp/dpkg.log"; fail "dpkg installs both packages into an empty root"; exit 1
fi
for p in xmppfed-edge-proxy xmppfed-frontend-gateway; do
  check "$p is installed" \
    grep -qx "Status: install ok installed" <(dpkg --root="$root" -s "$p" 2>/dev/null)
done
gid=$(awk -F: '$1 == "xmppfed" { print $3 }' "$root/etc/group")
check "postinst created the xmppfed group" test -n "$gid"
check "postinst created the xmppfed user with group xmppfed and no login" \
  grep -qE "^xmppfed:x:[0-9]+:$gid:[^:]*:[^:]*:/usr/sbin/nologin\$" "$root/etc/passwd"
for conf in edge.json gateway.json; do
  check "/etc/xmppfed/$conf is root:xmppfed 0640" \
    test "$(stat -c '%a %u %g' "$root/etc/xmppfed/$conf")" = "640 0 $gid"
done

# --- The units, as systemd would load them from that root. ---
# The root needs the targets the units name (systemd's own, copied from the host) and finds the
# man pages of Documentation= through MANPATH.
for t in /lib/systemd/system/*.target /lib/systemd/system/*.slice; do
  [ -e "$root/lib/systemd/system/${t##*/}" ] || cp -a "$t" "$root/lib/systemd/system/"
done
for unit in xmppfed-edge-proxy.service xmppfed-frontend-gateway.service; do
  out_verify=$(cd "$tmp" && MANPATH=$root/usr/share/man \
    systemd-analyze verify --root="$root" "$unit" 2>&1)
  rc=$?
  if [ $rc -eq 0 ] && [ -z "$out_verify" ]; then
    pass "systemd-analyze verify $unit: no finding"
  else
    fail "systemd-analyze verify $unit (exit $rc)"; echo "$out_verify"
  fi
  security=$(systemd-analyze security --offline=true --threshold=20 --root="$root" "$unit" 2>&1)
  rc=$?
  level=$(grep -o 'Overall exposure level.*' <<< "$security")
  if [ $rc -eq 0 ] && [ -n "$level" ]; then
    pass "systemd-analyze security $unit: ${level#*: } (at most 2.0)"
  else
    fail "systemd-analyze security $unit: exposure above 2.0 (exit $rc)"; echo "$security"
  fi
done
for page in xmppfed-edge-proxy xmppfed-frontend-gateway; do
  warnings=$(zcat "$root/usr/share/man/man8/$page.8.gz" | groff -man -ww -z -Tutf8 2>&1)
  if [ -z "$warnings" ]; then pass "man page $page(8): no groff warning"; else
    fail "man page $page(8)"; echo "$warnings"; fi
done

# --- The installed binaries and example configurations. ---
edge=$root/usr/sbin/xmppfed-edge-proxy
gateway=$root/usr/sbin/xmppfed-frontend-gateway
expect "installed edge: --version" 0 "^xmppfed-edge-proxy $version( \(git [0-9a-f]+\))?\$" \
  "$edge" --version
expect "installed gateway: --version" 0 \
  "^xmppfed-frontend-gateway $version( \(git [0-9a-f]+\))?\$" "$gateway" --version
expect "installed gateway example: --check-config" 0 "configuration is valid" \
  "$gateway" --config "$root/etc/xmppfed/gateway.json" --check-config
expect "installed edge example: refused until it has a dialback secret" 78 \
  "/s2s/dialback_secret: required key is missing" \
  "$edge" --config "$root/etc/xmppfed/edge.json" --check-config
# What an operator does next (README, Packages): certificates in /etc/xmppfed/certs, a secret.
"$src/deploy/make-certs.sh" "$root/etc/xmppfed/certs" --edge edge.internal \
  --gateway gateway.internal example.com > "$tmp/certs.log" 2>&1 || cat "$tmp/certs.log"
python3 - "$root/etc/xmppfed/edge.json" "$tmp/edge.json" "$root" <<'PY'
import json, sys
text = open(sys.argv[1]).read().replace('"/etc/xmppfed/', '"' + sys.argv[3] + '/etc/xmppfed/')
d = json.loads(text)
d["s2s"]["dialback_secret"] = "0123456789abcdef0123456789abcdef"
json.dump(d, open(sys.argv[2], "w"))
PY
expect "installed edge example with a secret and certificates: --check-config" 0 \
  "configuration is valid" "$edge" --config "$tmp/edge.json" --check-config

# --- Purge: nothing of the packages stays; the operator's certificates do. ---
mkdir -p "$root/var/lib/xmppfed" && touch "$root/var/lib/xmppfed/gateway.sqlite"
if dpkg_root --purge xmppfed-edge-proxy xmppfed-frontend-gateway > "$tmp/purge.log" 2>&1; then
  left=$(cd "$root" && find usr lib etc/xmppfed -type f \
    \( -name 'xmppfed*' -o -name '*.json' \) 2> /dev/null)
  check "purge removes the packages' files${left:+ (left: $left)}" test -z "$left"
  check "purge removes the gateway's state directory" test ! -e "$root/var/lib/xmppfed"
  check "purge keeps the operator's certificates" test -f "$root/etc/xmppfed/certs/ca.crt"
else
  cat "$tmp/purge.log"; fail "dpkg --purge"
fi
exit $failed
