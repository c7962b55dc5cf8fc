#!/usr/bin/env python3
"""summary_oracle.py - preduce --summary (pflow stats) against Python (TAP).

Usage: summary_oracle.py BUILD_DIR [SEED]

Generates random CSV files (integers, decimals in every notation, 64-bit
and 30-digit integers, ISO dates, text with quotes, commas, newlines and
UTF-8, mixed columns, an all-empty column, empty values everywhere, CRLF
line ends, ragged short rows in some runs...) and checks every row of the
summary against an oracle written from the man page:
- type: integer / decimal / date / text / mixed / empty, classified as
  the man page says;
- count, empty, distinct (by text);
- min, max: the value as written, numerically (fractions.Fraction, ties
  to the first seen) in a numeric column, else byte-wise;
- mean: the double nearest to the exact mean (Fraction); stdev: the
  square root of the exact sample variance, to 2 ulps;
- p25, median, p75: DuckDB's quantile_cont in exact arithmetic, rounded
  once (preduce's percentiles);
- minlen, maxlen: characters (Python's len of the str);
- top: collections.Counter, most common first, ties by first appearance,
  five at most, "VALUE:COUNT" joined by "; ".
- approx: empty.
Then the same output, byte for byte, at -j1, -j2, -j4 and small --chunk,
in CSV and JSON Lines (each line parses, with the same values), and
`pflow stats` is `preduce --summary`. Past a small --memory (sketches):
the same at every -j and --chunk, every column exact but distinct (within
2.43% of the true count), the quartiles (within 1% of the values they
interpolate) and top (at most five values, highest first, each count at
least the true one and at most e/2048 of the column's count above it,
and above that bound; every value above 1% of the column listed unless
five listed counts pass its own), and approx naming the bounds.
"""
import csv
import io
import json
import math
import os
import random
import re
import subprocess
import sys
from collections import Counter
from fractions import Fraction

from oracle import ok, plan

BUILD = sys.argv[1]
SEED = int(sys.argv[2]) if len(sys.argv) > 2 else 29
PREDUCE = os.path.join(BUILD, "preduce")
PFLOW = os.path.join(BUILD, "pflow")
COLUMNS = ["field", "type", "count", "empty", "distinct", "min", "max",
           "mean", "stdev", "p25", "median", "p75", "minlen", "maxlen",
           "top", "approx"]
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\Z")
INTEGER = re.compile(r"[+-]?\d+\Z")
DATE = re.compile(r"\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d)?)?\Z")

rng = random.Random(SEED)
def run(prog, args, data):
    p = subprocess.run([prog] + args, input=data, capture_output=True)
    if p.returncode != 0:
        raise RuntimeError("%s %s: status %d: %s" % (
            prog, " ".join(args), p.returncode,
            p.stderr.decode(errors="replace")))
    return p.stdout


# Values of each kind of column ("" is an empty field).

def integer():
    return str(rng.choice([rng.randint(-50, 50), rng.randint(-10**6, 10**6),
                           rng.randint(-2**63, 2**63 - 1),
                           rng.randint(0, 10**30)]))


def decimal():
    return rng.choice([
        "%.2f" % rng.uniform(-1000, 1000), "%.8f" % rng.uniform(-1, 1),
        "%de%d" % (rng.randint(-999, 999), rng.randint(-20, 20)),
        "%dE+%d" % (rng.randint(0, 99), rng.randint(0, 5)),
        ".%d" % rng.randint(0, 999), "%d." % rng.randint(0, 99),
        "+%d.5" % rng.randint(0, 9), "-0.0", "1.50", "1.5"])


def date():
    y, m, d = rng.randint(1990, 2030), rng.randint(1, 12), rng.randint(1, 28)
    s = "%04d-%02d-%02d" % (y, m, d)
    if rng.random() < 0.5:
        s += "T%02d:%02d" % (rng.randint(0, 23), rng.randint(0, 59))
    return s


