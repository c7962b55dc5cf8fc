#!/usr/bin/env python3
"""pmap_shell_values.py - hostile record values through every placeholder
position ({}, {name}, {2}), quoting (none, '...', "...", a here-document)
and way of running a command (sh -c, bash -c, bash --rcfile FILE -c,
sh -e -c, env sh -c, dash, zsh, no shell): the command must see each value
byte for byte, and nothing a value says may run (no marker file).

Usage: pmap_shell_values.py [SEED]   (pmap from PATH; runs in the current
directory, which it fills with its files). Prints the seed, and on a
mismatch the form, the record and both byte strings; exit status 1.
"""
import csv
import io
import os
import random
import shutil
import subprocess
import sys

MARK = "pwned"
HOSTILE = [
    b"$(touch pwned)", b"`touch pwned`", b"'; touch pwned; '",
    b'"; touch pwned; "', b"\ntouch pwned\n", b"x;touch pwned", b"$HOME",
    b"${x:-y} $((1+1))", b"'", b"''", b'"', b"\\", b"\\'", b"\\\"",
    b"a  b\tc", b"", b"-n", b"-e x", b"*", b"~", b"!!", b"{} {#} {name}",
    b"\xff\xfe bad utf-8 \xc3", b"\xc3\xa9 \xe2\x9c\x93", b"EOF",
    b"\nEOF\ntouch pwned\n", b"$'\\x41'", b"#", b"a\r\nb", b"))`'\"",
]
ALPHABET = [b"$", b"(", b")", b"`", b"'", b'"', b";", b"\n", b"\\", b"*",
            b"-", b" ", b"{", b"}", b"#", b"&", b"|", b"<", b">", b"a",
            b"touch pwned", b"\xff", b"\t", b"!", b"~", b"EOF"]


def values(rng):
    vals = list(HOSTILE)
    for _ in range(16):
        vals.append(b"".join(rng.choice(ALPHABET)
                             for _ in range(rng.randint(1, 8))))
    return vals


def csv_field(v):
    if any(c in v for c in (b",", b'"', b"\n", b"\r")) or v == b"":
        return b'"' + v.replace(b'"', b'""') + b'"'
    return v


def main():
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else random.randrange(2**32)
    print(f"# seed {seed}")
    rng = random.Random(seed)
    vals = values(rng)
    raws = [str(i).encode() + b"," + csv_field(v) for i, v in enumerate(vals)]
    with open("in.csv", "wb") as f:
        f.write(b"id,name\n" + b"".join(r + b"\n" for r in raws))
    with open("rc", "w") as f:
        f.write("echo rc read >&2\n")

    # Each record's expected words: a value per placeholder position.
    places = [("{}", lambda i: raws[i]), ("{name}", lambda i: vals[i]),
              ("{2}", lambda i: vals[i])]
    words, expect_words = [], []
    for p, value in places:
        for q in ("", "'", '"'):
            words.append(f"{q}X{p}Y{q}")
            expect_words.append(value)
    script = "printf '%s\\0' " + " ".join(words) + \
        "; cat <<EOF\nX{name}Y\nEOF\necho; cat <<-EOF\n\tX{}Y $# \"$0\"\n\tEOF\n"

    def expected_script(zero):
        out = b""
        for i in range(len(vals)):
            out += b"".join(b"X" + w(i) + b"Y\0" for w in expect_words)
            out += b"X" + vals[i] + b"Y\n\nX" + raws[i] + b"Y 0 \"" + \
                zero + b'"\n'
        return out

    forms = [
        (["sh", "-c", script], expected_script(b"sh")),
        (["bash", "-c", script], expected_script(b"bash")),
        (["bash", "--rcfile", "rc", "-c", script], expected_script(b"bash")),
        (["sh", "-e", "-c", script, "zero"], expected_script(b"zero")),
        (["env", "sh", "-c", script], expected_script(b"sh")),
        (["/usr/bin/env", "-i", "bash", "-o", "pipefail", "-ec", script],
         expected_script(b"bash")),
    ]
    for sh in ("dash", "zsh", "ksh", "mksh"):
        if shutil.which(sh):
            forms.append(([sh, "-c", script], expected_script(sh.encode())))
    # No shell: the arguments are the values.
    direct = b"".join(b"X" + raws[i] + b"Y\0X" + vals[i] + b"Y\0X" +
                      vals[i] + b"Y\0" for i in range(len(vals)))
    forms.append((["printf", "%s\\0", "X{}Y", "X{name}Y", "X{2}Y"], direct))

    failed = 0
    for argv, want in forms:
        if os.path.exists(MARK):
            os.remove(MARK)
        r = subprocess.run(["pmap", "-j4", "-a", "in.csv", "--"] + argv,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        form = " ".join(argv[:argv.index(script)] if script in argv
                        else argv)
        if r.returncode != 0 or r.stdout != want or os.path.exists(MARK):
            failed += 1
            print(f"# FAIL {form}: status {r.returncode}, "
                  f"marker {os.path.exists(MARK)}")
            print("# stderr: " + r.stderr.decode(errors="replace")[:2000])
            got, exp = r.stdout, want
            n = next((k for k in range(min(len(got), len(exp)))
                      if got[k] != exp[k]), min(len(got), len(exp)))
            print(f"# first difference at byte {n}: got {got[n-60:n+60]!r}")
            print(f"#                             want {exp[n-60:n+60]!r}")
    print(f"# {len(forms)} forms, {len(vals)} values, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
