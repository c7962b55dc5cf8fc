#!/usr/bin/env python3
"""Runs the EXAMPLES of pflow's man pages as tests, so the pages never lie.

In a page's EXAMPLES section, every `.Bd -literal` block whose first line
starts with "$ " is a session: each "$ command" line is run with bash (in a
scratch directory where data/ is the repository's sample data and the
built tools come first on PATH), and the lines after it, up to the next
"$ " or .Ed, are its exact expected output (stdout and stderr together).
A command whose expected output is "..." is only run (its output is not
compared). Prints TAP. Usage: man_examples.py [--section NAME] SOURCE_DIR
BUILD_DIR PAGE...; --section runs the sessions of another section instead
(tests/bats/slurm.bats runs pflow(7)'s SLURM section on a live cluster).
"""
import os
import re
import subprocess
import sys
import tempfile

args = sys.argv[1:]
section = "EXAMPLES"
if args[:1] == ["--section"]:
    section, args = args[1], args[2:]
source, build, pages = os.path.abspath(args[0]), os.path.abspath(args[1]), args[2:]


def unescape(line):
    line = line.replace("\\e", "\\").replace("\\&", "").replace("\\-", "-")
    return line


def sessions(path):
    """Yields (command, expected output) pairs from the section."""
    in_examples = in_block = False
    cmd, out = None, []
    for raw in open(path, encoding="utf-8"):
        raw = raw.rstrip("\n")
        if raw.startswith(".Sh "):
            in_examples = raw.strip() == ".Sh " + section
            continue
        if not in_examples:
            continue
        if raw.startswith(".Bd") and "-literal" in raw:
            in_block, cmd, out = True, None, []
            continue
        if raw.startswith(".Ed"):
            if cmd is not None:
                yield cmd, out
            in_block, cmd = False, None
            continue
        if not in_block:
            continue
        line = unescape(raw)
        if line.startswith("$ "):
            if cmd is not None:
                yield cmd, out
            cmd, out = line[2:], []
        elif cmd is not None:
            out.append(line)


n = failed = 0
env = dict(os.environ, PATH=build + ":" + os.environ["PATH"], LC_ALL="C.UTF-8")
for page in pages:
    name = os.path.basename(page)
    with tempfile.TemporaryDirectory() as tmp:
        os.symlink(os.path.join(source, "data"), os.path.join(tmp, "data"))
        for cmd, want in sessions(page):
            n += 1
            try:
                got = subprocess.run(["bash", "-c", cmd], cwd=tmp, env=env,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, timeout=120)
                text = got.stdout.decode("utf-8", "replace").rstrip("\n")
            except subprocess.TimeoutExpired:
                text = "(timed out)"
            expected = "\n".join(want).rstrip("\n")
            if expected == "..." or text == expected:
                print(f"ok {n} - {name}: {cmd}")
            else:
                failed += 1
                print(f"not ok {n} - {name}: {cmd}")
                for line in ("expected:", *want, "got:", *text.split("\n")):
                    print("# " + line)
print(f"1..{n}")
sys.exit(1 if failed else 0)
