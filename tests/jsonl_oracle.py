#!/usr/bin/env python3
"""jsonl_oracle.py - JSON Lines input against Python's json module.

    jsonl_oracle.py gen DIR SEED N   writes DIR/in.jsonl (N random objects)
                                     and DIR/want.json (what each field
                                     must read as)
    jsonl_oracle.py check DIR OUT    checks OUT, the output of
                                     `pmap --ojsonl '*' DIR/in.jsonl`:
                                     each value with its JSON type
    jsonl_oracle.py check-csv DIR OUT
                                     checks OUT, the same as CSV: each
                                     field's text

The objects are written as text by this generator, so that it knows each
value as written: strings with every escape (\\uXXXX, surrogate pairs,
lone surrogates, \\/), raw UTF-8, numbers with huge integers, fractions
and exponents as written, true/false/null, nested arrays and objects (deep
ones too), blanks between tokens, keys in any order and missing keys.
Every line is first checked to be what json.loads reads (the generator's
own test), then pflow's fields must be: a string unescaped (a lone
surrogate as U+FFFD), a number its text as written, true/false the word,
null and a missing key empty, an array or object a compact JSON text that
json.loads reads as the same value; and written back as JSON Lines, each
value of the same JSON type (a string that looks like a number stays a
string; null and a missing key null).
"""
import json
import random
import re
import sys

KEYS = ["id", "name", "n", "flag", "nested", "k\u00e9y", "with \"quote\""]


def ws(rng):
    return rng.choice(["", "", "", " ", "  ", "\t", " \t "])


