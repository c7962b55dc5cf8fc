#!/usr/bin/env python3
"""pscan_model.py - pscan against a Python model of every step (TAP).

Usage: pscan_model.py BUILD_DIR [SEED]

Generates random inputs (a few keys, integers, decimals, long decimals,
exponents, empty values, non-numbers, times with gaps and holes), runs
pscan with every STEP, and checks each column of each record against a
model written from pscan(1): exact sums and means (fractions.Fraction,
rounded once), min/max as preduce's, lag/lead/fill/first as text, moving
windows over records and over time spans, ewma in doubles, sessions.
Then the same bytes at -j1, -j4 and small --chunk sizes, and the count
of skipped non-numbers on stderr.
"""
import csv
import io
import math
import os
import random
import re
import subprocess
import sys
from fractions import Fraction

from oracle import ok, plan, rounded

BUILD = sys.argv[1]
SEED = int(sys.argv[2]) if len(sys.argv) > 2 else 29
PSCAN = os.path.join(BUILD, "pscan")
NUMBER = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\Z")
STEPS = ["count", "rank", "count:x", "sum:x", "mean:x", "min:x", "max:x",
         "first:x", "fill:x", "lag:x", "lag:x:2", "lead:x", "lead:x:3",
         "delta:x", "ratio:x", "msum:3:x", "mmean:2:x", "mmin:3:x",
         "mmax:4:x", "msum:30s:x", "mmean:1m:x", "mmin:45s:x", "mmax:20s:x",
         "ewma:0.25:x", "ewma:1:x", "session:40s", "rank:r2"]

rng = random.Random(SEED)
def run(args, data):
    p = subprocess.run([PSCAN] + args, input=data, capture_output=True)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def fmt(d):
    """pf_format_double: integers plainly, else the shortest %.Ng."""
    if math.isnan(d):
        return "nan"
    if math.isinf(d):
        return "inf" if d > 0 else "-inf"
    if d == math.floor(d) and abs(d) <= 2 ** 53:
        return str(int(d))
    for p in (15, 16, 17):
        s = "%.*g" % (p, d)
        if float(s) == d:
            return s
    return repr(d)


def value():
    r = rng.random()
    if r < 0.12:
        return ""
    if r < 0.18:
        return rng.choice(["x", "n/a", "1,5", "-", "1e", "NaN"])
    if r < 0.45:
        return str(rng.randint(-50, 50))
    if r < 0.65:
        return "%.*f" % (rng.randint(1, 3), rng.uniform(-100, 100))
    if r < 0.75:
        return "%de%d" % (rng.randint(-9, 9), rng.randint(-3, 3))
    if r < 0.85:
        return "0." + "".join(rng.choice("0123456789") for _ in range(25))
    if r < 0.92:
        return rng.choice(["0", "-0", "0.0", ".5", "7.", "00012"])
    return str(rng.randint(-2 ** 62, 2 ** 62))


def dataset(n, nkeys):
    rows, t = [], 1000
    for _ in range(n):
        t += rng.choice([0, 1, 5, 10, 25, 70])
        r = rng.random()
        ts = "" if r < 0.05 else "bad" if r < 0.08 else str(t)
        rows.append(("k%d" % rng.randrange(nkeys), value(), ts))
    return rows


def to_csv(rows):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["k", "x", "t"])
    w.writerows(rows)
    return out.getvalue().encode()


def is_num(v):
    return bool(NUMBER.match(v))


def minmax(seen, is_min):
    """preduce's min/max over the non-empty values seen, as written."""
    if any(not is_num(v) for v in seen):
        b = sorted(v.encode() for v in seen)
        return (b[0] if is_min else b[-1]).decode()
    best = None
    for v in seen:
        if best is None or (Fraction(v) < Fraction(best) if is_min
                            else Fraction(v) > Fraction(best)):
            best = v
    return best


def window_extreme(nums, is_min):
    best = None
    for v in nums:
        if best is None or (Fraction(v) < Fraction(best) if is_min
                            else Fraction(v) > Fraction(best)):
            best = v
    return "" if best is None else best


def span_ms(w):
    return int(w[:-1]) * (60000 if w.endswith("m") else 1000)