WORDS = ["LAX", "JFK", "ORD", "a,b", 'say "hi"', "line\nbreak", "é", "日本",
         "x y", " lead", "trail ", "zz", "Ab", "ab", "-", "a;b", "k:v"]


def text():
    if rng.random() < 0.7:
        return rng.choice(WORDS)
    return "".join(rng.choice("abcXYZ _-'") for _ in range(rng.randint(1, 8)))


def small():
    return rng.choice(["1", "2", "3", "10", "2"])


KINDS = {
    "integer": [integer],
    "decimal": [integer, decimal],
    "date": [date],
    "text": [text],
    "mixed": [integer, decimal, text, date],
    "small": [small],
    "nearly-empty": [text],
}


def dataset():
    ncols = rng.randint(1, 6)
    kinds = [rng.choice(list(KINDS)) for _ in range(ncols)]
    if rng.random() < 0.2:
        kinds.append("all-empty")
    nrows = rng.randint(0, 60) if rng.random() < 0.3 else rng.randint(1, 400)
    pempty = rng.choice([0, 0.05, 0.3])
    rows = []
    for _ in range(nrows):
        row = []
        for k in kinds:
            if k == "all-empty" or rng.random() < pempty or \
                    (k == "nearly-empty" and rng.random() < 0.95):
                row.append("")
            else:
                row.append(rng.choice(KINDS[k])())
        rows.append(row)
    names = ["c%d %s" % (i, k) for i, k in enumerate(kinds)]
    if names:
        names[0] = rng.choice([names[0], 'quoted "name"', "a,b"])
    return names, rows


def to_csv(names, rows, crlf):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n" if crlf else "\n")
    w.writerow(names)
    for r in rows:
        w.writerow(r)
    text = buf.getvalue()
    if rng.random() < 0.2 and text.endswith("\n"):
        text = text[:-2 if crlf else -1]	# no final newline
    return text.encode()


# The oracle.

def kind(v):
    if NUMBER.match(v):
        return "integer" if INTEGER.match(v) else "decimal"
    if DATE.match(v):
        return "date"
    return "text"


def rounded(q):
    try:
        return float(q)
    except OverflowError:
        return math.inf if q > 0 else -math.inf


def quantile_cont(fr, q):
    v = sorted(fr)
    h = (len(v) - 1) * q
    lo, hi = v[math.floor(h)], v[math.ceil(h)]
    return rounded(lo + (hi - lo) * (h - math.floor(h)))


def expected(values):
    """The summary of one column (values as read, "" empty)."""
    xs = [v for v in values if v != ""]
    kinds = {kind(x) for x in xs}
    if not kinds:
        t = "empty"
    elif kinds == {"integer"}:
        t = "integer"
    elif kinds <= {"integer", "decimal"}:
        t = "decimal"
    elif len(kinds) == 1:
        t = kinds.pop()
    else:
        t = "mixed"
    e = {"type": t, "count": len(xs), "empty": len(values) - len(xs),
         "distinct": len(set(xs))}
    numeric = t in ("integer", "decimal")
    if xs:
        if numeric:
            fr = [Fraction(x) for x in xs]
            e["min"] = xs[min(range(len(xs)), key=lambda i: (fr[i], i))]
            e["max"] = xs[min(range(len(xs)), key=lambda i: (-fr[i], i))]
        else:
            e["min"] = min(xs, key=lambda x: x.encode())
            e["max"] = max(xs, key=lambda x: x.encode())
        e["minlen"] = min(len(x) for x in xs)
        e["maxlen"] = max(len(x) for x in xs)
        counts = Counter(xs)
        first = {}
        for i, x in enumerate(xs):
            first.setdefault(x, i)
        top = sorted(counts, key=lambda x: (-counts[x], first[x]))[:5]
        e["top"] = "; ".join("%s:%d" % (x, counts[x]) for x in top)
    if numeric:
        s = sum(fr)
        n = len(fr)
        e["mean"] = rounded(s / n)
        if n >= 2:
            e["var"] = (n * sum(f * f for f in fr) - s * s) / (n * (n - 1))
        for name, q in (("p25", Fraction(1, 4)), ("median", Fraction(1, 2)),
                        ("p75", Fraction(3, 4))):
            e[name] = quantile_cont(fr, q)
    return e


