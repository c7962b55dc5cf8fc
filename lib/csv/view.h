/*
 * view.h - the views for people: --otable, --oxtab and --omd.
 *
 * A tool writes records for a view through output.h as for any format;
 * output.c writes them in the views' carrier form: TSV-escaped lines, the
 * header line marked by a leading PF_VIEW_HEADER ("\:", which TSV's
 * escapes never make). A view reads those lines, in output order, and
 * turns them into text for people. It runs where the output is written,
 * on one thread, so what it shows is the same whatever -j and --chunk.
 *
 * Every view shows a value on one line: TAB, LF and CR as \t, \n and \r,
 * other control characters as \xHH (C0 and DEL) or \u00HH (C1), and
 * ill-formed UTF-8 as U+FFFD; a backslash stays as it is. --omd also
 * writes | as \|. Widths are display columns (wcwidth's rule, from
 * wcwidth_table.h: combining marks 0, East Asian wide characters 2).
 * Lines end without trailing spaces.
 *
 * --otable: columns two spaces apart. The widths come from the header
 * and the first PF_VIEW_ROWS records (or PF_VIEW_BYTES of them, or all
 * when there are fewer), which the view holds before it writes any; a
 * later wider value widens its column from there on. A column whose held
 * values are all numbers (number.h; empty values aside) is right-aligned,
 * its header too. No header line without a header (-H).
 * --oxtab: one "NAME VALUE" line per field, names padded to the longest
 * in the record plus one space, a blank line between records (Miller's
 * --oxtab); without a header, or past it, names are positions 1, 2, ...
 * --omd: a Markdown table, "| a | b |", then "| --- | --- |"; without a
 * header the names are positions 1, 2, ... of the first record.
 */
#ifndef PF_VIEW_H
#define PF_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "csv/record.h"
#include "support/buf.h"

#define PF_VIEW_HEADER	"\\:"
#define PF_VIEW_ROWS	1000
#define PF_VIEW_BYTES	(1 << 20)

/* Whether format is one of the views (PF_TABLE, PF_XTAB, PF_MD). */
bool pf_format_is_view(enum pf_format format);

struct pf_view;

/* A view of format (a view format). Free with pf_view_free(). */
struct pf_view *pf_view_new(enum pf_format format);
void pf_view_free(struct pf_view *v);

/*
 * Reads carrier text s[0..len) (whole lines, or the rest kept for the
 * next call) and appends what it shows to out.
 */
void pf_view_put(struct pf_view *v, const char *s, size_t len,
    struct pf_buf *out);
/* At the end of the output: appends what the view still holds. */
void pf_view_finish(struct pf_view *v, struct pf_buf *out);

/* The display width of UTF-8 text s[0..len) as a view shows it. */
size_t pf_view_width(const char *s, size_t len);

#endif
