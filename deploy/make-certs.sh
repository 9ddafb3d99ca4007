#!/bin/bash
# Creates the certificates an xmppfed installation needs, signed by a local CA:
#   - the relay-link server certificate of the edge proxy (default name edge.internal),
#   - the relay-link client certificate of the front-end gateway (default gateway.internal),
#   - one certificate per hosted XMPP domain (SAN DOMAIN and *.DOMAIN, for s2s).
# Every key is EC P-256; every leaf allows serverAuth and clientAuth, because s2s peers and the
# relay link both use a certificate in both roles.
#
# Idempotent: an existing CA is reused (never recreated), and an existing leaf is kept, so
# running it again only adds what is missing. Delete a leaf's .crt to reissue it.
#
# Usage: make-certs.sh OUTDIR [--edge NAME] [--gateway NAME] [--no-relay]
#                              [--ca-name CN] [DOMAIN...]
#   OUTDIR/ca.crt ca.key            the CA (ca.key stays on the host that issues certificates)
#   OUTDIR/NAME.crt NAME.key        one pair per edge / gateway / domain name
#   --no-relay                      only the CA and the domain certificates (e.g. a test partner)
set -euo pipefail

usage() { sed -n '2,17s/^# \{0,1\}//p' "$0" >&2; exit 2; }

# Validity periods: a CA outlives its leaves; 825 days is the longest leaf lifetime that
# mainstream TLS clients accept.
readonly CA_DAYS=3650
readonly LEAF_DAYS=825

out=${1:-}; [ -n "$out" ] && [ "${out#-}" = "$out" ] || usage
shift
edge_name=edge.internal
gateway_name=gateway.internal
relay=yes
ca_name="xmppfed internal CA"
domains=()
while [ $# -gt 0 ]; do
  case $1 in
    --edge) edge_name=${2:?--edge needs a name}; shift 2 ;;
    --gateway) gateway_name=${2:?--gateway needs a name}; shift 2 ;;
    --no-relay) relay=no; shift ;;
    --ca-name) ca_name=${2:?--ca-name needs a value}; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "make-certs: unknown option $1" >&2; usage ;;
    *) domains+=("$1"); shift ;;
  esac
done

# A name goes into file names and openssl config lines: allow DNS characters only.
valid_name() { [[ $1 =~ ^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$ ]]; }
for n in "$edge_name" "$gateway_name" "${domains[@]}"; do
  valid_name "$n" || { echo "make-certs: not a DNS name: '$n'" >&2; exit 2; }
done

mkdir -p "$out"
cd "$out"
umask 077   # private keys are readable by their owner only

if [ ! -f ca.crt ] || [ ! -f ca.key ]; then
  [ ! -f ca.crt ] && [ ! -f ca.key ] || {
    echo "make-certs: $out has only half of a CA (ca.crt/ca.key); refusing to replace it" >&2
    exit 1
  }
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout ca.key -out ca.crt -days "$CA_DAYS" -subj "/CN=$ca_name" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  chmod 644 ca.crt
  echo "make-certs: created CA $out/ca.crt"
fi

# issue NAME SAN: a leaf certificate NAME.crt/NAME.key with the given subjectAltName list.
issue() {
  local name=$1 san=$2
  if [ -f "$name.crt" ] && [ -f "$name.key" ]; then
    return 0
  fi
  local ext
  ext=$(mktemp)
  cat > "$ext" <<EOT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=$san
EOT
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$name.key" -out "$name.csr" -subj "/CN=$name" 2>/dev/null
  openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial \
    -days "$LEAF_DAYS" -out "$name.crt" -extfile "$ext" 2>/dev/null
  rm -f "$name.csr" "$ext"
  chmod 644 "$name.crt"
  echo "make-certs: issued $out/$name.crt ($san)"
}

if [ "$relay" = yes ]; then
  issue "$edge_name" "DNS:$edge_name"
  issue "$gateway_name" "DNS:$gateway_name"
fi
for d in "${domains[@]}"; do
  issue "$d" "DNS:$d,DNS:*.$d"
done
