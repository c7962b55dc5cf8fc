#!/usr/bin/env python3
"""preduce_exact.py - preduce's numbers against exact rationals (TAP).

Usage: preduce_exact.py BUILD_DIR [SEED]

Generates random and adversarial columns (large offsets with a small
spread, 8-decimal coordinates, money, scientific notation, 64-bit
integers, 40-digit decimals, values past the double range, the cases of
issue 13), runs every aggregation through preduce, and checks each group
against Python's fractions.Fraction:
- sum and mean: the correctly rounded double of the exact value;
- var: the correctly rounded double of the exact sample variance, stdev
  its square root to one ulp (the contract asks 1e-12);
- min, max, first, last, mode: the input text, exactly;
- count:x and distinct: as SQL (0 for a group with no values);
- median and pN: DuckDB's quantile_cont computed exactly (the values as
  written, p = N/100 as written), rounded once to the nearest double.
Then the same output, byte for byte, at -j1/-j2/-j4, several --chunk
sizes, and from --partial parts merged in shuffled orders; and every
--ojsonl line parses as JSON with the same values.
"""
import csv
import io
import json
import math
import os
import random
import subprocess
import sys
from fractions import Fraction

from oracle import ok, plan, rounded

BUILD = sys.argv[1]
SEED = int(sys.argv[2]) if len(sys.argv) > 2 else 13
PREDUCE = os.path.join(BUILD, "preduce")
PCTS = ["p0.1", "p25", "p33.3", "p90", "p99.9", "median"]
AGGS = (["count", "count:x", "sum:x", "mean:x", "var:x", "stdev:x",
         "min:x", "max:x", "first:x", "last:x", "distinct:x", "mode:x"]
        + [p + ":x" for p in PCTS])

rng = random.Random(SEED)
def run(args, data):
    p = subprocess.run([PREDUCE] + args, input=data, capture_output=True)
    if p.returncode != 0:
        raise RuntimeError("preduce %s: status %d: %s" % (
            " ".join(args), p.returncode, p.stderr.decode(errors="replace")))
    return p.stdout


# Columns: lists of value texts ("" is an empty field).

def money():
    return ["%.2f" % (rng.randint(-10**7, 10**7) / 100) for _ in range(300)]


def scientific():
    return ["%d%s%d" % (rng.randint(-9999, 9999), rng.choice("eE"),
                        rng.randint(-30, 30)) for _ in range(300)]


def int64():
    return [str(rng.randint(-2**63, 2**63 - 1)) for _ in range(300)]


def offset():
    return ["1000000000.%06d" % rng.randint(0, 999999) for _ in range(400)]


def coordinates():
    return ["%.8f" % rng.uniform(-180, 180) for _ in range(400)]


def mixed():
    out = []
    for _ in range(300):
        m = rng.randint(1, 10**17)
        e = rng.randint(-37, 3)
        out.append(("-" if rng.random() < 0.5 else "") + "%de%d" % (m, e))
    return out


def long_decimals():
    return ["%s%d.%020d" % (rng.choice(["", "-"]), rng.randint(0, 10**20),
                            rng.randint(0, 10**20 - 1)) for _ in range(200)]


def huge():
    return [rng.choice(["1e308", "-1e308", "1.7976931348623157e308",
                        "4e-320", "1e-300", "5e-324"]) for _ in range(60)]


def equal():
    return ["3.3"] * 50 + ["1e200"] * 5


def zeros():
    return [rng.choice(["0", "-0", "0.0", "-0.0", "0e5", "00"])
            for _ in range(40)]


ISSUE = [["0.001", "10000000000000000"], ["0.123456789012345678", "20"],
         ["1.23456789", "100"],
         ["1700000000123456789", "1700000000123456788"],
         ["1e200", "1e200", "1e200"], ["1e308", "1e308"]]

COLUMNS = [("issue-%d" % i, c) for i, c in enumerate(ISSUE)] + [
    ("money", money()), ("scientific", scientific()), ("int64", int64()),
    ("offset", offset()), ("coordinates", coordinates()),
    ("mixed", mixed()), ("long-decimals", long_decimals()),
    ("huge", huge()), ("equal", equal()), ("zeros", zeros())]


