#!/usr/bin/env python3
"""gen-wcwidth.py - writes lib/csv/wcwidth_table.h, the display widths the
views for people (--otable, --oxtab, --omd) use, from Python's unicodedata:

  0  combining and enclosing marks (Mn, Me), format characters (Cf) but
     U+00AD SOFT HYPHEN, and the Hangul Jamo vowels and finals
     U+1160..U+11FF (they join the syllable before them);
  2  East Asian Wide (W) and Fullwidth (F) characters;
  1  everything else (control characters never reach the table: the
     views show them escaped).

This is the usual wcwidth() rule (Markus Kuhn's, and glibc's UTF-8
locales), kept in the source so that the width does not depend on the
locales a system has. Run: python3 scripts/gen-wcwidth.py > lib/csv/wcwidth_table.h
"""
import sys
import unicodedata


def width(cp):
    c = chr(cp)
    if cp == 0xAD:
        return 1
    if 0x1160 <= cp <= 0x11FF:
        return 0
    if unicodedata.category(c) in ("Mn", "Me", "Cf"):
        return 0
    if unicodedata.east_asian_width(c) in ("W", "F"):
        return 2
    return 1


def ranges(w):
    out, start = [], None
    for cp in range(0x110000 + 1):
        inside = cp <= 0x10FFFF and width(cp) == w
        if inside and start is None:
            start = cp
        elif not inside and start is not None:
            out.append((start, cp - 1))
            start = None
    return out


def table(name, rs):
    lines = ["static const struct width_range %s[] = {" % name]
    for i in range(0, len(rs), 3):
        lines.append("\t" + " ".join("{ 0x%05X, 0x%05X }," % r
                                      for r in rs[i:i + 3]))
    lines.append("};")
    return "\n".join(lines)


print("""/*
 * wcwidth_table.h - code points of display width 0 and 2 (Unicode %s),
 * made by scripts/gen-wcwidth.py (the rule is there); do not edit. Each
 * table is sorted ranges, first and last code point included.
 */
#ifndef PF_WCWIDTH_TABLE_H
#define PF_WCWIDTH_TABLE_H

#include <stdint.h>

struct width_range {
	uint32_t	first, last;
};
""" % unicodedata.unidata_version)
print(table("zero_width", ranges(0)))
print()
print(table("double_width", ranges(2)))
print()
print("#endif")
