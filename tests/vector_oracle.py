#!/usr/bin/env python3
"""vector_oracle.py - input and expected output for pfilter's vectors
(tests/bats/pfilter.bats): a CSV of 3000 records mixing what a vector of
records meets: plain integers, empty fields, text where a number is
compared, quoted fields with commas and newlines (which the splitter's
runs leave to its slow path), and ragged records (malformed).

  vector_oracle.py make FILE          writes the input
  vector_oracle.py expect FILE WHICH  prints what pfilter must write:
      keep      the records 'a > 50 && b <= 30 || c == "x"' keeps
      bad       the malformed records, as --bad writes them
      notes     the stderr note of 'a + 0 > 50'
      strict-out, strict-err
                the output and error of 'a + 0 > 50' with --strict

The rules are expr.h's, written again here: a number against an empty
field is false; a field that is not a number is compared byte-wise with
the number's text.
"""
import csv
import io
import random
import sys


def make(path):
    rnd = random.Random(20261207)
    rows = ['a,b,c\n']
    for i in range(3000):
        if i % 97 == 41:
            rows.append('%d,%d\n' % (i, i))             # too few fields
            continue
        # The first text in a number's place comes late: -j4's later
        # batches meet theirs first.
        a = rnd.choice(['', 'NA' if i > 1500 else '', '5', '50', '51',
                        '-7', '120', '007', str(rnd.randrange(-100, 200))])
        b = str(rnd.randrange(0, 60))
        c = rnd.choice(['x', 'y', '"x"', '"x, y"', '"line\nbreak"', '""'])
        rows.append('%s,%s,%s\n' % (a, b, c))
    with open(path, 'w', newline='') as f:
        f.write(''.join(rows))


def is_int(s):
    t = s[1:] if s.startswith('-') else s
    return 0 < len(t) and t.isdigit() and len(s) <= 18


def cmp_num(s, op, k):
    """field OP k, k an integer constant."""
    if s == '':
        return False
    if is_int(s):
        x = int(s)
    else:
        x, k = s.encode(), str(k).encode()
    return {'>': x > k, '<=': x <= k}[op]


def records(path):
    """(raw text, fields, line) of each record after the header."""
    with open(path, newline='') as f:
        text = f.read()
    lines = text.split('\n')
    out, i = [], 1
    while i < len(lines) - 1:
        raw = lines[i]
        start = i
        while raw.count('"') % 2 == 1:
            i += 1
            raw += '\n' + lines[i]
        fields = next(csv.reader(io.StringIO(raw)))
        out.append((raw, fields, start + 1))
        i += 1
    return out


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    if cmd == 'make':
        make(path)
        return
    which = sys.argv[3]
    recs = records(path)
    if which == 'keep':
        print('a,b,c')
        for raw, f, _ in recs:
            if len(f) == 3 and ((cmp_num(f[0], '>', 50) and
                                 cmp_num(f[1], '<=', 30)) or f[2] == 'x'):
                print(raw)
    elif which == 'bad':
        for raw, f, _ in recs:
            if len(f) != 3:
                print(raw)
    elif which in ('strict-out', 'strict-err'):
        # 'a + 0 > 50' with --strict: stops at the first text in a.
        first = next(n for n, (raw, f, line) in enumerate(recs)
                     if len(f) == 3 and f[0] != '' and not is_int(f[0]))
        if which == 'strict-err':
            print("pfilter: %s:%d (record %d): 'a + 0': '%s' is not a "
                  "number (--strict); '.' joins text" %
                  (path, recs[first][2], first + 1, recs[first][1][0]))
            return
        print('a,b,c')
        for raw, f, _ in recs[:first]:
            if len(f) == 3 and is_int(f[0]) and int(f[0]) > 50:
                print(raw)
    elif which == 'notes':
        bad = [(line, f[0]) for raw, f, line in recs
               if len(f) == 3 and f[0] != '' and not is_int(f[0])]
        print("pfilter: %d values of 'a + 0' are not numbers (first: "
              "%s:%d '%s'); '.' joins text" % (len(bad), path, bad[0][0],
                                               bad[0][1]))


main()
