#!/usr/bin/python3
"""XEP-0085 chat states through the gateway.
  send:   sends body-less chat messages to TO, one per state in STATES (comma-separated, e.g.
          composing,paused), GAP seconds apart; prints {"sent": [...]}.
  expect: touches READY_FILE once online, then waits for a message from EXPECT_FROM; prints
          {"from", "type", "states", "body", "children"} of the first one; exit 0 when it has
          exactly the chat state STATE and no body."""
import argparse
import asyncio
import pathlib
import sys

from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

import xmpp_client

CHATSTATES_NS = "http://jabber.org/protocol/chatstates"
STATES = ("active", "composing", "paused", "inactive", "gone")


async def send(args, client):
    sent = []
    for i, state in enumerate(args.states.split(",")):
        if i:
            await asyncio.sleep(args.gap)
        msg = client.make_message(mto=args.to, mtype="chat")
        msg["id"] = f"chatstate-{i + 1}"
        msg.xml.append(msg.xml.makeelement(f"{{{CHATSTATES_NS}}}{state}", {}))
        msg.send()
        sent.append(state)
    await asyncio.sleep(1.0)
    xmpp_client.emit({"sent": sent, "to": args.to})
    return 0


async def expect(args, client):
    got = asyncio.get_running_loop().create_future()

    def on_any(stanza):
        if stanza["from"].bare == args.expect_from and not got.done():
            got.set_result(stanza)

    client.register_handler(Callback("any message", MatchXPath("{jabber:client}message"), on_any))
    if args.ready_file:
        pathlib.Path(args.ready_file).touch()
    try:
        stanza = await asyncio.wait_for(got, args.timeout)
    except asyncio.TimeoutError:
        xmpp_client.emit({"received": False, "waited_s": args.timeout})
        return 1
    children = [child.tag for child in stanza.xml]
    states = [t.split("}")[1] for t in children if t.startswith(f"{{{CHATSTATES_NS}}}") and
              t.split("}")[1] in STATES]
    body = stanza.xml.find("{jabber:client}body")
    report = {"received": True, "from": str(stanza["from"]), "type": stanza["type"],
              "states": states, "body": None if body is None else body.text,
              "children": children}
    xmpp_client.emit(report)
    ok = states == [args.state] and body is None and stanza["type"] == "chat"
    return 0 if ok else 1


async def main(args):
    try:
        client = await xmpp_client.login(args)
    except RuntimeError as e:
        xmpp_client.emit({"login": str(e)})
        return 1
    rc = await (send(args, client) if args.mode == "send" else expect(args, client))
    await xmpp_client.logout(client)
    return rc


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    xmpp_client.add_login_args(parser)
    parser.add_argument("mode", choices=("send", "expect"))
    parser.add_argument("--to")
    parser.add_argument("--states", default="composing,paused")
    parser.add_argument("--gap", type=float, default=0.5)
    parser.add_argument("--expect-from")
    parser.add_argument("--state", default="composing")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--ready-file")
    a = parser.parse_args()
    xmpp_client.setup_logging(a.verbose)
    sys.exit(asyncio.run(main(a)))
