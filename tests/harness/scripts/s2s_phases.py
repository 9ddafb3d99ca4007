#!/usr/bin/python3
"""Times each phase of an inbound s2s stream set-up against a server, as a partner server
would open it: TCP connect, stream header -> features, <starttls/> -> <proceed/>, the TLS
handshake, and the restarted stream's header -> features. The socket keeps Nagle's algorithm
on, as Prosody's does, so a server that leaves the client's last handshake record unacknowledged
shows the delayed-ACK stall in the last phase.

Prints one line per phase (median and maximum over --runs) and exits 0 when every run reached
the restarted stream's features; it asserts nothing about time. 1 when a run failed, with why."""
import argparse
import socket
import ssl
import statistics
import sys
import time

PHASES = ["tcp connect", "header -> features", "starttls -> proceed", "tls handshake",
          "restart header -> features"]


def header(args):
    return (f"<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
            f"xmlns:stream='http://etherx.jabber.org/streams' "
            f"xmlns:db='jabber:server:dialback' from='{args.from_domain}' "
            f"to='{args.to_domain}' version='1.0'>").encode()


def read_until(sock, marker, timeout):
    sock.settimeout(timeout)
    data = b""
    while marker not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError(f"connection closed before {marker!r}; got {data[-300:]!r}")
        data += chunk
    return data


def one_run(args):
    times = []
    t = time.perf_counter()
    raw = socket.create_connection((args.addr, args.port), timeout=args.timeout)
    times.append(time.perf_counter() - t)

    t = time.perf_counter()
    raw.sendall(header(args))
    got = read_until(raw, b"</stream:features>", args.timeout)
    times.append(time.perf_counter() - t)
    if b"starttls" not in got:
        raise RuntimeError(f"no STARTTLS offered: {got[-300:]!r}")

    t = time.perf_counter()
    raw.sendall(b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
    read_until(raw, b"proceed", args.timeout)
    times.append(time.perf_counter() - t)

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3 if args.tls13 else ssl.TLSVersion.TLSv1_2
    if args.cafile:
        ctx.load_verify_locations(args.cafile)
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    t = time.perf_counter()
    tls = ctx.wrap_socket(raw, server_hostname=args.to_domain)
    times.append(time.perf_counter() - t)

    t = time.perf_counter()
    tls.sendall(header(args))
    got = read_until(tls, b"</stream:features>", args.timeout)
    times.append(time.perf_counter() - t)
    if b"dialback" not in got and b"mechanisms" not in got:
        raise RuntimeError(f"restarted stream offers no authentication: {got[-300:]!r}")
    tls.close()
    return times


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--addr", required=True)
    p.add_argument("--port", type=int, default=5269)
    p.add_argument("--from-domain", default="xmpp.example")
    p.add_argument("--to-domain", required=True)
    p.add_argument("--cafile", help="CA to verify the server with (default: no verification)")
    p.add_argument("--tls13", action="store_true", help="require TLS 1.3")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--timeout", type=float, default=10)
    args = p.parse_args()
    runs = []
    for i in range(args.runs):
        try:
            runs.append(one_run(args))
        except (OSError, RuntimeError, ssl.SSLError) as e:
            print(f"run {i + 1}: {e}", file=sys.stderr)
            return 1
    print(f"s2s stream set-up against {args.addr}:{args.port}, {args.runs} runs (ms)")
    print(f"{'phase':28} {'median':>8} {'max':>8}")
    for n, name in enumerate(PHASES):
        values = [r[n] * 1000 for r in runs]
        print(f"{name:28} {statistics.median(values):8.2f} {max(values):8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
