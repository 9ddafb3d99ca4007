#!/usr/bin/python3
"""A fast c2s client for load tests, on raw sockets (slixmpp builds an object per stanza and
cannot keep up with tens of thousands of messages). It logs in with SCRAM-SHA-1 (no TLS: the
harness's Prosody allows that), binds a resource and sends initial presence, then:

  send:    writes COUNT chat messages to TO in one burst, bodies "PREFIX #1" .. "PREFIX #COUNT",
           then counts the error stanzas bounced back until DONE_FILE exists (or LINGER s);
  receive: counts the chat messages from EXPECT_FROM whose body is "PREFIX #N" (N in 1..COUNT)
           until all COUNT arrived or TIMEOUT passed (touching READY_FILE once online).

Prints one JSON object: send {"sent", "errors", "conditions", "first_errors"}; receive
{"expected", "delivered", "duplicates", "wrong_from", "errors", "missing_count", "missing"}.
Exit 0 when nothing bounced (send) or every message arrived exactly once (receive)."""
import argparse
import asyncio
import base64
import collections
import hashlib
import hmac
import json
import os
import pathlib
import re
import sys
import time

C2S_PORT = 5222
# Lists in the report are cut to this length; their counts are exact.
MAX_SHOWN = 10
# Extra time after the last expected message, so that duplicates are noticed too.
SETTLE_S = 1.0
READ_BYTES = 256 * 1024

STREAM_OPEN = ("<?xml version='1.0'?><stream:stream to='{domain}' version='1.0' "
               "xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>")
MESSAGE_RE = re.compile(rb"<message\b[^>]*?(?:/>|>.*?</message>)", re.S)
ATTR_RE = {name: re.compile(rb"\b" + name.encode() + rb"=(?:'([^']*)'|\"([^\"]*)\")")
           for name in ("type", "from", "id")}
CONDITION_RE = re.compile(rb"<([a-z-]+) xmlns=['\"]urn:ietf:params:xml:ns:xmpp-stanzas['\"]")


def attr(element, name):
    m = ATTR_RE[name].search(element[:element.find(b">") + 1])
    if m is None:
        return ""
    return (m.group(1) if m.group(1) is not None else m.group(2)).decode()


class Stream:
    """The socket, and a buffer of what was read and not yet consumed."""

    def __init__(self, reader, writer):
        self.reader, self.writer, self.buf = reader, writer, b""

    async def read_until(self, pattern, timeout):
        regex = re.compile(pattern, re.S)
        deadline = time.monotonic() + timeout
        while True:
            m = regex.search(self.buf)
            if m:
                self.buf = self.buf[m.end():]
                return m
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError(f"timed out waiting for {pattern!r}; have {self.buf[-300:]!r}")
            chunk = await asyncio.wait_for(self.reader.read(READ_BYTES), left)
            if not chunk:
                raise RuntimeError(f"stream closed waiting for {pattern!r}: {self.buf[-300:]!r}")
            self.buf += chunk

    def send(self, text):
        self.writer.write(text.encode() if isinstance(text, str) else text)


def scram_sha1(user, password):
    """Returns (first message, function from server-first to final message, expected server
    signature holder) for SASL SCRAM-SHA-1 (RFC 5802) without channel binding."""
    nonce = base64.b64encode(os.urandom(18)).decode()
    first_bare = f"n={user},r={nonce}"
    state = {}

    def final(server_first):
        fields = dict(item.split("=", 1) for item in server_first.split(","))
        if not fields["r"].startswith(nonce):
            raise RuntimeError("SCRAM: server nonce does not extend ours")
        salted = hashlib.pbkdf2_hmac("sha1", password.encode(), base64.b64decode(fields["s"]),
                                     int(fields["i"]))
        client_key = hmac.new(salted, b"Client Key", hashlib.sha1).digest()
        stored_key = hashlib.sha1(client_key).digest()
        without_proof = f"c=biws,r={fields['r']}"
        auth_message = f"{first_bare},{server_first},{without_proof}".encode()
        signature = hmac.new(stored_key, auth_message, hashlib.sha1).digest()
        proof = bytes(a ^ b for a, b in zip(client_key, signature))
        server_key = hmac.new(salted, b"Server Key", hashlib.sha1).digest()
        state["server_signature"] = hmac.new(server_key, auth_message, hashlib.sha1).digest()
        return f"{without_proof},p={base64.b64encode(proof).decode()}"

    return "n,," + first_bare, final, state


