#!/bin/bash
# Installs every Debian package that xmppfed's build, tests and real test peers need.
# Idempotent: skips apt entirely when everything is already installed.
# dpkg-dev (dpkg-shlibdeps), systemd (systemd-analyze, systemd-sysusers) and man-db (man, groff)
# are for the package test: cpack -G DEB, the units verified, the man pages checked.
set -euo pipefail
PKGS=(
  build-essential cmake pkg-config clang libclang-rt-14-dev clang-format clang-tidy
  libuv1-dev android-libboringssl-dev libxml2-dev nlohmann-json3-dev catch2
  libc-ares-dev libidn-dev libsqlite3-dev libosip2-dev
  openssl iproute2 util-linux procps
  dpkg-dev systemd man-db
  prosody lua-unbound python3-slixmpp dnsmasq kamailio sip-tester baresip-core
  kamailio-tls-modules ejabberd
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # Packaged daemons must not start as system services: tests start their own instances.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
  apt-get install -y -q --no-install-recommends "${missing[@]}"
  rm -f /usr/sbin/policy-rc.d
fi
