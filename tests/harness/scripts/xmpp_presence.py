"""Presence steps of one XMPP user, run in order; prints one JSON object and exits 1 when a step
fails. Steps (each one --step argument):

  subscribe:JID / unsubscribe:JID / subscribed:JID / unsubscribed:JID / probe:JID
                              send that presence type to JID
  message:JID:TEXT            send a chat message to JID
  show:SHOW:STATUS            broadcast own presence (SHOW: none|away|xa|dnd|chat; STATUS may be
                              empty)
  expect:TYPE:FROM[:SHOW[:STATUS]]
                              wait for a presence from FROM (bare JID) of TYPE (available,
                              message-error (a bounced message),
                              unavailable, subscribe, subscribed, unsubscribe, unsubscribed,
                              error); SHOW ('none' for no <show/>, '*' for any) and STATUS ('*'
                              for any) must match exactly. Presence that arrived earlier counts
                              (since the last relogin).
  expect-message:FROM:TEXT    wait for a chat message from FROM (bare JID) with that body
  mark                        from here on, expect looks only at what arrives after this step
  reject-others:TYPE:FROM     fail if a presence of TYPE from FROM arrived (checked at the end)
  roster:JID:SUBSCRIPTION     fetch the roster from the server and require JID's item to have
                              that subscription (none, to, from, both; 'absent' for no item)
  sleep:SECONDS               pause
  touch:PATH / wait-file:PATH synchronise with the test script
  relogin                     disconnect and log in again (the server probes the contacts)

Subscription requests are never answered automatically: the steps decide.
"""
import argparse
import asyncio
import os
import sys
import time

import xmpp_client


def describe(pres):
    # slixmpp reports an available presence's <show/> as its type.
    ptype = pres["type"]
    if ptype in ("", None, "away", "chat", "dnd", "xa"):
        ptype = "available"
    show = pres["show"] or "none"
    if ptype != "available":
        show = "none"
    out = {"type": ptype, "from": str(pres["from"].bare), "show": show, "status": pres["status"]}
    if ptype == "error":
        out["condition"] = raw_condition(pres)
    return out


STANZAS_NS = "urn:ietf:params:xml:ns:xmpp-stanzas"


def raw_condition(stanza):
    """The error condition read from the XML: slixmpp's own list lacks RFC 6120's newer ones
    (policy-violation)."""
    for error in stanza.xml:
        if error.tag.endswith("}error"):
            for child in error:
                if child.tag.startswith("{%s}" % STANZAS_NS) and not child.tag.endswith("}text"):
                    return child.tag.split("}", 1)[1]
    return ""


