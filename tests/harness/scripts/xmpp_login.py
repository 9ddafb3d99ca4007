#!/usr/bin/python3
"""Logs in over c2s and out again. Prints {"login": "ok", ...}; exit 0 on success."""
import argparse
import asyncio
import sys

import xmpp_client


async def main(args):
    try:
        client = await xmpp_client.login(args)
    except RuntimeError as e:
        xmpp_client.emit({"login": "failed", "reason": str(e)})
        return 1
    xmpp_client.emit({"login": "ok", "jid": str(client.boundjid)})
    await xmpp_client.logout(client)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    xmpp_client.add_login_args(parser)
    a = parser.parse_args()
    xmpp_client.setup_logging(a.verbose)
    sys.exit(asyncio.run(main(a)))