def model(rows):
    """Each record's columns, per STEPS; and the non-numbers skipped."""
    by_key = {}
    for i, (k, _, _) in enumerate(rows):
        by_key.setdefault(k, []).append(i)
    pos = {}
    for k, idx in by_key.items():
        for j, i in enumerate(idx):
            pos[i] = (k, j)
    out = []
    nonnum = sum(1 for _, x, _ in rows if x != "" and not is_num(x))
    for i, (k, x, ts) in enumerate(rows):
        idx = by_key[k]
        j = pos[i][1]
        hist = [rows[m][1] for m in idx[:j + 1]]
        vals = [v for v in hist if v != ""]
        nums = [v for v in vals if is_num(v)]
        timed = [(int(rows[m][2]) * 1000, rows[m][1]) for m in idx[:j + 1]
                 if rows[m][2].isdigit()]
        t = int(ts) * 1000 if ts.isdigit() else None
        cols = []
        for st in STEPS:
            p = st.split(":")
            f = p[0]
            if f in ("count", "rank") and len(p) != 2 or st == "rank:r2":
                c = str(j + 1)
            elif st == "count:x":
                c = str(len(vals))
            elif f == "sum":
                c = fmt(rounded(sum(map(Fraction, nums)))) if nums else ""
            elif f == "mean":
                c = fmt(rounded(sum(map(Fraction, nums)) / len(nums))) if nums else ""
            elif f in ("min", "max"):
                c = minmax(vals, f == "min") if vals else ""
            elif f == "first":
                c = vals[0] if vals else ""
            elif f == "fill":
                c = vals[-1] if vals else ""
            elif f in ("lag", "lead"):
                n = int(p[2]) if len(p) > 2 else 1
                m = j - n if f == "lag" else j + n
                c = rows[idx[m]][1] if 0 <= m < len(idx) else ""
            elif f in ("delta", "ratio"):
                prev = [v for v in hist[:-1] if is_num(v)]
                c = ""
                if is_num(x) and prev:
                    if f == "delta":
                        c = fmt(rounded(Fraction(x) - Fraction(prev[-1])))
                    else:
                        a, b = float(x), float(prev[-1])
                        c = fmt(a / b) if b != 0 else ""
            elif f in ("msum", "mmean", "mmin", "mmax"):
                w = p[1]
                if w.isdigit():
                    win = [v for v in hist[-int(w):] if is_num(v)]
                    has = True
                else:
                    has = t is not None
                    win = [v for tm, v in timed if t is not None and
                           tm >= t - span_ms(w) and is_num(v)]
                c = ""
                if has and win:
                    if f == "msum":
                        c = fmt(rounded(sum(map(Fraction, win))))
                    elif f == "mmean":
                        c = fmt(rounded(sum(map(Fraction, win)) / len(win)))
                    else:
                        c = window_extreme(win, f == "mmin")
            elif f == "ewma":
                a, e = float(p[1]), None
                for v in nums:
                    e = float(v) if e is None else a * float(v) + (1 - a) * e
                c = "" if e is None else fmt(e)
            elif f == "session":
                c = ""
                if t is not None:
                    s, last = 0, None
                    for tm, _ in timed:
                        if last is None or tm - last > 40000:
                            s += 1
                        last = tm
                    c = str(s)
            cols.append(c)
        out.append(cols)
    return out, nonnum


def check(name, rows, args):
    data = to_csv(rows)
    status, out, err = run(["-k", "k", "--time", "t"] + args + STEPS, data)
    if status != 0:
        ok(False, name, err)
        return
    want, nonnum = model(rows)
    got = list(csv.reader(io.StringIO(out.decode())))
    problems = []
    if len(got) != len(rows) + 1:
        problems.append("%d records, want %d" % (len(got) - 1, len(rows)))
    for i, (r, w) in enumerate(zip(got[1:], want)):
        if r[:3] != list(rows[i]):
            problems.append("record %d: %r, want %r" % (i + 1, r[:3], rows[i]))
        for st, g, e in zip(STEPS, r[3:], w):
            if g != e:
                problems.append("record %d %s %s: %r, want %r" % (
                    i + 1, rows[i], st, g, e))
    if nonnum and ("%d non-numeric value" % nonnum) not in err:
        problems.append("stderr %r lacks %d non-numeric" % (err, nonnum))
    ok(not problems, name + ": equals the model", "\n".join(problems))
    for extra in (["-j1"], ["-j4", "--chunk", "64"], ["-j3", "--chunk", "1"],
                  ["-j2", "--chunk", "200", "--queue", "3"]):
        st2, out2, _ = run(["-k", "k", "--time", "t"] + args + extra + STEPS,
                           data)
        ok(st2 == 0 and out2 == out, name + ": same bytes with " +
           " ".join(extra))


def main():
    for case in range(12):
        n = rng.choice([1, 5, 40, 300])
        check("case %d (%d records, %d keys)" % (case, n, 1 + case % 5),
              dataset(n, 1 + case % 5), [])
    sys.exit(plan())


main()