class Run:
    def __init__(self, args):
        self.args = args
        self.client = None
        self.received = []
        self.changed = None
        self.forbidden = []
        self.mark = 0  # expect looks at presence received from here on (after a relogin)

    def on_presence(self, pres):
        self.received.append(describe(pres))
        if self.changed is not None and not self.changed.done():
            self.changed.set_result(True)

    def on_message(self, msg):
        if msg["type"] not in ("chat", "normal") or not msg["body"]:
            return
        self.received.append({"type": "message", "from": str(msg["from"].bare), "show": "none",
                              "status": msg["body"]})
        if self.changed is not None and not self.changed.done():
            self.changed.set_result(True)

    def on_message_error(self, msg):
        self.received.append({"type": "message-error", "from": str(msg["from"].bare),
                              "show": "none", "status": "", "condition": raw_condition(msg)})
        if self.changed is not None and not self.changed.done():
            self.changed.set_result(True)

    async def login(self):
        def prepare(client):
            # Subscription requests are for the steps to answer, never slixmpp.
            client.roster.auto_authorize = None
            client.roster.auto_subscribe = False
            client.add_event_handler("presence", self.on_presence)
            client.add_event_handler("message_error", self.on_message_error)
            client.add_event_handler("message", self.on_message)

        self.client = await xmpp_client.login(self.args, before_connect=prepare)
        # Prosody delivers subscription stanzas only to "interested" resources: those that
        # fetched the roster (RFC 6121 §2.1.6).
        await self.client.get_roster()

    async def expect(self, want_type, want_from, want_show="*", want_status="*"):
        deadline = time.monotonic() + self.args.timeout
        seen = self.mark
        while True:
            for got in self.received[seen:]:
                if (got["type"] == want_type and got["from"] == want_from and
                        (want_show == "*" or got["show"] == want_show) and
                        (want_status == "*" or got["status"] == want_status)):
                    got["matched"] = True
                    return True
            seen = len(self.received)
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.changed = asyncio.get_running_loop().create_future()
            try:
                await asyncio.wait_for(self.changed, left)
            except asyncio.TimeoutError:
                pass

    async def step(self, text):
        parts = text.split(":")
        name = parts[0]
        c = self.client
        if name in ("subscribe", "unsubscribe", "subscribed", "unsubscribed", "probe"):
            c.send_presence(pto=parts[1], ptype=name)
        elif name == "message":
            c.send_message(mto=parts[1], mbody=":".join(parts[2:]), mtype="chat")
        elif name == "show":
            show = None if parts[1] == "none" else parts[1]
            status = ":".join(parts[2:]) or None
            c.send_presence(pshow=show, pstatus=status)
        elif name == "expect":
            want = parts[1:] + ["*"] * (4 - len(parts[1:]))
            if not await self.expect(want[0], want[1], want[2], ":".join(want[3:]) or "*"):
                return False
        elif name == "expect-message":
            if not await self.expect("message", parts[1], "none", ":".join(parts[2:])):
                return False
        elif name == "mark":
            self.mark = len(self.received)
        elif name == "reject-others":
            self.forbidden.append((parts[1], parts[2]))
        elif name == "roster":
            want = parts[2]
            await c.get_roster()  # Result and pushes both update client_roster.
            roster = c.client_roster
            got = roster[parts[1]]["subscription"] if roster.has_jid(parts[1]) else "absent"
            self.received.append({"type": "roster", "from": parts[1], "show": "none",
                                  "status": got})
            if got != want:
                return False
        elif name == "sleep":
            await asyncio.sleep(float(parts[1]))
        elif name == "touch":
            open(":".join(parts[1:]), "w").close()
        elif name == "wait-file":
            path = ":".join(parts[1:])
            deadline = time.monotonic() + self.args.timeout
            while not os.path.exists(path):
                if time.monotonic() > deadline:
                    return False
                await asyncio.sleep(0.1)
        elif name == "relogin":
            await xmpp_client.logout(c)
            self.received.append({"type": "relogin"})
            self.mark = len(self.received)
            await self.login()
        else:
            raise ValueError(f"unknown step {text}")
        return True


async def main():
    parser = argparse.ArgumentParser(description=__doc__)
    xmpp_client.add_login_args(parser)
    parser.add_argument("--step", action="append", default=[])
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per waiting step")
    parser.add_argument("--linger", type=float, default=1.0)
    args = parser.parse_args()
    xmpp_client.setup_logging(args.verbose)
    run = Run(args)
    failed = None
    try:
        await run.login()
        for text in args.step:
            if not await run.step(text):
                failed = text
                break
        await asyncio.sleep(args.linger)
    except Exception as exc:  # noqa: BLE001 - reported in the JSON line
        failed = f"exception: {exc}"
    for ptype, pfrom in run.forbidden:
        if failed is None and any(r.get("type") == ptype and r.get("from") == pfrom
                                  for r in run.received):
            failed = f"reject-others:{ptype}:{pfrom}"
    if run.client is not None:
        await xmpp_client.logout(run.client)
    xmpp_client.emit({"jid": args.jid, "ok": failed is None, "failed_step": failed,
                      "received": run.received})
    return 0 if failed is None else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
