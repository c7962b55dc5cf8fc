#!/usr/bin/env python3
"""join_duckdb.py - pjoin against DuckDB's SQL joins on random inputs.

    join_duckdb.py BUILD TMPDIR ROUNDS Q_MJS

Each round writes a random TABLE and stream (keys with duplicates, keys
missing from either side, empty keys, quoted keys holding the delimiter,
quotes, LF, tabs and edge spaces, and one or two keys; no CR: DuckDB
reads a quoted CRLF as LF), runs pjoin (inner, --left,
--anti, --semi, at -j1 and at -j3 with small batches) and the same join
in DuckDB SQL through Q_MJS (node q.mjs "SQL": CSV on stdout):

    inner   JOIN ... ORDER BY s.rn, t.rn
    --left  LEFT JOIN ... ORDER BY s.rn, t.rn
    --anti  WHERE NOT EXISTS (...) ORDER BY s.rn
    --semi  WHERE EXISTS (...) ORDER BY s.rn

(the four in one query, UNION ALL with the kind as the first column, so
that node starts once a round).

rn is each side's row number, a column of the data (the first one), so
that the ORDER BY is pjoin's documented order: stream order, and TABLE's
order among a stream record's matches. Both outputs are parsed with
Python's csv module (DuckDB quotes fields with edge spaces, pflow quotes
minimally) and must be the same rows in the same order; pjoin's header
must be the stream's names, then TABLE's other than the keys, a name
both sides have prefixed with TABLE's stem and "_". Empty keys are keys:
the SQL compares coalesce(key, '') since DuckDB reads an empty field as
NULL. Prints "N rounds agree with DuckDB", or the first difference and
exits 1.
"""
import csv
import io
import os
import random
import subprocess
import sys

KEYS = ["a", "b", "B", "", "x,y", 'q"uote', "multi\nline", " sp ",
        "tab\tkey", "z", "only-stream", "only-table"]


def write_csv(path, rows):
    with open(path, "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def parse(text):
    return list(csv.reader(io.StringIO(text, newline="")))


def make_round(r, d):
    nkeys = r.choice([1, 1, 2])
    tkeys = [k for k in KEYS if k != "only-stream"]
    skeys = [k for k in KEYS if k != "only-table"]
    # TABLE: rn, c1[, c2], name, v (v is also a stream column)
    thead = ["rn"] + ["c%d" % (i + 1) for i in range(nkeys)] + ["name", "v"]
    trows = [thead]
    for i in range(r.randint(0, 30)):
        trows.append([str(i + 1)] + [r.choice(tkeys) for _ in range(nkeys)]
                     + ["n%d" % i, r.choice(["", "1", "x y", '"q"'])])
    # stream: rn, k1[, k2], v
    shead = ["rn"] + ["k%d" % (i + 1) for i in range(nkeys)] + ["v"]
    srows = [shead]
    for i in range(r.randint(1, 400)):
        srows.append([str(i + 1)] + [r.choice(skeys) for _ in range(nkeys)]
                     + [str(r.randint(0, 9))])
    write_csv(d + "/table.csv", trows)
    write_csv(d + "/stream.csv", srows)
    return nkeys, thead, shead


def duckdb(q_mjs, sql):
    p = subprocess.run(["node", q_mjs, sql], capture_output=True,
                       text=True)
    if p.returncode != 0:
        sys.exit("DuckDB failed: %s\n%s" % (p.stderr, sql))
    return parse(p.stdout)[1:]


KINDS = ("inner", "left", "anti", "semi")


def sql_for(d, nkeys, thead, shead):
    """One query for the four kinds: kind, s.rn, t.rn, then the columns
    (anti and semi padded with empty ones), in pjoin's order."""
    opts = ("header=true, all_varchar=true, delim=',', quote='\"', "
            "escape='\"'")
    src = ("(SELECT * FROM read_csv('%s/stream.csv', %s)) s" % (d, opts))
    tab = ("(SELECT * FROM read_csv('%s/table.csv', %s)) t" % (d, opts))
    on = " AND ".join("coalesce(s.k%d, '') = coalesce(t.c%d, '')"
                      % (i + 1, i + 1) for i in range(nkeys))
    scols = ", ".join("coalesce(s.\"%s\", '')" % c for c in shead)
    tnames = [c for c in thead if not c.startswith("c")]
    tcols = ", ".join("coalesce(t.\"%s\", '')" % c for c in tnames)
    pads = ", ".join("''" for c in tnames)
    srn, trn = "CAST(s.rn AS INTEGER)", "CAST(t.rn AS INTEGER)"
    parts = [
        "SELECT 0, %s, %s, %s, %s FROM %s JOIN %s ON %s"
        % (srn, trn, scols, tcols, src, tab, on),
        "SELECT 1, %s, %s, %s, %s FROM %s LEFT JOIN %s ON %s"
        % (srn, trn, scols, tcols, src, tab, on),
    ]
    for n, exists in ((2, "NOT EXISTS"), (3, "EXISTS")):
        parts.append("SELECT %d, %s, 0, %s, %s FROM %s WHERE %s (SELECT 1 "
                     "FROM %s WHERE %s)" % (n, srn, scols, pads, src, exists,
                                            tab, on))
    return " UNION ALL ".join("(%s)" % q for q in parts) + \
        " ORDER BY 1, 2, 3 NULLS FIRST"


def main():
    build, tmp, rounds, q_mjs = sys.argv[1:5]
    pjoin = os.path.join(build, "pjoin")
    r = random.Random(14)
    for n in range(int(rounds)):
        nkeys, thead, shead = make_round(r, tmp)
        keys = ",".join("k%d=c%d" % (i + 1, i + 1) for i in range(nkeys))
        rows = duckdb(q_mjs, sql_for(tmp, nkeys, thead, shead))
        for kn, kind in enumerate(KINDS):
            width = len(shead) + (len(thead) - nkeys
                                  if kind in ("inner", "left") else 0)
            want = [row[3:3 + width] for row in rows if row[0] == str(kn)]
            head = list(shead)
            if kind in ("inner", "left"):
                head += ["table_" + c if c in shead else c
                         for c in thead if not c.startswith("c")]
            opt = [] if kind == "inner" else ["--" + kind]
            for jobs in (["-j1"], ["-j3", "--chunk", "200"]):
                cmd = [pjoin] + opt + jobs + ["-k", keys,
                                              tmp + "/table.csv",
                                              tmp + "/stream.csv"]
                p = subprocess.run(cmd, capture_output=True)
                if p.returncode != 0:
                    sys.exit("%s: status %d: %s" % (" ".join(cmd),
                             p.returncode, p.stderr.decode()))
                got = parse(p.stdout.decode())
                if got[:1] != [head]:
                    sys.exit("round %d %s: header %r, want %r" % (
                        n, kind, got[:1], head))
                if got[1:] != want:
                    for i, (a, b) in enumerate(zip(got[1:], want)):
                        if a != b:
                            break
                    else:
                        i = min(len(got) - 1, len(want))
                    sys.exit("round %d %s %s: %d rows, DuckDB %d; first "
                             "difference at row %d: %r vs %r" % (
                                 n, kind, " ".join(jobs), len(got) - 1,
                                 len(want), i + 1,
                                 got[1:][i:i + 1], want[i:i + 1]))
    print("%s rounds agree with DuckDB" % rounds)


main()