async def login(args):
    user, domain = args.jid.split("@", 1)
    reader, writer = await asyncio.wait_for(asyncio.open_connection(args.addr, C2S_PORT),
                                            args.login_timeout)
    s = Stream(reader, writer)
    s.send(STREAM_OPEN.format(domain=domain))
    await s.read_until(rb"</stream:features>", args.login_timeout)
    first, final, state = scram_sha1(user, args.password)
    s.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-1'>"
           + base64.b64encode(first.encode()).decode() + "</auth>")
    m = await s.read_until(rb"<challenge[^>]*>([^<]*)</challenge>|<failure.*?</failure>",
                           args.login_timeout)
    if m.group(1) is None:
        raise RuntimeError(f"authentication failed: {m.group(0)!r}")
    answer = final(base64.b64decode(m.group(1)).decode())
    s.send("<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
           + base64.b64encode(answer.encode()).decode() + "</response>")
    m = await s.read_until(rb"<success[^>]*?(?:/>|>([^<]*)</success>)|<failure.*?</failure>",
                           args.login_timeout)
    if not m.group(0).startswith(b"<success"):
        raise RuntimeError(f"authentication failed: {m.group(0)!r}")
    if m.group(1):
        verifier = base64.b64decode(m.group(1)).decode()
        if verifier != "v=" + base64.b64encode(state["server_signature"]).decode():
            raise RuntimeError("SCRAM: the server's signature does not match")
    s.send(STREAM_OPEN.format(domain=domain))
    await s.read_until(rb"</stream:features>", args.login_timeout)
    s.send("<iq type='set' id='bind1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
           "<resource>load</resource></bind></iq>")
    await s.read_until(rb"<iq[^>]*id=['\"]bind1['\"].*?</iq>", args.login_timeout)
    s.send("<presence/>")
    await writer.drain()
    return s


async def close(s):
    s.send("</stream:stream>")
    try:
        await asyncio.wait_for(s.writer.drain(), 5)
    except (asyncio.TimeoutError, ConnectionError):
        pass
    s.writer.close()


def escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


async def send(args, s):
    errors, conditions = [], collections.Counter()

    def scan():
        end = 0
        for m in MESSAGE_RE.finditer(s.buf):
            end = m.end()
            element = m.group(0)
            if attr(element, "type") == "error":
                c = CONDITION_RE.search(element)
                conditions[c.group(1).decode() if c else "none"] += 1
                if len(errors) < MAX_SHOWN:
                    errors.append({"id": attr(element, "id"), "from": attr(element, "from"),
                                   "stanza": element[:400].decode(errors="replace")})
        s.buf = s.buf[end:]

    to = escape(args.to)
    batch = []
    for i in range(1, args.count + 1):
        batch.append(f"<message to='{to}' type='chat' id='{args.prefix}-{i}'>"
                     f"<body>{escape(args.prefix)} #{i}</body></message>")
        if len(batch) == 500 or i == args.count:
            s.send("".join(batch))
            batch.clear()
            await s.writer.drain()
    # Bounces may come long after the burst left (the far side paces it): read until the test
    # says delivery is over (DONE_FILE), then SETTLE_S more, or at most LINGER seconds.
    deadline = time.monotonic() + args.linger
    while time.monotonic() < deadline:
        if args.done_file and os.path.exists(args.done_file):
            deadline = min(deadline, time.monotonic() + SETTLE_S)
            args.done_file = None
        try:
            chunk = await asyncio.wait_for(s.reader.read(READ_BYTES), 0.2)
        except asyncio.TimeoutError:
            continue
        if not chunk:
            break
        s.buf += chunk
        scan()
    scan()
    report = {"sent": args.count, "to": args.to, "errors": sum(conditions.values()),
              "conditions": dict(conditions), "first_errors": errors}
    print(json.dumps(report, indent=1))
    return 0 if not conditions else 1


