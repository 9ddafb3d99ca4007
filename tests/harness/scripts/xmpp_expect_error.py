#!/usr/bin/python3
"""Sends one chat message to TO and waits for the <message type='error'/> that must come back.
Prints {"error": true, "condition": ..., "type": ..., "text": ..., "from": ..., "id_matches": ...}
or {"error": false}; exit 0 when an error came back for this message and, with
--expect-condition, carries that condition."""
import argparse
import asyncio
import sys
import uuid

import xmpp_client


async def main(args):
    msg_id = f"expect-error-{uuid.uuid4().hex[:12]}"
    bounced = asyncio.get_running_loop().create_future()

    def on_error(msg):
        # A server may bounce without the id; accept an error from the addressee's JID too.
        if msg["id"] == msg_id or msg["from"].bare == args.to:
            if not bounced.done():
                bounced.set_result(msg)

    try:
        client = await xmpp_client.login(args, on_error=on_error)
    except RuntimeError as e:
        xmpp_client.emit({"error": False, "login": str(e)})
        return 1
    msg = client.make_message(mto=args.to, mbody=args.body, mtype="chat")
    msg["id"] = msg_id
    msg.send()
    try:
        err = await asyncio.wait_for(bounced, args.timeout)
    except asyncio.TimeoutError:
        err = None
    await xmpp_client.logout(client)
    if err is None:
        xmpp_client.emit({"error": False, "to": args.to, "waited_s": args.timeout})
        return 1
    report = xmpp_client.error_of(err)
    report.update({"error": True, "id_matches": err["id"] == msg_id, "to": args.to})
    xmpp_client.emit(report)
    if args.expect_condition and report["condition"] != args.expect_condition:
        return 1
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    xmpp_client.add_login_args(parser)
    parser.add_argument("--to", required=True)
    parser.add_argument("--body", default="is anybody there?")
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--expect-condition", default="")
    a = parser.parse_args()
    xmpp_client.setup_logging(a.verbose)
    sys.exit(asyncio.run(main(a)))
