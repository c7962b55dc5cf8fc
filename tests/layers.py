#!/usr/bin/env python3
"""layers.py - checks lib/'s architecture (see HACKING.md), as TAP:

- each file includes only headers of its own folder or of a lower layer
  (support < csv < expr < engine < process < the tools), and no tool's
  folder includes another tool's (but for BUILT_ON);
- no file includes a .c file, and the headers of lib/ have no cycle;
- no .c or .h file in lib/ or cmd/ is longer than LIMIT lines;
- only the engine (lib/engine/) starts threads.
Usage: layers.py SOURCE_ROOT"""
import os
import re
import sys

LAYERS = ["support", "csv", "expr", "engine", "process"]
TOOLS = ["filter", "map", "reduce", "partition", "takesort", "join", "scan"]
# A tool built on another's public header: pscan runs preduce's
# aggregation states (reduce/agg.h) as its running values.
BUILT_ON = {("scan", "reduce/agg.h")}
LIMIT = 660

root = sys.argv[1] if len(sys.argv) > 1 else "."
lib = os.path.join(root, "lib")
include = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def rank(folder):
    return LAYERS.index(folder) if folder in LAYERS else len(LAYERS)


files = []
for folder in sorted(os.listdir(lib)):
    path = os.path.join(lib, folder)
    if os.path.isdir(path):
        files += [(folder, os.path.join(path, f)) for f in sorted(os.listdir(path))
                  if f.endswith((".c", ".h"))]

tests = []
edges = {}
for folder, path in files:
    rel = os.path.relpath(path, lib)
    bad = []
    for inc in include.findall(open(path, encoding="utf-8").read()):
        if inc == "config.h":
            continue
        if inc.endswith(".c"):
            bad.append(inc + " (a .c file)")
            continue
        dep = inc.split("/")[0] if "/" in inc else None
        if dep is None or not os.path.exists(os.path.join(lib, inc)):
            bad.append(inc + " (not LAYER/NAME.h of lib/)")
        elif dep != folder and (rank(dep) > rank(folder) or
                                (dep in TOOLS and folder in TOOLS and
                                 (folder, inc) not in BUILT_ON)):
            bad.append(inc + " (a layer above " + folder + "/)")
        else:
            edges.setdefault(rel, []).append(inc)
    tests.append((not bad, "%s includes only lower layers%s" %
                  (rel, "" if not bad else ": " + ", ".join(bad))))


def cycle_from(node, stack, seen):
    if node in stack:
        return stack[stack.index(node):] + [node]
    if node in seen:
        return None
    seen.add(node)
    for nxt in edges.get(node, []):
        found = cycle_from(nxt, stack + [node], seen)
        if found:
            return found
    return None


seen = set()
cycles = [c for c in (cycle_from(h, [], seen) for h in sorted(edges)) if c]
tests.append((not cycles, "no include cycle%s" %
              ("" if not cycles else ": " + " -> ".join(cycles[0]))))

for folder in ["cmd"] + ["lib/" + f for f in sorted(os.listdir(lib))]:
    path = os.path.join(root, folder)
    if not os.path.isdir(path):
        continue
    for f in sorted(os.listdir(path)):
        if f.endswith((".c", ".h")):
            n = sum(1 for _ in open(os.path.join(path, f), encoding="utf-8"))
            tests.append((n <= LIMIT, "%s/%s has %d lines (at most %d)" %
                          (folder, f, n, LIMIT)))

spawn = re.compile(r"\bpthread_create\s*\(")
for folder in ["cmd"] + ["lib/" + f for f in sorted(os.listdir(lib))]:
    path = os.path.join(root, folder)
    if folder == "lib/engine" or not os.path.isdir(path):
        continue
    starts = [f for f in sorted(os.listdir(path)) if f.endswith((".c", ".h"))
              and spawn.search(open(os.path.join(path, f), encoding="utf-8").read())]
    tests.append((not starts, "%s/ starts no thread (only the engine does)%s" %
                  (folder, "" if not starts else ": " + ", ".join(starts))))

print("1..%d" % len(tests))
for i, (ok, what) in enumerate(tests, 1):
    print("%s %d - %s" % ("ok" if ok else "not ok", i, what))
sys.exit(0 if all(ok for ok, _ in tests) else 1)
