"""Sends one command to a baresip started with its ctrl_tcp module and prints the response.

  baresip_ctl.py --port PORT COMMAND [PARAMS]

baresip's ctrl_tcp speaks JSON in netstrings ("LEN:JSON,"): a command is
{"command": ..., "params": ..., "token": ...}; the response carries the same token, and event
objects may arrive in between (they are skipped). Exits 0 when the response says ok.
"""
import argparse
import json
import socket
import sys
import time


def read_netstring(sock, buf):
    while True:
        colon = buf.find(b":")
        if colon > 0:
            length = int(buf[:colon])
            end = colon + 1 + length
            if len(buf) > end:
                return buf[colon + 1:end], buf[end + 1:]
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("baresip closed the control connection")
        buf += chunk


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("command")
    parser.add_argument("params", nargs="?", default="")
    args = parser.parse_args()
    token = f"t{time.monotonic_ns()}"
    request = json.dumps({"command": args.command, "params": args.params, "token": token})
    payload = request.encode()
    with socket.create_connection((args.host, args.port), timeout=args.timeout) as sock:
        sock.sendall(str(len(payload)).encode() + b":" + payload + b",")
        buf = b""
        while True:
            try:
                body, buf = read_netstring(sock, buf)
            except (ConnectionError, socket.timeout) as exc:
                if args.command == "quit":
                    print(json.dumps({"command": "quit", "ok": True, "closed": str(exc)}))
                    return 0
                raise
            message = json.loads(body)
            if message.get("response") and message.get("token") == token:
                print(json.dumps(message))
                return 0 if message.get("ok") else 1


if __name__ == "__main__":
    sys.exit(main())
