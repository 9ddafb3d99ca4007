#!/usr/bin/python3
"""Asks one DNS server one question over UDP and prints the answers, one per line:
    A 127.0.0.2
    SRV 0 5 5269 sip.example
The image has no dig/host; this is enough to check the harness's dnsmasq.
Exit 0 when the answer section holds at least one record of the asked type, 1 otherwise
(the rcode is printed then)."""
import argparse
import random
import socket
import struct
import sys

TYPES = {"A": 1, "SRV": 33}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}
# Compression pointers may chain; a well-formed answer needs only a few hops.
MAX_POINTER_HOPS = 16


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode("ascii")
    return out + b"\0"


def read_name(buf, pos):
    """Returns (name, position after the name in the record)."""
    labels, end, hops = [], None, 0
    while True:
        n = buf[pos]
        if n & 0xC0 == 0xC0:
            hops += 1
            if hops > MAX_POINTER_HOPS:
                raise ValueError("compression loop")
            if end is None:
                end = pos + 2
            pos = struct.unpack("!H", buf[pos:pos + 2])[0] & 0x3FFF
        elif n == 0:
            return ".".join(labels), (end if end is not None else pos + 1)
        else:
            labels.append(buf[pos + 1:pos + 1 + n].decode("ascii"))
            pos += 1 + n


def query(server, name, qtype, timeout):
    qid = random.randrange(65536)
    packet = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + encode_name(name) + struct.pack("!HH", qtype, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(packet, (server, 53))
        buf, _ = s.recvfrom(4096)
    rid, flags, qd, an, _ns, _ar = struct.unpack("!HHHHHH", buf[:12])
    if rid != qid:
        raise ValueError("answer id does not match the query")
    pos = 12
    for _ in range(qd):
        _, pos = read_name(buf, pos)
        pos += 4
    answers = []
    for _ in range(an):
        _, pos = read_name(buf, pos)
        rtype, _cls, _ttl, rdlen = struct.unpack("!HHIH", buf[pos:pos + 10])
        pos += 10
        rdata = buf[pos:pos + rdlen]
        if rtype == 1 and rdlen == 4:
            answers.append("A " + socket.inet_ntoa(rdata))
        elif rtype == 33:
            prio, weight, port = struct.unpack("!HHH", rdata[:6])
            target, _ = read_name(buf, pos + 6)
            answers.append(f"SRV {prio} {weight} {port} {target}")
        pos += rdlen
    return RCODES.get(flags & 0xF, str(flags & 0xF)), answers


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("name")
    parser.add_argument("type", choices=sorted(TYPES))
    parser.add_argument("--server", default="127.0.0.53")
    parser.add_argument("--timeout", type=float, default=2.0)
    a = parser.parse_args()
    try:
        rcode, answers = query(a.server, a.name, TYPES[a.type], a.timeout)
    except (OSError, ValueError) as e:
        print(f"no answer: {e}")
        return 1
    for line in answers:
        print(line)
    if not any(line.startswith(a.type + " ") for line in answers):
        print(f"rcode {rcode}, no {a.type} record")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