def close_ulp(got, want):
    return got == want or abs(got - want) <= 2 * math.ulp(want)


def parse_top(text, known, at=0):
    """The (value, count) pairs of a top column, values among known."""
    if at == len(text):
        return []
    for x in known:
        m = re.compile(r"(\d+)(; |\Z)").match(text, at + len(x) + 1)
        if text.startswith(x + ":", at) and m:
            rest = parse_top(text, known, m.end()) if m.group(2) else []
            if rest is not None:
                return [(x, int(m.group(1)))] + rest
    return None


def check_top(top, values):
    """Past --memory: the top values of Count-Min over a sample."""
    xs = [v for v in values if v != ""]
    counts = Counter(xs)
    n = len(xs)
    bound = math.floor(n * math.e / 2048)
    got = parse_top(top, set(counts))
    if got is None:
        return ["top: %r does not parse as VALUE:COUNT of the values" % top]
    bad = []
    if len(got) > 5 or len({x for x, _ in got}) != len(got):
        bad.append("top: %r: more than 5, or a value twice" % top)
    if [c for _, c in got] != sorted((c for _, c in got), reverse=True):
        bad.append("top: %r: not highest first" % top)
    for x, c in got:
        if not counts[x] <= c <= counts[x] + bound or c <= bound:
            bad.append("top: %r:%d, true count %d, bound %d" % (
                x, c, counts[x], bound))
    listed = {x for x, _ in got}
    for x, c in counts.items():
        # a value above 1% is listed unless 5 values listed are above it
        if c * 100 > n and x not in listed and not (
                len(got) == 5 and all(g >= c for _, g in got)):
            bad.append("top: %r (%d of %d) missing from %r" % (x, c, n, top))
    return bad


def check_row(name, row, values, sketch=False):
    e = expected(values)
    bad = []
    if sketch:
        bad += check_top(row["top"], values)
        e["top"] = row["top"]
        d = len({v for v in values if v != ""})
        got = int(row["distinct"])
        if abs(got - d) > max(1, 0.0243 * d):
            bad.append("distinct: got %d, want %d +- 2.43%%" % (got, d))
        e["distinct"] = row["distinct"]
        approx = "distinct±2.43%" if e["count"] else ""
        if e["type"] in ("integer", "decimal"):
            approx += " p25±1% median±1% p75±1%"
            fr = sorted(Fraction(v) for v in values if v != "")
            for k, q in (("p25", Fraction(1, 4)), ("median", Fraction(1, 2)),
                         ("p75", Fraction(3, 4))):
                h = (len(fr) - 1) * q
                span = max(abs(fr[math.floor(h)]), abs(fr[math.ceil(h)]))
                if abs(Fraction(row[k]) - Fraction(e[k])) > \
                        span / 100 * Fraction(1000001, 1000000):
                    bad.append("%s: got %s, want %s +- 1%%" % (k, row[k], e[k]))
                e[k] = float(row[k])
        if e["count"]:
            approx += " top+0.14%"
        if row["approx"] != approx:
            bad.append("approx: got %r, want %r" % (row["approx"], approx))
    elif row["approx"] != "":
        bad.append("approx: got %r, want empty" % row["approx"])
    for k in ("type", "count", "empty", "distinct"):
        if str(e[k]) != row[k]:
            bad.append("%s: got %r, want %r" % (k, row[k], e[k]))
    for k in ("min", "max", "top", "minlen", "maxlen"):
        if str(e.get(k, "")) != row[k]:
            bad.append("%s: got %r, want %r" % (k, row[k], e.get(k, "")))
    for k in ("mean", "p25", "median", "p75"):
        want = e.get(k)
        got = float(row[k]) if row[k] != "" else None
        if not (got == want or (want is not None and got is not None and
                                math.isnan(want) and math.isnan(got))):
            bad.append("%s: got %r, want %r" % (k, row[k], want))
    if "var" in e:
        want = math.sqrt(rounded(e["var"]))
        if row["stdev"] == "" or not close_ulp(float(row["stdev"]), want):
            bad.append("stdev: got %r, want %r" % (row["stdev"], want))
    elif row["stdev"] != "":
        bad.append("stdev: got %r, want none" % row["stdev"])
    ok(not bad, name, "\n".join(bad))


