#!/usr/bin/env python3
"""latency.py - how long records wait in a pipeline on a steady slow stream.

Usage: bench/latency.py [--rate N] [--seconds S] -- COMMAND [ARG...]

Writes a CSV stream (header "t,n", then one record every 1/N s, t being
the time it was written) into COMMAND's stdin, reads COMMAND's stdout,
and prints the time from the first record written to the first record
out, and the median and 99th percentile of each record's delay (time
out minus t). COMMAND must pass records through with t first (pfilter
true, mlr --csv cat). A benchmark, not a test.
"""
import subprocess
import sys
import threading
import time

args = sys.argv[1:]
rate, seconds = 2000.0, 3.0
while args and args[0] != "--":
    opt, val = args[0], float(args[1])
    if opt == "--rate":
        rate = val
    elif opt == "--seconds":
        seconds = val
    args = args[2:]
cmd = args[1:]
p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                     bufsize=0)
first_in = [None]


def produce():
    p.stdin.write(b"t,n\n")
    n, start = 0, time.monotonic()
    first_in[0] = start
    while time.monotonic() - start < seconds:
        due = start + n / rate
        while time.monotonic() < due:
            pass
        p.stdin.write(b"%.6f,%d\n" % (time.monotonic(), n))
        n += 1
    p.stdin.close()


t = threading.Thread(target=produce)
t.start()
delays, first_out = [], None
for line in p.stdout:
    now = time.monotonic()
    if line.startswith(b"t,"):
        continue
    if first_out is None:
        first_out = now
    delays.append(now - float(line.split(b",", 1)[0]))
t.join()
p.wait()
delays.sort()
if not delays:
    sys.exit("no records came out")
print("%s: first record after %.0f ms; delay median %.1f ms, p99 %.1f ms "
      "(%d records)" % (" ".join(cmd), (first_out - first_in[0]) * 1e3,
                        delays[len(delays) // 2] * 1e3,
                        delays[int(len(delays) * 0.99)] * 1e3, len(delays)))
