#!/usr/bin/python3
"""The XMPP end of a session-mode IM conversation: logs in, touches READY_FILE, waits for COUNT
chat messages from EXPECT_FROM with bodies "PREFIX #1" .. "PREFIX #COUNT" (in order), checks
that they all carry the same non-empty <thread/> (the gateway's id of the SIP session), then
answers with REPLY in that thread.
Prints {"received": [...], "threads": [...], "replied": bool, "problems": [...]}; exit 0 only
when the messages arrived exactly as expected and the reply was sent."""
import argparse
import asyncio
import pathlib
import sys

import xmpp_client


async def main(args):
    expected = [f"{args.prefix} #{i}" for i in range(1, args.count + 1)]
    received, threads, problems = [], [], []
    all_in = asyncio.get_running_loop().create_future()

    def on_message(msg):
        body = msg["body"].rstrip("\r\n")
        received.append({"from": str(msg["from"]), "type": msg["type"], "body": body})
        threads.append(msg["thread"])
        if msg["from"].bare != args.expect_from:
            problems.append(f"message from {msg['from']}, expected {args.expect_from}")
        if len(received) >= args.count and not all_in.done():
            all_in.set_result(True)

    def on_error(msg):
        problems.append(f"error stanza: {xmpp_client.error_of(msg)}")

    try:
        client = await xmpp_client.login(args, on_message, on_error)
    except RuntimeError as e:
        xmpp_client.emit({"received": [], "login": str(e)})
        return 1
    if args.ready_file:
        pathlib.Path(args.ready_file).touch()
    replied = False
    try:
        await asyncio.wait_for(all_in, args.timeout)
    except asyncio.TimeoutError:
        problems.append(f"only {len(received)} of {args.count} messages within {args.timeout}s")
    bodies = [m["body"] for m in received]
    if bodies != expected:
        problems.append(f"bodies {bodies}, expected {expected}")
    if any(m["type"] != "chat" for m in received):
        problems.append("a message is not type='chat'")
    if not threads or not threads[0] or any(t != threads[0] for t in threads):
        problems.append(f"threads differ or are empty: {threads}")
    if not problems:
        reply = client.make_message(mto=args.expect_from, mbody=args.reply, mtype="chat")
        reply["thread"] = threads[0]
        reply.send()
        replied = True
        await asyncio.sleep(1.0)
    await xmpp_client.logout(client)
    xmpp_client.emit({"received": received, "threads": threads, "replied": replied,
                      "problems": problems})
    return 0 if replied else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    xmpp_client.add_login_args(parser)
    parser.add_argument("--expect-from", required=True, help="bare JID of the SIP user")
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--reply", required=True, help="body of the answer")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--ready-file")
    a = parser.parse_args()
    xmpp_client.setup_logging(a.verbose)
    sys.exit(asyncio.run(main(a)))