def main():
    cases = 0
    while cases < 40:
        names, rows = dataset()
        crlf = rng.random() < 0.3
        data = to_csv(names, rows, crlf)
        cases += 1
        base = run(PREDUCE, ["--summary", "-j1"], data)
        got = list(csv.DictReader(io.StringIO(base.decode(),
                                              newline="")))
        header = base.decode().split("\n", 1)[0].rstrip("\r")
        ok(header == ",".join(COLUMNS), "case %d: header" % cases, header)
        ok(len(got) == len(names) and
           [r["field"] for r in got] == names,
           "case %d: one row per column, in order" % cases,
           "%r vs %r" % ([r["field"] for r in got], names))
        for i, r in enumerate(got[:len(names)]):
            check_row("case %d: column %d (%s)" % (cases, i, names[i]), r,
                      [row[i] for row in rows])
        same = True
        for args in (["-j2"], ["-j4"], ["-j4", "--chunk", "64"],
                     ["-j3", "--chunk", "1"]):
            if run(PREDUCE, ["--summary"] + args, data) != base:
                same = False
                ok(False, "case %d: %s byte-identical to -j1" %
                   (cases, " ".join(args)))
        if same:
            ok(True, "case %d: -j2, -j4, --chunk 64 and 1 byte-identical"
               % cases)
        js = run(PREDUCE, ["--summary", "--ojsonl", "-j4", "--chunk", "100"],
                 data).decode().splitlines()
        objs = [json.loads(line) for line in js]
        ok([list(o) for o in objs] == [COLUMNS] * len(names) and
           all(str(o[k]) == r[k] if not isinstance(o[k], float) else
               o[k] == float(r[k])
               for o, r in zip(objs, got) for k in COLUMNS
               if k not in ("mean", "stdev", "p25", "median", "p75")),
           "case %d: --ojsonl has the same rows" % cases, js[:3])
        if cases % 10 == 0:
            ok(run(PFLOW, ["stats", "-j2"], data) == base,
               "case %d: pflow stats is preduce --summary" % cases)
        if cases % 3 == 0 and rows:
            sk = run(PREDUCE, ["--summary", "--memory", "2K", "-j1"], data)
            for args in (["-j4", "--chunk", "64"], ["-j2", "--chunk", "1"]):
                other = run(PREDUCE, ["--summary", "--memory", "2K"] + args,
                            data)
                ok(other == sk, "case %d: sketches, %s byte-identical to -j1"
                   % (cases, " ".join(args)))
            srows = list(csv.DictReader(io.StringIO(sk.decode(), newline="")))
            # The table's bytes: 40 per entry and the value, 8-aligned.
            big = sum((40 + len(v.encode()) + 7) // 8 * 8
                      for i in range(len(names))
                      for v in {r[i] for r in rows} - {""}) > 2048
            for i, r in enumerate(srows):
                check_row("case %d: sketched column %d (%s)" % (
                    cases, i, names[i]), r, [row[i] for row in rows],
                    sketch=bool(r["approx"]))
            ok(any(r["approx"] for r in srows) == big,
               "case %d: approximate exactly when the values pass --memory"
               % cases)
    return plan()


if __name__ == "__main__":
    sys.exit(main())