def dataset(values):
    """Rows (key, value) in three groups, empties sprinkled in, and a
    group with no values at all."""
    rows = [("g", "")]
    for v in values:
        k = rng.choice("abc")
        if rng.random() < 0.1:
            rows.append((k, ""))
        rows.append((k, v))
    return rows


def to_csv(rows):
    return ("k,x\n" + "".join("%s,%s\n" % r for r in rows)).encode()


# The oracle.

def quantile_cont(values, q):
    """DuckDB's quantile_cont in exact arithmetic, rounded once: h = (n-1) q,
    the values (as written) at floor(h) and ceil(h) interpolated."""
    v = sorted(Fraction(x) for x in values)
    h = (len(v) - 1) * q
    lo, hi = v[math.floor(h)], v[math.ceil(h)]
    return rounded(lo + (hi - lo) * (h - math.floor(h)))


def expected(rows):
    groups = {}
    for k, v in rows:
        groups.setdefault(k, []).append(v)
    out = {}
    for k, vals in groups.items():
        xs = [v for v in vals if v != ""]
        e = {"count": len(vals), "x_count": len(xs),
             "x_distinct": len(set(xs))}
        if xs:
            fr = [Fraction(x) for x in xs]
            s = sum(fr)
            e["x_sum"] = rounded(s)
            e["x_mean"] = rounded(s / len(xs))
            e["x_min"] = xs[min(range(len(xs)), key=lambda i: (fr[i], i))]
            e["x_max"] = xs[min(range(len(xs)), key=lambda i: (-fr[i], i))]
            e["x_first"], e["x_last"] = xs[0], xs[-1]
            counts = {}
            for x in xs:
                counts[x] = counts.get(x, 0) + 1
            best = max(counts.values())
            e["x_mode"] = next(x for x in xs if counts[x] == best)
            for p in PCTS:
                q = Fraction(1, 2) if p == "median" else Fraction(p[1:]) / 100
                e["x_" + p] = quantile_cont(xs, q)
            if len(xs) >= 2:
                n = len(xs)
                var = (n * sum(f * f for f in fr) - s * s) / (n * (n - 1))
                e["x_var"] = var
        out[k] = e
    return out


def close_ulp(got, want):
    return got == want or abs(got - want) <= 2 * math.ulp(want)


def check_output(name, text, rows):
    want = expected(rows)
    got = list(csv.DictReader(io.StringIO(text.decode())))
    problems = []
    if [r["k"] for r in got] != list(want):
        problems.append("groups %s, want %s" % ([r["k"] for r in got],
                                                list(want)))
    for r in got:
        e = want.get(r["k"], {})
        for col in ("count", "x_count", "x_distinct"):
            if int(r[col]) != e[col]:
                problems.append("%s %s: %s, want %s" % (r["k"], col, r[col], e[col]))
        if "x_sum" not in e:
            empty = [c for c in r if c not in ("k", "count", "x_count",
                                               "x_distinct") and r[c] != ""]
            if empty:
                problems.append("%s: empty group has %s" % (r["k"], empty))
            continue
        for col in ("x_min", "x_max", "x_first", "x_last", "x_mode"):
            if r[col] != e[col]:
                problems.append("%s %s: %r, want %r" % (r["k"], col, r[col], e[col]))
        for col in ["x_sum", "x_mean"] + ["x_" + p for p in PCTS]:
            g, w = float(r[col]), e[col]
            if not (g == w or (math.isnan(w) and math.isnan(g))):
                problems.append("%s %s: %r, want %r" % (r["k"], col, r[col], w))
        if "x_var" in e:
            var, sd = float(r["x_var"]), float(r["x_stdev"])
            wvar = rounded(e["x_var"])
            if var != wvar:
                problems.append("%s x_var: %r, want %r (exact %s)" % (
                    r["k"], r["x_var"], wvar, e["x_var"]))
            if not math.isinf(wvar) and not close_ulp(sd, math.sqrt(wvar)):
                problems.append("%s x_stdev: %r, want %r" % (
                    r["k"], r["x_stdev"], math.sqrt(wvar)))
        elif r["x_var"] != "" or r["x_stdev"] != "":
            problems.append("%s: var of one value is %r" % (r["k"], r["x_var"]))
    ok(not problems, name + ": equals the exact oracle", "\n".join(problems))


