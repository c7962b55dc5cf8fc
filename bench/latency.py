#!/usr/bin/env python3
"""latency.py - how long records wait in a pipeline on a steady slow stream.

Usage: bench/latency.py [--rate N] [--seconds S] -- COMMAND [ARG...]

Writes a CSV stream (header "t,n", then one record every 1/N s, t being
the time it was written) into COMMAND's stdin, reads COMMAND's stdout,
and prints the time from the first record written to the first record
out, and the median and 99th percentile of each record's delay (time
out minus t). COMMAND must pass records through with t first (pfilter
true, mlr --csv cat). A benchmark, not a test.

The writer is a process of its own that sleeps between records, and the
reader takes whole blocks: a writer thread spinning beside a reader that
parses line by line would hold Python's lock and measure itself.
"""
import os
import subprocess
import sys
import time


def produce(rate, seconds):
    """The writer: header, then one record every 1/rate s, to stdout."""
    out = sys.stdout.buffer
    out.write(b"t,n\n")
    out.flush()
    n, start = 0, time.monotonic()
    while time.monotonic() - start < seconds:
        due = start + n / rate
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        out.write(b"%.6f,%d\n" % (time.monotonic(), n))
        out.flush()
        n += 1


def main():
    args = sys.argv[1:]
    rate, seconds = 2000.0, 3.0
    while args and args[0] != "--":
        opt, val = args[0], float(args[1])
        if opt == "--rate":
            rate = val
        elif opt == "--seconds":
            seconds = val
        elif opt == "--produce":
            produce(rate, val)
            return
        args = args[2:]
    cmd = args[1:]
    writer = subprocess.Popen([sys.executable, __file__, "--rate", str(rate),
                               "--produce", str(seconds)],
                              stdout=subprocess.PIPE)
    first_in = time.monotonic()
    p = subprocess.Popen(cmd, stdin=writer.stdout, stdout=subprocess.PIPE)
    writer.stdout.close()
    delays, first_out, rest = [], None, b""
    while True:
        block = os.read(p.stdout.fileno(), 1 << 16)
        if not block:
            break
        now = time.monotonic()
        lines = (rest + block).split(b"\n")
        rest = lines.pop()
        for line in lines:
            if line.startswith(b"t,"):
                continue
            if first_out is None:
                first_out = now
            delays.append(now - float(line.split(b",", 1)[0]))
    writer.wait()
    p.wait()
    delays.sort()
    if not delays:
        sys.exit("no records came out")
    print("%s: first record after %.0f ms; delay median %.1f ms, p99 %.1f ms "
          "(%d records)" % (" ".join(cmd), (first_out - first_in) * 1e3,
                            delays[len(delays) // 2] * 1e3,
                            delays[int(len(delays) * 0.99)] * 1e3,
                            len(delays)))


main()