def enc_string(rng, s):
    """s as a JSON string literal, escaped at random."""
    out = ['"']
    for ch in s:
        c = ord(ch)
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif c < 0x20:
            named = {8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r"}
            out.append(named.get(c) if c in named and rng.random() < 0.5
                       else "\\u%04x" % c)
        elif 0xD800 <= c <= 0xDFFF:
            out.append("\\u%04X" % c)       # a lone surrogate
        elif c > 0xFFFF and rng.random() < 0.5:
            v = c - 0x10000
            out.append("\\u%04x\\u%04x" % (0xD800 + (v >> 10),
                                            0xDC00 + (v & 0x3FF)))
        elif ch == "/" and rng.random() < 0.5:
            out.append("\\/")
        elif 0x7F < c <= 0xFFFF and rng.random() < 0.3:
            out.append("\\u%04x" % c)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def rand_text(rng):
    pool = ("abc xyz,;:'\"\\/\n\t\r\b\f\x00\x01\x1f\x7f"
            "\u00e9\u00fc\u4e2d\u6587\U0001F600\U0001D11E\u2028\ufffd")
    s = "".join(rng.choice(pool) for _ in range(rng.randint(0, 12)))
    if rng.random() < 0.1:
        s += chr(rng.choice([0xD800, 0xDBFF, 0xDC00, 0xDFFF]))
    return s


def rand_number(rng):
    kind = rng.randint(0, 5)
    if kind == 0:
        return str(rng.randint(-1000, 1000))
    if kind == 1:
        return str(rng.randint(-10 ** 40, 10 ** 40))     # huge
    if kind == 2:
        return "-0" if rng.random() < 0.5 else "0"
    if kind == 3:
        return "%s%d.%s" % (rng.choice(["", "-"]), rng.randint(0, 99),
                            "".join(rng.choice("0123456789")
                                    for _ in range(rng.randint(1, 20))))
    exp = rng.choice(["e", "E"]) + rng.choice(["", "+", "-"]) + \
        str(rng.randint(0, 400))
    return "%s%d%s" % (rng.choice(["", "-"]), rng.randint(0, 9), exp)


def rand_json(rng, depth):
    """(text, value) of a random JSON value."""
    kind = rng.randint(0, 6 if depth < 6 else 3)
    if kind == 0:
        s = rand_text(rng)
        return enc_string(rng, s), s
    if kind == 1:
        t = rand_number(rng)
        return t, json.loads(t)
    if kind == 2:
        t = rng.choice(["true", "false", "null"])
        return t, json.loads(t)
    if kind == 3:
        s = rand_text(rng)
        return enc_string(rng, s), s
    if kind == 4:
        items = [rand_json(rng, depth + 1) for _ in range(rng.randint(0, 4))]
        text = "[" + ws(rng) + ("," + ws(rng)).join(
            t + ws(rng) for t, _ in items) + "]"
        return text, [v for _, v in items]
    members = {}
    parts = []
    for _ in range(rng.randint(0, 4)):
        k = rand_text(rng)
        if k in members:
            continue
        t, v = rand_json(rng, depth + 1)
        members[k] = v
        parts.append(enc_string(rng, k) + ws(rng) + ":" + ws(rng) + t)
    return "{" + ws(rng) + ("," + ws(rng)).join(parts) + ws(rng) + "}", members


def deep(rng, n):
    opens = [rng.choice("[{") for _ in range(n)]
    text, value = "1", 1
    for o in reversed(opens):
        if o == "[":
            text, value = "[" + text + "]", [value]
        else:
            text, value = '{"d":' + text + "}", {"d": value}
    return text, value


def want_field(value, text):
    """What pflow must write back for a top-level value written as text:
    its JSON type kept (SPEC "Outputs"): a number as written, a string
    (lone surrogates as U+FFFD), and true, false, null and containers as
    the same JSON values."""
    if isinstance(value, bool) or value is None or \
            isinstance(value, (list, dict)):
        return ("lit", value)
    if isinstance(value, (int, float)):
        return ("num", text)
    return ("str", re.sub("[\ud800-\udfff]", "\ufffd", value))


def gen(d, seed, n):
    rng = random.Random(seed)
    lines, wants = [], []
    for i in range(n):
        keys = list(KEYS) if i == 0 else [k for k in KEYS if rng.random() < 0.8]
        if i > 0:
            rng.shuffle(keys)
        parts, want, values = [], {k: ["lit", None] for k in KEYS}, {}
        for k in keys:
            if rng.random() < 0.03:
                t, v = deep(rng, rng.randint(50, 400))
            else:
                t, v = rand_json(rng, 0)
            parts.append(ws(rng) + enc_string(rng, k) + ws(rng) + ":" +
                         ws(rng) + t + ws(rng))
            want[k] = list(want_field(v, t))
            values[k] = v
        line = "{" + ",".join(parts) + "}" + ws(rng)
        assert json.loads(line) == values          # the generator's test
        lines.append(line)
        wants.append(want)
        if rng.random() < 0.05:
            lines.append("")                       # an empty line: no record
    with open(d + "/in.jsonl", "w", encoding="utf-8",
              errors="surrogatepass") as f:
        f.write("\n".join(lines) + "\n")
    with open(d + "/want.json", "w") as f:
        json.dump(wants, f)


def same(a, b):
    """Equal JSON values, true and 1 told apart."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def check(d, out):
    """Each record of out (JSON Lines) holds the input's values with their
    types; keys after the input's (a tool's new columns) are let be."""
    wants = json.load(open(d + "/want.json"))
    lines = open(out, encoding="utf-8", newline="").read().split("\n")
    if lines[-1] != "":
        sys.exit("no final newline")
    lines.pop()
    if len(lines) != len(wants):
        sys.exit("records: %d, want %d" % (len(lines), len(wants)))
    for i, (line, w) in enumerate(zip(lines, wants)):
        # Numbers as their text: a number is compared as it was written.
        text = json.loads(line, parse_int=str, parse_float=str,
                          parse_constant=str)
        value = json.loads(line)
        if list(text.keys())[:len(KEYS)] != KEYS:
            sys.exit("record %d: keys %r" % (i + 1, list(text.keys())))
        for k in KEYS:
            kind, v = w[k]
            if kind == "num":
                ok = isinstance(value[k], (int, float)) and \
                    not isinstance(value[k], bool) and text[k] == v
            elif kind == "str":
                ok = text[k] == v
            else:
                ok = same(value[k], v)
            if not ok:
                sys.exit("record %d, key %r: got %r, want %r" %
                         (i + 1, k, text[k], v))
    print("ok %d records" % len(lines))


def check_csv(d, out):
    """Each record of out (CSV, header first) holds the input's fields as
    text: a string unescaped, a number as written, true/false the word,
    null and a missing key empty, an array or object compact JSON text
    that json.loads reads as the same value."""
    import csv
    wants = json.load(open(d + "/want.json"))
    rows = list(csv.reader(open(out, encoding="utf-8", newline="")))
    if rows[0] != KEYS or len(rows) - 1 != len(wants):
        sys.exit("header %r, records %d, want %d" %
                 (rows[0], len(rows) - 1, len(wants)))
    for i, (row, w) in enumerate(zip(rows[1:], wants)):
        for k, got in zip(KEYS, row):
            kind, v = w[k]
            if kind != "lit":
                ok = got == v
            elif v is None or isinstance(v, bool):
                ok = got == {None: "", True: "true", False: "false"}[v]
            else:
                ok = same(json.loads(got), v)
            if not ok:
                sys.exit("record %d, key %r: got %r, want %r" %
                         (i + 1, k, got, v))
    print("ok %d records" % len(wants))


if __name__ == "__main__":
    sys.setrecursionlimit(10000)
    if sys.argv[1] == "gen":
        gen(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif sys.argv[1] == "check-csv":
        check_csv(sys.argv[2], sys.argv[3])
    else:
        check(sys.argv[2], sys.argv[3])