def check_json(name, rows, data, csv_out):
    out = run(["-k", "k", "--ojsonl"] + AGGS, data)
    got = []
    bad = []
    for line in out.decode().splitlines():
        try:
            got.append(json.loads(line))
        except ValueError as e:
            bad.append("%s: %s" % (e, line))
    ok(not bad, name + ": every --ojsonl line parses", "\n".join(bad))
    if bad:
        return
    rows_csv = list(csv.DictReader(io.StringIO(csv_out.decode())))
    diff = []
    for j, c in zip(got, rows_csv):
        for col, v in c.items():
            jv = j.get(col)
            if isinstance(jv, str):
                same = jv == v
            elif jv is None:	# non-finite numbers are null
                same = v in ("inf", "-inf", "nan")
            else:
                same = float(v) == float(jv)
            if not same:
                diff.append("%s %s: json %r, csv %r" % (c["k"], col, jv, v))
    ok(not diff and len(got) == len(rows_csv),
       name + ": --ojsonl has the CSV's values", "\n".join(diff))


def check_jobs(name, data, want):
    diff = []
    for args in (["-j1"], ["-j2", "--chunk", "64"], ["-j4", "--chunk", "1K"],
                 ["-j4", "--chunk", "64", "--queue", "3"]):
        got = run(args + ["-k", "k"] + AGGS, data)
        if got != want:
            diff.append(" ".join(args))
    ok(not diff, name + ": identical for every -j and --chunk",
       "differs: " + ", ".join(diff))


# What does not depend on the order of the parts: every value but first,
# last and mode's ties; min and max as numbers (equal values written
# differently are tied, and ties go to the first seen).
ORDER_FREE = ["count", "x_count", "x_sum", "x_mean", "x_var", "x_stdev",
              "x_distinct"] + ["x_" + p for p in PCTS]


def order_free(text):
    rows = {}
    for r in csv.DictReader(io.StringIO(text.decode())):
        rows[r["k"]] = ([r[c] for c in ORDER_FREE] +
                        [Fraction(r[c]) if r[c] else None
                         for c in ("x_min", "x_max")])
    return rows


def check_merge(name, rows, want):
    cuts = sorted(rng.sample(range(1, len(rows)), min(4, len(rows) - 1)))
    parts = []
    for a, b in zip([0] + cuts, cuts + [len(rows)]):
        parts.append(run(["--partial", "-k", "k"] + AGGS, to_csv(rows[a:b])))
    diff = []
    # In input order, the merge is the one run, byte for byte.
    merged = run(["--merge"], parts[0] + b"".join(
        p.split(b"\n", 1)[1] for p in parts[1:]))
    if merged != want:
        diff.append("in input order")
    for trial in range(3):
        order = parts[:]
        rng.shuffle(order)
        head, body = order[0].split(b"\n", 1)[0] + b"\n", b""
        for p in order:
            body += p.split(b"\n", 1)[1] if trial % 2 == 0 else p
        merged = run(["--merge"], head + body)
        if order_free(merged) != order_free(want):
            diff.append("shuffled %d" % trial)
    # --merge --partial: a second combiner level.
    half = len(parts) // 2
    level = [run(["--merge", "--partial"], b"".join(
        p if i == 0 else p.split(b"\n", 1)[1] for i, p in enumerate(ps)))
        for ps in (parts[:half], parts[half:]) if ps]
    top = level[0] + b"".join(p.split(b"\n", 1)[1] for p in level[1:])
    if run(["--merge"], top) != want:
        diff.append("two levels")
    ok(not diff, name + ": --partial parts merged in any order equal one run",
       ", ".join(diff))


def main():
    for name, values in COLUMNS:
        rows = dataset(values)
        data = to_csv(rows)
        out = run(["-k", "k"] + AGGS, data)
        check_output(name, out, rows)
        check_jobs(name, data, out)
        check_merge(name, rows, out)
        check_json(name, rows, data, out)
    return plan()


if __name__ == "__main__":
    sys.exit(main())
