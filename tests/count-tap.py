#!/usr/bin/env python3
"""Totals the TAP test points of meson test runs: one line per build
directory (all its meson-logs/*.json test logs: the plain run and any
--logbase runs) and a last line "N passed, N failed" (", N skipped")."""
import glob
import json
import re
import sys

point = re.compile(r"^(not )?ok\b[^#]*(#\s*(skip|todo))?", re.I)
total = {"passed": 0, "failed": 0, "skipped": 0}
for build in sys.argv[1:]:
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    logs = sorted(glob.glob(f"{build}/meson-logs/*.json"))
    if not logs:
        print(f"{build}: no test log")
        counts["failed"] += 1
    lines = [line for path in logs for line in open(path)]
    for line in lines:
        test = json.loads(line)
        points = 0
        for out in (test.get("stdout") or "").splitlines():
            m = point.match(out)
            if not m:
                continue
            points += 1
            if m.group(3):
                counts["skipped"] += 1
            elif m.group(1):
                counts["failed"] += 1
            else:
                counts["passed"] += 1
        # A program that died before printing its plan counts as a failure.
        if test.get("result") not in ("OK", "SKIP", "EXPECTEDFAIL") and \
                not any(point.match(o) and o.startswith("not ok")
                        for o in (test.get("stdout") or "").splitlines()):
            counts["failed"] += 1
        if points == 0 and test.get("result") == "OK":
            counts["passed"] += 1
    print(f"{build}: {counts['passed']} passed, {counts['failed']} failed, "
          f"{counts['skipped']} skipped")
    for k in total:
        total[k] += counts[k]
print(f"{total['passed']} passed, {total['failed']} failed, "
      f"{total['skipped']} skipped")
sys.exit(1 if total["failed"] else 0)
