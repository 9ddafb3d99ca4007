#!/usr/bin/python3
"""Checks the message log of a SIPp UAS (tests/harness/sip/uas_message.xml writes one line
"MESSAGE|<From URI>|<To URI>|<body>" per MESSAGE): exactly COUNT messages with bodies
"PREFIX #1" .. "PREFIX #COUNT", each once, each from FROM to TO. Other lines are reported.
Prints a JSON report; exit 0 when everything matches."""
import argparse
import collections
import json
import sys

MAX_SHOWN = 10


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--log", required=True)
    parser.add_argument("--from-uri", required=True)
    parser.add_argument("--to-uri", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--count", type=int, required=True)
    a = parser.parse_args()

    expected = {f"{a.prefix} #{i}" for i in range(1, a.count + 1)}
    seen = collections.Counter()
    wrong, other = [], []
    try:
        with open(a.log, encoding="utf-8", errors="replace") as f:
            lines = [line.rstrip("\r\n") for line in f]
    except OSError as e:
        lines = []
        other.append(f"cannot read log: {e}")
    for line in lines:
        if not line.startswith("MESSAGE|"):
            continue
        parts = line.split("|", 3)
        if len(parts) != 4:
            other.append(line)
            continue
        _, frm, to, body = parts
        body = body.strip()
        if body not in expected:
            other.append(line)
        elif frm != a.from_uri or to != a.to_uri:
            wrong.append(line)
        else:
            seen[body] += 1
    missing = sorted(expected - set(seen), key=lambda b: int(b.rsplit("#", 1)[1]))
    duplicates = sum(n - 1 for n in seen.values())
    report = {"expected": a.count, "matching": len(seen), "missing_count": len(missing),
              "missing": missing[:MAX_SHOWN], "wrong_from_or_to_count": len(wrong),
              "wrong_from_or_to": wrong[:MAX_SHOWN], "other_count": len(other),
              "other": other[:MAX_SHOWN], "duplicates": duplicates}
    print(json.dumps(report, sort_keys=True))
    return 0 if not missing and not wrong and not other and duplicates == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
