#!/usr/bin/env python3
"""columns_oracle.py N PMAP: N random pmap column lists (fields, {names},
positions, ranges, regexes, `*`, renames, removals) on random headers,
each checked against a model of the rules in pmap(1) COLUMN LISTS.
Exits 1 at the first disagreement, printing the case."""
import csv, io, random, re, subprocess, sys

POOL = ["a", "b", "dme_a", "dme_b", "x1", "Major Genre", "id", "z_deg"]


def ref(r, names, i):
    """A way to write field i: name, {name}, N or $N."""
    n = names[i]
    forms = [str(i + 1), "$%d" % (i + 1), "{%s}" % n]
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", n):
        forms.append(n)
    return r.choice(forms)


def make_case(r):
    names = r.sample(POOL, r.randint(2, len(POOL)))
    items = []  # (text, model item)
    fresh = 0
    for _ in range(r.randint(1, 5)):
        k = r.random()
        i = r.randrange(len(names))
        j = r.randrange(len(names))
        if k < 0.2:
            items.append(("*", ("star",)))
        elif k < 0.4:
            t = ref(r, names, i)
            items.append((t, ("sel", [i])))
        elif k < 0.55:
            a = ref(r, names, i) if r.random() < 0.8 else ""
            b = ref(r, names, j) if r.random() < 0.8 or not a else ""
            lo = i if a else 0
            hi = j if b else len(names) - 1
            f = list(range(lo, hi + 1)) if lo <= hi else \
                list(range(lo, hi - 1, -1))
            items.append((a + ".." + b, ("sel", f)))
        elif k < 0.65:
            p = r.choice(["^dme_", "_deg$", "^[ab]$", "e"])
            f = [x for x, n in enumerate(names) if re.search(p, n)]
            if f:
                items.append(("/%s/" % p, ("sel", f)))
        elif k < 0.8:
            fresh += 1
            items.append(("%s as new%d" % (ref(r, names, i), fresh),
                          ("rename", i, "new%d" % fresh)))
        elif k < 0.9:
            items.append(("-" + r.choice([names[i] if re.fullmatch(
                r"[A-Za-z_]\w*", names[i]) else "{%s}" % names[i],
                str(i + 1)]), ("remove", names[i])))
        else:
            fresh += 1
            items.append(("c%d = 1" % fresh, ("const", "c%d" % fresh)))
    return names, items


def model(names, items):
    """The output columns as (name, value) or None for a usage error."""
    in_place = {}
    selected = set()
    for x, (_, it) in enumerate(items):
        if it[0] == "sel":
            selected.update(it[1])
        elif it[0] == "rename":
            inp = any(items[y][1][0] == "star" or (items[y][1][0] == "sel"
                      and it[1] in items[y][1][1]) for y in range(x))
            in_place[x] = inp
            if not inp:
                selected.add(it[1])
    cols = []
    for x, (_, it) in enumerate(items):
        have = [c[0] for c in cols]
        if it[0] == "star":
            cols += [(n, "v%d" % f) for f, n in enumerate(names)
                     if f not in selected and n not in have]
        elif it[0] == "sel":
            cols += [(names[f], "v%d" % f) for f in it[1]]
        elif it[0] == "rename":
            if in_place[x] and names[it[1]] in have:
                k = have.index(names[it[1]])
                cols[k] = (it[2], cols[k][1])
            else:
                cols.append((it[2], "v%d" % it[1]))
        elif it[0] == "remove":
            if it[1] not in have:
                return None
            del cols[have.index(it[1])]
        else:
            if it[1] in have:
                cols[have.index(it[1])] = (it[1], "1")
            else:
                cols.append((it[1], "1"))
    return cols


def main():
    n, pmap = int(sys.argv[1]), sys.argv[2]
    r = random.Random(28)
    done = 0
    while done < n:
        names, items = make_case(r)
        if not items:
            continue
        want = model(names, items)
        if want is not None and len({c[0] for c in want}) < len(want):
            continue  # duplicate names: numbered by the output, not here
        src = ", ".join(t for t, _ in items)
        data = io.StringIO()
        csv.writer(data, lineterminator="\n").writerows(
            [names, ["v%d" % i for i in range(len(names))]])
        p = subprocess.run([pmap, src], input=data.getvalue(), text=True,
                           capture_output=True)
        if want is None:
            ok = p.returncode == 2
        else:
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerows(
                [[c[0] for c in want], [c[1] for c in want]])
            if not want:
                ok = p.returncode == 0
            else:
                ok = p.returncode == 0 and p.stdout == out.getvalue()
        if not ok:
            print("header:", names, "\nlist:", src, "\nwant:", want,
                  "\ngot:", p.returncode, p.stdout, p.stderr)
            sys.exit(1)
        done += 1
    print("%d column lists agree" % done)


main()
