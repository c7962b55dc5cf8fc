#!/usr/bin/env python3
"""csv_oracle.py - pflow's CSV reading against Python's csv module.

    csv_oracle.py BUILD_DIR WORK_DIR [ROUNDS [SEED]]

Writes random CSV files (stray quotes inside unquoted fields, quoted
fields with delimiters, "" and line breaks, CRLF and LF, empty fields, a
missing final newline) and runs them through the tools at several
--chunk sizes and -j1/-j4. The records each one writes must parse, with
Python's csv, to exactly the rows Python reads from the input:

- pfilter true (with --bad: nothing may be set aside), in input order;
- pmap --batch 50 and pmap --pipe, with tail -n +2 as the command, in
  input order;
- ppartition -n 3 --ocsv with tail -n +2, as a multiset (partitions
  interleave).

Prints the first difference and exits 1; exits 0 when all agree.
"""
import csv
import io
import os
import random
import subprocess
import sys

ALNUM = "abcxyz019 "


def plain_field(rng):
    """An unquoted field: never starts with a quote, may hold some."""
    kind = rng.randrange(6)
    if kind == 0:
        return ""
    word = "".join(rng.choice(ALNUM) for _ in range(rng.randrange(1, 6)))
    if kind == 1:
        return word[0] + '"' + word[1:]        # x"y
    if kind == 2:
        return word + '"'                      # 5"
    if kind == 3:
        return word + '""' + word              # a""a
    return word.strip() or "w"


def quoted_field(rng):
    parts = []
    for _ in range(rng.randrange(0, 5)):
        parts.append(rng.choice(["a", "b c", ",", '"', "\n", "\r\n", "x"]))
    return '"' + "".join(parts).replace('"', '""') + '"'


def record(rng, nfields):
    return ",".join(quoted_field(rng) if rng.randrange(3) == 0
                    else plain_field(rng) for _ in range(nfields))


def make_csv(rng):
    nfields = rng.randrange(2, 6)
    eol = "\r\n" if rng.randrange(3) == 0 else "\n"
    lines = [",".join("f%d" % i for i in range(nfields))]
    for _ in range(rng.randrange(1, 400)):
        lines.append(record(rng, nfields))
    text = "".join(line + (eol if rng.randrange(8) else "\r\n")
                   for line in lines)
    if rng.randrange(4) == 0:
        text = text.rstrip("\r\n")
    return text


def rows_of(text):
    return [r for r in csv.reader(io.StringIO(text, newline=""))
            if r != []]


def run(argv):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=120)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def main():
    build, work = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 14
    rng = random.Random(seed)
    path = os.path.join(work, "oracle.csv")
    bad = os.path.join(work, "oracle-bad.txt")
    tool = lambda name: os.path.join(build, name)
    for n in range(rounds):
        text = make_csv(rng)
        with open(path, "w", newline="") as f:
            f.write(text)
        want = rows_of(text)
        chunk = rng.choice(["1", "7", "64", "1K", "64K"])
        jobs = rng.choice(["-j1", "-j4"])
        runs = [
            ("pfilter", [tool("pfilter"), jobs, "--chunk", chunk, "--bad",
                         bad, "true", path], want, True),
            ("pmap --batch", [tool("pmap"), jobs, "--chunk", chunk,
                              "--batch", "50", "-a", path, "--", "tail",
                              "-n", "+2"], want[1:], True),
            ("pmap --pipe", [tool("pmap"), jobs, "--chunk", chunk, "--pipe",
                             "-a", path, "--", "tail", "-n", "+2"],
             want[1:], True),
            ("ppartition", [tool("ppartition"), jobs, "--chunk", chunk,
                            "-k", "1", "-n", "3", "--ocsv", "-a", path, "--",
                            "tail", "-n", "+2"], want[1:], False),
        ]
        for name, argv, expect, ordered in runs:
            if os.path.exists(bad):
                os.unlink(bad)
            status, out, err = run(argv)
            got = rows_of(out)
            if not ordered:
                got, expect = sorted(got), sorted(expect)
            problem = None
            if status != 0:
                problem = "status %d: %s" % (status, err.strip())
            elif got != expect:
                i = next((i for i, (a, b) in enumerate(zip(got, expect))
                          if a != b), min(len(got), len(expect)))
                problem = "row %d: pflow %r, python %r (%d vs %d rows)" % (
                    i, got[i] if i < len(got) else None,
                    expect[i] if i < len(expect) else None,
                    len(got), len(expect))
            elif name == "pfilter" and os.path.exists(bad) and \
                    os.path.getsize(bad) > 0:
                problem = "records set aside with --bad"
            if problem:
                keep = os.path.join(work, "oracle-fail-%d.csv" % n)
                os.replace(path, keep)
                print("round %d, %s (%s): %s; input kept in %s" % (
                    n, name, " ".join(argv[1:]), problem, keep))
                return 1
    print("%d rounds agree with Python's csv" % rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
