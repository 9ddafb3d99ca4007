#!/bin/bash
# Makes a working single-host installation of xmppfed in DIR (default ./run), once:
# an internal CA with the relay certificates and a certificate for the hosted domain, a data
# directory, and a configuration for each daemon. Existing files are kept, so edits survive.
#   DIR/certs/      CA, edge.internal, gateway.internal, DOMAIN certificates
#   DIR/edge.json   edge proxy: s2s on 0.0.0.0:5269, relay on 127.0.0.1:23456
#   DIR/gateway.json  gateway: dials the edge, SIP listener 127.0.0.1:5070, next hop
#                     127.0.0.1:5060 (the SIP proxy), no partners yet (unlisted domains denied)
# Usage: first-run.sh [DIR]   (XMPPFED_DOMAIN sets the hosted domain, default sip.localdomain)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mkdir -p "${1:-run}" && cd "${1:-run}" && pwd)
domain=${XMPPFED_DOMAIN:-sip.localdomain}
mkdir -p "$dir/data"
"$here/make-certs.sh" "$dir/certs" "$domain" > "$dir/certs.log"

if [ ! -f "$dir/edge.json" ]; then
  secret=$(openssl rand -hex 32)
  cat > "$dir/edge.json" <<EOT
{
  "log_level": "info",
  "hosted_domains": [
    { "domain": "$domain",
      "certificate": "$dir/certs/$domain.crt", "private_key": "$dir/certs/$domain.key" }
  ],
  "s2s": {
    "listen": [ { "address": "0.0.0.0", "port": 5269 } ],
    "dialback_secret": "$secret"
  },
  "relay": {
    "listen": { "address": "127.0.0.1", "port": 23456 },
    "certificate": "$dir/certs/edge.internal.crt",
    "private_key": "$dir/certs/edge.internal.key",
    "ca_file": "$dir/certs/ca.crt",
    "allowed_peers": [ "gateway.internal" ]
  }
}
EOT
  echo "first-run: wrote $dir/edge.json"
fi

if [ ! -f "$dir/gateway.json" ]; then
  cat > "$dir/gateway.json" <<EOT
{
  "log_level": "info",
  "node_name": "gateway-1",
  "local_domains": [ "$domain" ],
  "relay": {
    "edges": [ { "host": "127.0.0.1", "port": 23456, "name": "edge.internal" } ],
    "certificate": "$dir/certs/gateway.internal.crt",
    "private_key": "$dir/certs/gateway.internal.key",
    "ca_file": "$dir/certs/ca.crt"
  },
  "sip": {
    "listen": { "address": "127.0.0.1", "port": 5070 },
    "next_hop": { "host": "127.0.0.1", "port": 5060, "transport": "tcp" }
  },
  "gateway": { "unlisted_domains": "deny" },
  "store": { "path": "$dir/gateway.sqlite" },
  "partners": []
}
EOT
  echo "first-run: wrote $dir/gateway.json"
fi
