#!/usr/bin/python3
"""Sends COUNT chat messages to one JID, bodies "PREFIX #1" .. "PREFIX #COUNT", then waits
LINGER seconds for error stanzas bounced back.
Prints {"sent": n, "errors": k, "first_errors": [...]}; exit 0 when all were sent and no error
came back (delivery itself is checked by the receiving side)."""
import argparse
import asyncio
import sys

import xmpp_client

# How many bounced errors to show in the report; the count covers all of them.
MAX_ERRORS_SHOWN = 5


async def main(args):
    errors = []

    def on_error(msg):
        errors.append(xmpp_client.error_of(msg))

    try:
        client = await xmpp_client.login(args, on_error=on_error)
    except RuntimeError as e:
        xmpp_client.emit({"sent": 0, "errors": 0, "login": str(e)})
        return 1
    pause = 1.0 / args.rate if args.rate > 0 else 0.0
    for i in range(1, args.count + 1):
        msg = client.make_message(mto=args.to, mbody=f"{args.prefix} #{i}", mtype="chat")
        msg["id"] = f"{args.prefix}-{i}"
        msg.send()
        if pause:
            await asyncio.sleep(pause)
        elif i % 50 == 0:
            await asyncio.sleep(0)   # let the stream write between bursts
    await asyncio.sleep(args.linger)
    await xmpp_client.logout(client)
    xmpp_client.emit({"sent": args.count, "to": args.to, "errors": len(errors),
                      "first_errors": errors[:MAX_ERRORS_SHOWN]})
    return 0 if not errors else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    xmpp_client.add_login_args(parser)
    parser.add_argument("--to", required=True)
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--prefix", default="xmpp-msg")
    parser.add_argument("--rate", type=float, default=0, help="messages per second; 0 = no pause")
    parser.add_argument("--linger", type=float, default=2.0)
    a = parser.parse_args()
    xmpp_client.setup_logging(a.verbose)
    sys.exit(asyncio.run(main(a)))
