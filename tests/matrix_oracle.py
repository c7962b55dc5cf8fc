#!/usr/bin/env python3
"""matrix_oracle.py - inputs and an independent oracle for matrix.bats.

  matrix_oracle.py gen DIR
      writes DIR/MODE-VARIANT.in for every input mode and variant: the
      same logical records (awkward ones included) written as that mode
      reads them.
  matrix_oracle.py check DIR TOOL
      checks the outputs that matrix.bats left in DIR/out for one tool in
      every input mode: -j1 and -j2 byte-identical, every JSON line parses,
      CSV parses with the csv module and TSV with its escapes, and the
      records read back are exactly the records written in (for preduce,
      the counts), with malformed ones in the --bad file and nowhere else.

Python's csv, json and bytes.decode('utf-8', 'replace') are the oracle;
nothing here reads pflow's code.
"""
import collections
import csv
import io
import json
import os
import sys

NAMES = [b'key', b't\xc3\xabxt', b'n']

# (fields, ragged): ragged records differ in width from the header.
RECORDS = [
    ([b'k1', b'plain', b'1'], False),
    ([b'k2', b'', b''], False),                          # empty fields
    ([b'k1', b'multi\r\nline, "quoted"\n', b'2'], False),  # CSV: quoted
    ([b'k3', b'nul\x00byte', b'3'], False),
    ([b'k2', b'bad\xff\xc0utf8\xed\xa0\x80\xe2\x82', b'4'], False),
    ([b'k3', b'wide', b'5', b'extra \xc3\xa9'], True),
    ([b'k1', b'tab\there back\\slash \\q \\', b' 6 '], False),
    ([b'k2'], True),
    ([b'k3', b'\xc3\xa9 \xf0\x9f\x98\x80 \x01\x7f', b''], False),
]

# Input modes: the options (as matrix.bats gives them), whether there is
# a header, the format.
MODES = {
    'csv': (['--csv'], True, 'csv'),
    'csvH': (['--csv', '-H'], False, 'csv'),
    'lines': (['--lines', '-d', ','], False, 'lines'),
    'tsv': (['--tsv'], True, 'tsv'),
    'tsvH': (['--tsv', '-H'], False, 'tsv'),
}

# Variants: LF with a final newline; BOM, CRLF and no final newline.
VARIANTS = ['lf', 'crlf']
FORMATS = ['csv', 'tsv', 'jsonl']
JOBS = ['j1', 'j2']


def representable(fmt, field):
    """--lines -d , cannot hold a comma, CR or LF in a field."""
    if fmt == 'lines':
        return (field.replace(b'\r', b'').replace(b'\n', b' ')
                .replace(b',', b';'))
    return field


def csv_field(f):
    if (any(c in f for c in b',"\r\n') or f[:1] == b' '
            or f[-1:] == b' '):
        return b'"' + f.replace(b'"', b'""') + b'"'
    return f


def tsv_field(f):
    """TSV escapes; a backslash before anything else is left single."""
    out = bytearray()
    for i, c in enumerate(f):
        if c == 9:
            out += b'\\t'
        elif c == 10:
            out += b'\\n'
        elif c == 13:
            out += b'\\r'
        elif c == 92:
            nxt = f[i + 1:i + 2]
            out += b'\\\\' if nxt in (b'', b't', b'n', b'r', b'\\') \
                else b'\\'
        else:
            out.append(c)
    return bytes(out)


def tsv_decode(f):
    out = bytearray()
    i = 0
    while i < len(f):
        if f[i] == 92 and i + 1 < len(f) and f[i + 1] in b'tnr\\':
            out += {b't': b'\t', b'n': b'\n', b'r': b'\r',
                    b'\\': b'\\'}[f[i + 1:i + 2]]
            i += 2
        else:
            out.append(f[i])
            i += 1
    return bytes(out)


def encode_line(fmt, fields):
    if fmt == 'csv':
        return b','.join(csv_field(f) for f in fields)
    if fmt == 'tsv':
        return b'\t'.join(tsv_field(f) for f in fields)
    return b','.join(fields)


def mode_records(mode):
    """(header or None, good records, raw lines of the malformed ones)."""
    opts, header, fmt = MODES[mode]
    good, bad = [], []
    for fields, ragged in RECORDS:
        fields = [representable(fmt, f) for f in fields]
        if header and ragged:
            bad.append(fields)
        else:
            good.append(fields)
    return (NAMES if header else None), good, bad


def gen(d):
    for mode, (opts, header, fmt) in MODES.items():
        names, _, _ = mode_records(mode)
        rows = [[representable(fmt, f) for f in r] for r, _ in RECORDS]
        if names:
            rows.insert(0, names)
        lines = [encode_line(fmt, r) for r in rows]
        for variant in VARIANTS:
            if variant == 'lf':
                data = b'\n'.join(lines) + b'\n'
            else:
                data = b'\xef\xbb\xbf' + b'\r\n'.join(lines)
            with open(os.path.join(d, '%s-%s.in' % (mode, variant)),
                      'wb') as fh:
                fh.write(data)


