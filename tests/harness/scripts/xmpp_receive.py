#!/usr/bin/python3
"""Logs in, becomes available, and collects messages until COUNT messages from the expected
bare JID with bodies "PREFIX #1" .. "PREFIX #COUNT" have arrived (or TIMEOUT). Touches
READY_FILE once it is online, so a test can start the sender then.
Prints {"expected": n, "matching": m, "received": r, "missing": [...], "wrong_from": [...],
"unexpected": [...], "duplicates": d, "types": {...}}; exit 0 only when every expected message
arrived exactly once, from the expected JID, and nothing else arrived."""
import argparse
import asyncio
import collections
import pathlib
import sys

import xmpp_client

# Lists in the report are cut to this length; their counts are exact.
MAX_SHOWN = 10
# Extra time after the last expected message, so that duplicates are noticed too.
SETTLE_S = 1.0


async def main(args):
    expected = {f"{args.prefix} #{i}" for i in range(1, args.count + 1)}
    seen = collections.Counter()
    wrong_from, unexpected, types = [], [], collections.Counter()
    all_in = asyncio.get_running_loop().create_future()

    def on_message(msg):
        types[msg["type"]] += 1
        # SIPp ends every body with the CRLF its scenario line ends with (Content-Length
        # counts it); the gateway passes bodies through unchanged, so compare without it.
        body, sender = msg["body"].rstrip("\r\n"), msg["from"].bare
        if sender != args.expect_from:
            wrong_from.append({"from": str(msg["from"]), "body": body})
        elif body not in expected:
            unexpected.append({"from": str(msg["from"]), "body": body})
        else:
            seen[body] += 1
            if len(seen) == len(expected) and not all_in.done():
                all_in.set_result(True)

    def on_error(msg):
        types["error"] += 1
        unexpected.append({"error": xmpp_client.error_of(msg)})

    try:
        client = await xmpp_client.login(args, on_message, on_error)
    except RuntimeError as e:
        xmpp_client.emit({"expected": args.count, "matching": 0, "login": str(e)})
        return 1
    if args.ready_file:
        pathlib.Path(args.ready_file).touch()
    try:
        await asyncio.wait_for(all_in, args.timeout)
        await asyncio.sleep(SETTLE_S)
    except asyncio.TimeoutError:
        pass
    await xmpp_client.logout(client)

    missing = sorted(expected - set(seen), key=lambda b: int(b.rsplit("#", 1)[1]))
    duplicates = sum(n - 1 for n in seen.values())
    report = {"expected": args.count, "matching": len(seen), "received": sum(types.values()),
              "missing_count": len(missing), "missing": missing[:MAX_SHOWN],
              "wrong_from_count": len(wrong_from), "wrong_from": wrong_from[:MAX_SHOWN],
              "unexpected_count": len(unexpected), "unexpected": unexpected[:MAX_SHOWN],
              "duplicates": duplicates, "types": dict(types)}
    xmpp_client.emit(report)
    ok = not missing and not wrong_from and not unexpected and duplicates == 0
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    xmpp_client.add_login_args(parser)
    parser.add_argument("--expect-from", required=True, help="bare JID every message must come from")
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait once online")
    parser.add_argument("--ready-file")
    a = parser.parse_args()
    xmpp_client.setup_logging(a.verbose)
    sys.exit(asyncio.run(main(a)))
