#!/usr/bin/env python3
"""bash_complete.py - drives a real interactive bash (readline) with
completions/pflow.bash sourced, for tests/bats/completion.bats; the bash
side of tests/zsh_complete.zsh, with the same contract.

usage: bash_complete.py KEYS

Starts `bash --norc --noprofile -i` on a pseudo-terminal in the current
directory, with $PFLOW_BUILD first in PATH and the completion sourced;
then types KEYS, in which \\t is TAB, \\C-x is control-x and \\b, \\e,
\\xHH, \\\\ are as in print. After each TAB, and at the end when keys
follow the last TAB, a key bound (bind -x) to a function reports
readline's buffer (readline lists the matches at the first TAB:
show-all-if-ambiguous). For each report it prints the rows of the list of
matches the terminal showed since the last one (as shown, trailing blanks
removed), then the buffer with the cursor shown as U+2038 (a caret).

Exits 1 when bash does not answer within 30 s for one report (then it
prints what the terminal showed on stderr). The shell is always killed
at exit.
"""

import os
import pty
import re
import select
import signal
import sys
import time

CARET = "\u2038"
PROMPT = "% "
# Built from pieces in the set-up so that the typed text never shows them.
START, END = "<<", ">>\r\n"


def keys_bytes(keys):
    """KEYS with its escapes turned into the bytes typed."""
    def control(m):
        if m.group(1) == "e":
            return "\\x1b"
        if m.group(1).startswith("C-"):
            return "\\x%02x" % (ord(m.group(1)[2].upper()) & 0x1F)
        return m.group(0)  # \\ stays for unicode_escape
    keys = re.sub(r"\\(\\|C-.|e)", control, keys)
    return keys.encode("utf-8").decode("unicode_escape").encode("latin-1")


class Shell:
    def __init__(self):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ.update(TERM="dumb", INPUTRC="/dev/null", PS1=PROMPT,
                              PATH=os.environ["PFLOW_BUILD"] + ":" + os.environ["PATH"],
                              COLUMNS="80", LINES="24")
            os.execvp("bash", ["bash", "--norc", "--noprofile", "-i"])
        self.out = b""

    def write(self, data):
        os.write(self.fd, data)

    def read_until(self, pattern):
        """Reads the terminal into self.out until it matches the regex
        PATTERN (bytes), for at most 30 s; returns the match."""
        deadline = time.monotonic() + 30
        while True:
            m = re.search(pattern, self.out, re.S)
            if m:
                return m
            left = deadline - time.monotonic()
            if left <= 0:
                sys.stderr.write("bash_complete: no answer within 30 s; the terminal showed:\n")
                sys.stderr.write(self.out.decode(errors="replace") + "\n")
                sys.exit(1)
            if select.select([self.fd], [], [], min(left, 0.1))[0]:
                try:
                    self.out += os.read(self.fd, 4096)
                except OSError:
                    pass

    def kill(self):
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except OSError:
            pass


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: bash_complete.py KEYS")
    parts = keys_bytes(sys.argv[1]).split(b"\t")
    completion = os.path.join(os.environ["PFLOW_SOURCE"], "completions", "pflow.bash")
    sh = Shell()
    try:
        # the set-up: no echo outside readline, the 80 columns, the
        # completion, on ^T the buffer between the markers, and the
        # matches listed at the first TAB (as zsh does: a second TAB
        # would not follow the first, ^T comes between them)
        sh.write(b"stty -echo cols 80 rows 24; source '%s'; "
                 b"_pf_report() { printf '<''<%%s\\u2038%%s>''>\\n' "
                 b"\"${READLINE_LINE:0:READLINE_POINT}\" \"${READLINE_LINE:READLINE_POINT}\"; }; "
                 b"bind -x '\"\\C-t\": _pf_report'; "
                 b"bind 'set show-all-if-ambiguous on'; bind 'set page-completions off'; echo '<''<ready>''>'\n"
                 % completion.encode())
        m = sh.read_until(rb"<<ready>>\r\n")
        sh.out = sh.out[m.end():]
        for i, part in enumerate(parts):
            if i < len(parts) - 1:
                sh.write(part + b"\t")
            elif part:
                sh.write(part)
            else:
                break
            sh.write(b"\x14")  # ^T: report
            m = sh.read_until(rb"<<(.*?)>>\r\n")
            shown = sh.out[:m.start()].decode(errors="replace")
            for line in shown.split("\n"):
                line = line.replace("\r", "")
                if line and not line.startswith(PROMPT):
                    print(line.rstrip())
            print(m.group(1).decode(errors="replace"))
            sh.out = sh.out[m.end():]
    finally:
        sh.kill()


if __name__ == "__main__":
    main()