def parse(fmt, data, errors):
    """Records of an output, as lists of bytes (JSON: (keys, values))."""
    if fmt == 'csv':
        text = data.decode('latin-1')
        return [[f.encode('latin-1') for f in row]
                for row in csv.reader(io.StringIO(text, newline=''),
                                      strict=True)]
    if fmt == 'tsv':
        if data and not data.endswith(b'\n'):
            errors.append('TSV output without a final newline')
        return [[tsv_decode(f) for f in line.split(b'\t')]
                for line in data.split(b'\n')[:-1]]
    out = []
    for line in data.split(b'\n')[:-1]:
        try:
            # Numbers as their text: a field wholly a number is one.
            obj = json.loads(line.decode('utf-8'), parse_int=str,
                             parse_float=str)
        except (UnicodeDecodeError, ValueError) as e:
            errors.append('JSON line does not parse (%s): %r' % (e, line))
            continue
        if not isinstance(obj, dict):
            errors.append('JSON line is not an object: %r' % line)
            continue
        out.append((list(obj.keys()), list(obj.values())))
    return out


def want_json(names, fields):
    """The object a record must become in JSON Lines."""
    keys = [(names[i].decode('utf-8', 'replace') if names and
             i < len(names) else str(i + 1)) for i in range(len(fields))]
    return (keys, [f.decode('utf-8', 'replace') for f in fields])


def records_of(fmt, data, header, want_header, errors, what):
    recs = parse(fmt, data, errors)
    if header and fmt != 'jsonl':
        if not recs or recs[0] != want_header:
            errors.append('%s: header %r, want %r' % (
                what, recs[:1], want_header))
            return []
        recs = recs[1:]
    return recs


def norm(fmt, names, fields):
    return want_json(names, fields) if fmt == 'jsonl' else fields


def key_of(fmt, rec):
    return rec[1][0] if fmt == 'jsonl' else rec[0]


def check(d, tool, mode):
    names, good, bad = mode_records(mode)
    header = names is not None
    errors = []
    out = os.path.join(d, 'out')
    for variant in VARIANTS:
        for fmt in FORMATS:
            base = os.path.join(out, '%s-%s-%s-%s' % (tool, mode, variant,
                                                      fmt))
            what = '%s %s %s --o%s' % (tool, mode, variant, fmt)
            # -j1 and -j2: the same bytes everywhere.
            files = sorted(os.listdir(base + '-j1'))
            if files != sorted(os.listdir(base + '-j2')):
                errors.append('%s: -j1 and -j2 wrote different files' %
                              what)
                continue
            blobs = {}
            for name in files:
                with open(os.path.join(base + '-j1', name), 'rb') as fh:
                    a = fh.read()
                with open(os.path.join(base + '-j2', name), 'rb') as fh:
                    b = fh.read()
                if a != b:
                    errors.append('%s: %s differs between -j1 and -j2' %
                                  (what, name))
                blobs[name] = a
            status = blobs.pop('status').strip()
            if status != b'0':
                errors.append('%s: status %s' % (what, status.decode()))
            # Malformed records: in --bad, raw, and nowhere else.
            want_bad = b''.join(encode_line(MODES[mode][2], r) + b'\n'
                                for r in bad)
            if blobs.pop('bad', b'') != want_bad:
                errors.append('%s: --bad does not hold exactly the '
                              'ragged lines' % what)
            if tool == 'preduce':
                check_counts(fmt, blobs.pop('stdout'), names, good,
                             errors, what)
                continue
            if tool == 'ppartition':
                if blobs.pop('stdout') != b'':
                    errors.append('%s: output on stdout' % what)
                parts = [records_of(fmt, blobs[n], header,
                                    names, errors, what + ' ' + n)
                         for n in sorted(blobs)]
                got = [r for p in parts for r in p]
                keys_in = collections.defaultdict(set)
                for i, p in enumerate(parts):
                    for r in p:
                        keys_in[repr(key_of(fmt, r))].add(i)
                if any(len(s) > 1 for s in keys_in.values()):
                    errors.append('%s: a key in several partitions' % what)
            else:
                got = records_of(fmt, blobs.pop('stdout'), header, names,
                                 errors, what)
            want = [norm(fmt, names, r) for r in good]
            if tool in ('pfilter', 'pmap'):
                if got != want:
                    errors.append('%s: records\n  got  %r\n  want %r' %
                                  (what, got, want))
            else:
                if sorted(map(repr, got)) != sorted(map(repr, want)):
                    errors.append('%s: records (any order)\n  got  %r\n'
                                  '  want %r' % (what, got, want))
                if tool == 'ptakesort':
                    keys = [key_of(fmt, r) for r in got]
                    if keys != sorted(keys):
                        errors.append('%s: not sorted by key: %r' %
                                      (what, keys))
    for e in errors:
        print('# ' + e.replace('\n', '\n# '))
    return 1 if errors else 0


def check_counts(fmt, data, names, good, errors, what):
    want = collections.Counter(r[0] for r in good)
    keyname = names[0] if names else b'1'
    recs = records_of(fmt, data, names is not None, [keyname, b'count'],
                      errors, what)
    got = collections.Counter()
    for r in recs:
        if fmt == 'jsonl':
            keys, vals = r
            # A count is a JSON number (read back as its text).
            if keys != [keyname.decode(), 'count'] or \
                    not isinstance(vals[1], str) or not vals[1].isdigit():
                errors.append('%s: bad count object %r' % (what, r))
                continue
            got[vals[0].encode('utf-8')] = int(vals[1])
        else:
            got[r[0]] = int(r[1])
    if got != want:
        errors.append('%s: counts %r, want %r' % (what, dict(got),
                                                  dict(want)))


if __name__ == '__main__':
    if sys.argv[1] == 'gen':
        gen(sys.argv[2])
    elif sys.argv[1] == 'check':
        sys.exit(max(check(sys.argv[2], sys.argv[3], mode)
                     for mode in MODES))
