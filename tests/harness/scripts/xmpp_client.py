"""Shared slixmpp plumbing for the interop scripts: log in, report, leave.

Debian's python3-slixmpp: run the scripts with /usr/bin/python3. Every script prints one JSON
object on stdout (the test asserts on it) and exits non-zero when its own check fails.
"""
import asyncio
import json
import logging

# slixmpp warns at import time that it uses the pure-Python stringprep; that is expected here.
logging.getLogger("slixmpp.stringprep").setLevel(logging.ERROR)
import slixmpp  # noqa: E402

C2S_PORT = 5222


def setup_logging(verbose):
    logging.basicConfig(level=logging.DEBUG if verbose else logging.ERROR,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def add_login_args(parser):
    parser.add_argument("--jid", required=True, help="bare JID to log in as")
    parser.add_argument("--password", required=True)
    parser.add_argument("--addr", required=True, help="c2s address of the user's server")
    parser.add_argument("--login-timeout", type=float, default=15.0)
    parser.add_argument("-v", "--verbose", action="store_true", help="slixmpp debug log on stderr")


async def login(args, on_message=None, on_error=None, before_connect=None):
    """Connects without TLS (the harness's Prosody allows it), waits for the session, sends
    initial presence so that the server routes messages for the bare JID to this resource.
    on_message gets every message with a body that is not an error; on_error every
    <message type='error'/> (slixmpp raises "message" only for a <body/>, and a bounce may
    carry none)."""
    loop = asyncio.get_running_loop()
    started = loop.create_future()
    client = slixmpp.ClientXMPP(args.jid, args.password)

    def settle(result):
        if not started.done():
            started.set_result(result)

    client.add_event_handler("session_start", lambda _ev: settle("ok"))
    client.add_event_handler("failed_auth", lambda _ev: settle("authentication failed"))
    client.add_event_handler("connection_failed", lambda ev: settle(f"connection failed: {ev}"))
    if on_message is not None:
        client.add_event_handler("message", lambda msg: msg["type"] == "error" or on_message(msg))
    if on_error is not None:
        client.add_event_handler("message_error", on_error)
    if before_connect is not None:
        # Handlers and roster settings that must be in place before the first stanza arrives
        # (the server delivers pending subscription requests right after initial presence).
        before_connect(client)
    client.connect((args.addr, C2S_PORT), disable_starttls=True, force_starttls=False)
    try:
        result = await asyncio.wait_for(started, args.login_timeout)
    except asyncio.TimeoutError:
        result = "no session within the login timeout"
    if result != "ok":
        client.disconnect()
        raise RuntimeError(f"login {args.jid} at {args.addr}: {result}")
    client.send_presence()
    return client


async def logout(client):
    # disconnect() waits for the send queue to drain (up to 2 s) before closing the stream.
    client.disconnect()
    await asyncio.sleep(0.3)


def error_of(msg):
    """The stanza error of a <message type='error'/> as a plain dict."""
    err = msg["error"]
    return {"from": str(msg["from"]), "id": msg["id"], "type": err["type"],
            "condition": err["condition"], "text": err["text"]}


def emit(obj):
    print(json.dumps(obj, sort_keys=True), flush=True)
