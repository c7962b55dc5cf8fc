#!/usr/bin/env python3
"""Runs the examples of pflow's man pages and README as tests, so they never lie.

A session is a literal block whose lines starting with "$ " are commands:
each is run with bash (in a scratch directory per page, where data/ is the
repository's sample data and the built tools come first on PATH), and the
lines after it, up to the next "$ " or the block's end, are its exact
expected output (stdout and stderr together). A command line ending in a
backslash goes on on the next line. A command whose expected output is
"..." is only run (its output is not compared).

Where the blocks are:
- a man page (mdoc): the `.Bd -literal` blocks of the EXAMPLES section;
- a Markdown file (*.md): the blocks indented by four spaces under the
  heading named by --section.

Prints TAP. Usage: man_examples.py [--update] [--section NAME] SOURCE_DIR
BUILD_DIR PAGE...; --section runs the sessions of another section instead
(tests/bats/slurm.bats runs pflow(7)'s SLURM section on a live cluster;
meson's readme-tour test runs README.md's "A short tour"). --update is a
tool for whoever changes the examples or the sample data: it rewrites each
expected output that differs with what the command printed (read the diff
before committing it).
"""
import os
import re
import subprocess
import sys
import tempfile

args = sys.argv[1:]
update = args[:1] == ["--update"]
if update:
    args = args[1:]
section = None
if args[:1] == ["--section"]:
    section, args = args[1], args[2:]
source, build, pages = os.path.abspath(args[0]), os.path.abspath(args[1]), args[2:]


class Session:
    """One command, its expected output, and where that output is in the file."""

    def __init__(self, cmd, start):
        self.cmd, self.want, self.start, self.end = cmd, [], start, start
        self.open = cmd.endswith("\\")  # the command goes on on the next line


def mdoc_unescape(line):
    """The text of a line of a literal block: \\e is a backslash, \\- a
    hyphen, \\& nothing (one pass, so the \\ of \\e starts nothing)."""
    return re.sub(r"\\([e&-])",
                  lambda m: {"e": "\\", "&": "", "-": "-"}[m.group(1)], line)


def mdoc_escape(line):
    line = line.replace("\\", "\\e")
    return "\\&" + line if line.startswith((".", "'")) else line


def mdoc_blocks(lines, name):
    """Yields the literal blocks of section NAME of an mdoc page, each as a
    list of (line number, unescaped text)."""
    in_section, block = False, None
    for i, raw in enumerate(lines):
        if raw.startswith(".Sh "):
            in_section = raw.strip() == ".Sh " + name
        elif in_section and raw.startswith(".Bd") and "-literal" in raw:
            block = []
        elif block is not None and raw.startswith(".Ed"):
            yield block
            block = None
        elif block is not None:
            block.append((i, mdoc_unescape(raw)))


def markdown_blocks(lines, name):
    """Yields the blocks indented by four spaces under the heading NAME of a
    Markdown file (blank lines inside a block belong to it), each as a list
    of (line number, text without the indent)."""
    in_section, block = False, []
    for i, raw in enumerate(lines + ["<end>"]):
        heading = re.match(r"#+ (.*)", raw)
        if heading:
            in_section = heading.group(1).strip() == name
        if in_section and (raw.startswith("    ") or (raw.strip() == "" and block)):
            block.append((i, raw[4:]))
            continue
        while block and block[-1][1].strip() == "":
            block.pop()
        if block:
            yield block
        block = []


def sessions(lines, markdown):
    """The sessions of a page's lines, in order."""
    blocks = markdown_blocks(lines, section or "EXAMPLES") if markdown \
        else mdoc_blocks(lines, section or "EXAMPLES")
    for block in blocks:
        current = None
        for i, line in block:
            if current and current.open:
                current.cmd += "\n" + line
                current.open = line.endswith("\\")
                current.start = current.end = i + 1
            elif line.startswith("$ "):
                if current:
                    yield current
                current = Session(line[2:], i + 1)
            elif current:
                current.want.append(line)
                current.end = i + 1
        if current:
            yield current


def run(cmd, cwd, env):
    try:
        got = subprocess.run(["bash", "-c", cmd], cwd=cwd, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             timeout=120)
        return got.stdout.decode("utf-8", "replace").rstrip("\n")
    except subprocess.TimeoutExpired:
        return "(timed out)"


n = failed = 0
env = dict(os.environ, PATH=build + ":" + os.environ["PATH"], LC_ALL="C.UTF-8")
for page in pages:
    name = os.path.basename(page)
    markdown = page.endswith(".md")
    with open(page, encoding="utf-8") as f:
        lines = f.read().split("\n")
    rewrites = []
    with tempfile.TemporaryDirectory() as tmp:
        os.symlink(os.path.join(source, "data"), os.path.join(tmp, "data"))
        for s in sessions(lines, markdown):
            n += 1
            text = run(s.cmd, tmp, env)
            expected = "\n".join(s.want).rstrip("\n")
            title = s.cmd.replace("\n", " ")
            if expected == "..." or text == expected:
                print(f"ok {n} - {name}: {title}")
                continue
            failed += 1
            print(f"not ok {n} - {name}: {title}")
            for line in ("expected:", *s.want, "got:", *text.split("\n")):
                print("# " + line)
            got = text.split("\n") if text else []
            rewrites.append((s, ["    " + g if g else "" for g in got]
                             if markdown else [mdoc_escape(g) for g in got]))
    if update and rewrites:
        for s, new in reversed(rewrites):
            lines[s.start:s.end] = new
        with open(page, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
        print(f"# {name}: rewrote {len(rewrites)} expected outputs")
print(f"1..{n}")
sys.exit(1 if failed else 0)
