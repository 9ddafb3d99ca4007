#!/bin/sh
# Regenerates the TLS test certificates in this directory (the output is committed, so tests do
# not need the openssl CLI). EC P-256 keys; certificates are valid for 100 years except
# expired.pem, whose validity ended in 2001.
#
#   ca.pem                trusted test CA
#   intermediate.pem      intermediate CA under ca.pem (signs b.example)
#   untrusted-ca.pem      a second CA that no test trusts
#   a.example.pem         DNS a.example, *.a.example (signed by ca)
#   b.example.pem         DNS b.example, XmppAddr b.example, SRVName _xmpp-server.b.example;
#                         leaf + intermediate
#   untrusted.pem         DNS untrusted.example (signed by untrusted-ca)
#   expired.pem           DNS expired.example (signed by ca, expired)
#   notyet.pem            DNS notyet.example (signed by ca, valid from 2100 only)
#   selfsigned.pem        DNS selfsigned.example, a self-signed leaf
#   gateway.internal.pem  client certificate for the mutual-TLS relay link (signed by ca)
#   other.pem             a second key pair for the "key does not match" test
set -eu
cd "$(dirname "$0")"

DAYS=36500
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

newkey() {
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key"
}

cat >"$work/ext.cnf" <<'EOF'
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[intermediate_ext]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[a_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:a.example, DNS:*.a.example

[b_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = @b_names

[b_names]
DNS.0 = b.example
otherName.0 = 1.3.6.1.5.5.7.8.5;UTF8:b.example
otherName.1 = 1.3.6.1.5.5.7.8.7;IA5:_xmpp-server.b.example

[untrusted_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:untrusted.example

[expired_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:expired.example

[notyet_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:notyet.example

[selfsigned_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:selfsigned.example

[gateway_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth, serverAuth
subjectAltName = DNS:gateway.internal
EOF

# self_signed NAME CN EXTENSION
self_signed() {
  newkey "$1"
  openssl req -x509 -new -key "$1.key" -subj "/CN=$2" -days "$DAYS" -sha256 \
    -config "$work/ext.cnf" -extensions "$3" -out "$1.pem"
}

# issue NAME CN EXTENSION ISSUER
issue() {
  newkey "$1"
  openssl req -new -key "$1.key" -subj "/CN=$2" -out "$work/$1.csr"
  openssl x509 -req -in "$work/$1.csr" -CA "$4.pem" -CAkey "$4.key" -CAcreateserial \
    -CAserial "$work/$4.srl" -days "$DAYS" -sha256 -extfile "$work/ext.cnf" -extensions "$3" \
    -out "$1.pem"
}

self_signed ca "xmppfed test CA" ca_ext
self_signed untrusted-ca "xmppfed untrusted CA" ca_ext
self_signed selfsigned selfsigned.example selfsigned_ext
issue intermediate "xmppfed test intermediate" intermediate_ext ca
issue a.example a.example a_ext ca
issue b.example b.example b_ext intermediate
cat intermediate.pem >>b.example.pem
issue untrusted untrusted.example untrusted_ext untrusted-ca
issue gateway.internal gateway.internal gateway_ext ca
newkey other

# openssl x509 cannot set explicit dates before OpenSSL 3.4; `openssl ca` can.
newkey expired
openssl req -new -key expired.key -subj "/CN=expired.example" -out "$work/expired.csr"
mkdir "$work/db"
: >"$work/db/index.txt"
echo 1000 >"$work/db/serial"
cat >"$work/ca.cnf" <<EOF
[ca]
default_ca = test_ca
[test_ca]
database = $work/db/index.txt
serial = $work/db/serial
new_certs_dir = $work/db
default_md = sha256
policy = any
copy_extensions = none
[any]
commonName = supplied
EOF
cat "$work/ext.cnf" >>"$work/ca.cnf"
openssl ca -batch -config "$work/ca.cnf" -cert ca.pem -keyfile ca.key -in "$work/expired.csr" \
  -startdate 20000101000000Z -enddate 20010101000000Z -extensions expired_ext -notext \
  -out expired.pem

newkey notyet
openssl req -new -key notyet.key -subj "/CN=notyet.example" -out "$work/notyet.csr"
openssl ca -batch -config "$work/ca.cnf" -cert ca.pem -keyfile ca.key -in "$work/notyet.csr" \
  -startdate 21000101000000Z -enddate 21010101000000Z -extensions notyet_ext -notext \
  -out notyet.pem