async def receive(args, s):
    body_re = re.compile(rb"<body>" + re.escape(escape(args.prefix).encode()) + rb" #(\d+)")
    seen = collections.Counter()
    wrong_from, errors, other = [], collections.Counter(), 0
    if args.ready_file:
        pathlib.Path(args.ready_file).touch()
    deadline = time.monotonic() + args.timeout
    settle_until = None

    def scan():
        nonlocal other
        end = 0
        for m in MESSAGE_RE.finditer(s.buf):
            end = m.end()
            element = m.group(0)
            kind = attr(element, "type")
            if kind == "error":
                c = CONDITION_RE.search(element)
                errors[c.group(1).decode() if c else "none"] += 1
                continue
            b = body_re.search(element)
            if b is None:
                other += 1
                continue
            sender = attr(element, "from").split("/", 1)[0]
            if sender != args.expect_from:
                if len(wrong_from) < MAX_SHOWN:
                    wrong_from.append(sender)
                continue
            n = int(b.group(1))
            if 1 <= n <= args.count:
                seen[n] += 1
            else:
                other += 1
        s.buf = s.buf[end:]

    while True:
        now = time.monotonic()
        if settle_until is None and len(seen) >= args.count:
            settle_until = now + SETTLE_S
        until = min(deadline, settle_until or deadline)
        if now >= until:
            break
        try:
            chunk = await asyncio.wait_for(s.reader.read(READ_BYTES), until - now)
        except asyncio.TimeoutError:
            break
        if not chunk:
            break
        s.buf += chunk
        scan()
    missing = [n for n in range(1, args.count + 1) if n not in seen]
    duplicates = sum(v - 1 for v in seen.values())
    report = {"expected": args.count, "delivered": len(seen), "duplicates": duplicates,
              "wrong_from": wrong_from, "errors": dict(errors), "other_messages": other,
              "missing_count": len(missing), "missing": missing[:MAX_SHOWN]}
    print(json.dumps(report, indent=1))
    return 0 if not missing and not duplicates and not wrong_from and not errors else 1


async def main(args):
    try:
        s = await login(args)
    except (RuntimeError, OSError, asyncio.TimeoutError) as e:
        print(json.dumps({"login": f"{args.jid} at {args.addr}: {e}"}))
        return 1
    rc = await (send(args, s) if args.mode == "send" else receive(args, s))
    await close(s)
    return rc


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["send", "receive"])
    parser.add_argument("--jid", required=True, help="bare JID to log in as")
    parser.add_argument("--password", required=True)
    parser.add_argument("--addr", required=True, help="c2s address of the user's server")
    parser.add_argument("--login-timeout", type=float, default=15.0)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--to", help="send: the recipient")
    parser.add_argument("--linger", type=float, default=5.0,
                        help="send: seconds to wait for bounces after the last message")
    parser.add_argument("--done-file", help="send: stop lingering once this file exists")
    parser.add_argument("--expect-from", help="receive: bare JID every message must come from")
    parser.add_argument("--timeout", type=float, default=60.0, help="receive: seconds once online")
    parser.add_argument("--ready-file", help="receive: touched once online")
    a = parser.parse_args()
    if a.mode == "send" and not a.to:
        parser.error("send needs --to")
    if a.mode == "receive" and not a.expect_from:
        parser.error("receive needs --expect-from")
    sys.exit(asyncio.run(main(a)))
