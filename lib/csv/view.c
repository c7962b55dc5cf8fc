/*
 * view.c - the views for people, --otable, --oxtab and --omd (see view.h):
 * reading the carrier lines, showing values on one line, display widths,
 * and each view's layout.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv/output.h"
#include "csv/view.h"
#include "csv/wcwidth_table.h"
#include "support/number.h"
#include "support/xalloc.h"

/* One field of a carrier line, as it is shown. */
struct cell {
	size_t	 start, len;	/* its shown text in the view's cells buffer */
	size_t	 width;		/* display columns */
	bool	 number;
};

struct pf_view {
	enum pf_format	 format;
	struct pf_buf	 pending;	/* a line not yet ended */
	struct pf_buf	 text;		/* the cells' shown text */
	struct cell	*cells;		/* the current line's */
	size_t		 ncells, cap;
	char		**names;	/* the header's, shown; NULL: none yet */
	size_t		*name_widths;
	size_t		 nnames;
	bool		 header_done;	/* --omd: its header line written */
	uint64_t	 records;	/* records shown (xtab, md) */
	/* --otable */
	bool		 holding;	/* still before the first rows' widths */
	struct pf_buf	 held;		/* held carrier lines */
	size_t		 nheld;
	size_t		*widths;
	bool		*right;
	size_t		 ncols;
};

bool
pf_format_is_view(enum pf_format format)
{
	return format == PF_TABLE || format == PF_XTAB || format == PF_MD;
}

struct pf_view *
pf_view_new(enum pf_format format)
{
	struct pf_view *v = pf_xcalloc(1, sizeof(*v));

	v->format = format;
	v->holding = format == PF_TABLE;
	return v;
}

static void
free_names(struct pf_view *v)
{
	size_t i;

	for (i = 0; i < v->nnames; i++)
		free(v->names[i]);
	free(v->names);
	free(v->name_widths);
	v->names = NULL;
	v->name_widths = NULL;
	v->nnames = 0;
}

void
pf_view_free(struct pf_view *v)
{
	if (v == NULL)
		return;
	free_names(v);
	pf_buf_free(&v->pending);
	pf_buf_free(&v->text);
	pf_buf_free(&v->held);
	free(v->cells);
	free(v->widths);
	free(v->right);
	free(v);
}

/* ---- widths ---- */

static bool
in_ranges(const struct width_range *r, size_t n, uint32_t cp)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cp > r[mid].last)
			lo = mid + 1;
		else if (cp < r[mid].first)
			hi = mid;
		else
			return true;
	}
	return false;
}

/* The display width of code point cp (not a control character). */
static size_t
char_width(uint32_t cp)
{
	if (cp < 0x300)
		return 1;
	if (in_ranges(zero_width, sizeof(zero_width) / sizeof(zero_width[0]),
	    cp))
		return 0;
	if (in_ranges(double_width,
	    sizeof(double_width) / sizeof(double_width[0]), cp))
		return 2;
	return 1;
}

/* The code point of the well-formed n-byte UTF-8 sequence at s. */
static uint32_t
decode(const unsigned char *s, int n)
{
	uint32_t cp = s[0] & (0x7f >> n);
	int i;

	for (i = 1; i < n; i++)
		cp = cp << 6 | (s[i] & 0x3f);
	return cp;
}

/* ---- showing a value ---- */

static void
add_hex(struct pf_buf *b, const char *prefix, unsigned c)
{
	char hex[12];

	snprintf(hex, sizeof(hex), "%s%02x", prefix, c);
	pf_buf_adds(b, hex);
}

/*
 * Appends to b how value s[0..len) is shown (escaped is whether it is
 * TSV-escaped carrier text, whose \t, \n, \r and \\ are decoded first);
 * returns its display width.
 */
static size_t
show(const struct pf_view *v, struct pf_buf *b, const char *s, size_t len,
    bool escaped)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, width = 0;
	unsigned char c;
	int n;

	while (i < len) {
		/* A run of plain printable ASCII, copied whole. */
		size_t run = i;

		while (run < len && u[run] >= 0x20 && u[run] < 0x7f &&
		    u[run] != '\\' && u[run] != '|')
			run++;
		if (run > i) {
			pf_buf_add(b, s + i, run - i);
			width += run - i;
			i = run;
			continue;
		}
		c = u[i];
		if (c == '\\' && escaped && i + 1 < len &&
		    strchr("tnr\\", s[i + 1]) != NULL) {
			/* \t, \n, \r are shown as they are written. */
			pf_buf_add(b, s + i, s[i + 1] == '\\' ? 1 : 2);
			width += s[i + 1] == '\\' ? 1 : 2;
			i += 2;
		} else if (c == '\t' || c == '\n' || c == '\r') {
			pf_buf_addc(b, '\\');
			pf_buf_addc(b, c == '\t' ? 't' : c == '\n' ? 'n' : 'r');
			width += 2;
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			add_hex(b, "\\x", c);
			width += 4;
			i++;
		} else if (c == '|' && v->format == PF_MD) {
			pf_buf_add(b, "\\|", 2);
			width += 2;
			i++;
		} else if (c < 0x80) {
			pf_buf_addc(b, (char)c);
			width++;
			i++;
		} else if ((n = pf_utf8_sequence(u + i, len - i)) < 0) {
			pf_buf_add(b, "\xef\xbf\xbd", 3);	/* U+FFFD */
			width++;
			i += (size_t)-n;
		} else if (decode(u + i, n) < 0xa0) {
			add_hex(b, "\\u00", decode(u + i, n));
			width += 6;
			i += (size_t)n;
		} else {
			pf_buf_add(b, s + i, (size_t)n);
			width += char_width(decode(u + i, n));
			i += (size_t)n;
		}
	}
	return width;
}

size_t
pf_view_width(const char *s, size_t len)
{
	struct pf_view v = { .format = PF_TABLE };
	struct pf_buf b = { 0 };
	size_t width = show(&v, &b, s, len, false);

	pf_buf_free(&b);
	return width;
}

/* Splits carrier line s[0..len) into v->cells (shown in v->text). */
static void
split_line(struct pf_view *v, const char *s, size_t len)
{
	const char *end = s + len, *tab;
	struct pf_number num;
	struct cell *c;

	v->ncells = 0;
	v->text.len = 0;
	for (;;) {
		tab = memchr(s, '\t', (size_t)(end - s));
		if (tab == NULL)
			tab = end;
		if (v->ncells == v->cap) {
			v->cap = v->cap ? 2 * v->cap : 16;
			v->cells = pf_xrealloc(v->cells,
			    v->cap * sizeof(*v->cells));
		}
		c = &v->cells[v->ncells++];
		c->start = v->text.len;
		c->width = show(v, &v->text, s, (size_t)(tab - s), true);
		c->len = v->text.len - c->start;
		/* Only --otable's held rows decide alignment. */
		c->number = v->holding &&
		    pf_number_parse(s, (size_t)(tab - s), &num);
		if (tab == end)
			break;
		s = tab + 1;
	}
}

/* Keeps the current cells as the header's names. */
static void
keep_names(struct pf_view *v)
{
	size_t i;

	free_names(v);
	v->nnames = v->ncells;
	v->names = pf_xcalloc(v->nnames, sizeof(char *));
	v->name_widths = pf_xcalloc(v->nnames, sizeof(size_t));
	for (i = 0; i < v->nnames; i++) {
		v->names[i] = pf_xstrndup(v->text.data + v->cells[i].start,
		    v->cells[i].len);
		v->name_widths[i] = v->cells[i].width;
	}
}

static void
add_spaces(struct pf_buf *b, size_t n)
{
	if (n == 0)
		return;		/* b->data may still be NULL */
	pf_buf_reserve(b, n);
	memset(b->data + b->len, ' ', n);
	b->len += n;
}

/* Ends a line: drops its trailing spaces, adds LF. */
static void
end_line(struct pf_buf *b, size_t start)
{
	while (b->len > start && b->data[b->len - 1] == ' ')
		b->len--;
	pf_buf_addc(b, '\n');
}

/* ---- --oxtab ---- */

/* A field's name: the header's, or its position. */
static const char *
name_of(const struct pf_view *v, size_t i, char *pos, size_t *width)
{
	if (i < v->nnames) {
		*width = v->name_widths[i];
		return v->names[i];
	}
	*width = (size_t)snprintf(pos, 24, "%zu", i + 1);
	return pos;
}

static void
xtab_record(struct pf_view *v, struct pf_buf *out)
{
	size_t i, w, widest = 0, start;
	const char *name;
	char pos[24];

	if (v->records++ > 0)
		pf_buf_addc(out, '\n');
	for (i = 0; i < v->ncells; i++) {
		name_of(v, i, pos, &w);
		if (w > widest)
			widest = w;
	}
	for (i = 0; i < v->ncells; i++) {
		start = out->len;
		name = name_of(v, i, pos, &w);
		pf_buf_adds(out, name);
		add_spaces(out, widest - w + 1);
		pf_buf_add(out, v->text.data + v->cells[i].start,
		    v->cells[i].len);
		end_line(out, start);
	}
}

/* ---- --omd ---- */

static void
md_header(struct pf_view *v, struct pf_buf *out, size_t ncols)
{
	size_t i;
	char pos[24];

	v->header_done = true;
	for (i = 0; i < ncols; i++) {
		pf_buf_adds(out, "| ");
		pf_buf_adds(out, name_of(v, i, pos, &(size_t){ 0 }));
		pf_buf_addc(out, ' ');
	}
	pf_buf_adds(out, "|\n");
	for (i = 0; i < ncols; i++)
		pf_buf_adds(out, "| --- ");
	pf_buf_adds(out, "|\n");
}

static void
md_record(struct pf_view *v, struct pf_buf *out)
{
	size_t i;

	if (!v->header_done)
		md_header(v, out, v->ncells);
	for (i = 0; i < v->ncells; i++) {
		pf_buf_adds(out, "| ");
		pf_buf_add(out, v->text.data + v->cells[i].start,
		    v->cells[i].len);
		pf_buf_addc(out, ' ');
	}
	pf_buf_adds(out, "|\n");
}

/* ---- --otable ---- */

/* Makes room for the current cells' columns (new ones left-aligned). */
static void
table_columns(struct pf_view *v, size_t n)
{
	if (n <= v->ncols)
		return;
	v->widths = pf_xrealloc(v->widths, n * sizeof(size_t));
	v->right = pf_xrealloc(v->right, n * sizeof(bool));
	memset(v->widths + v->ncols, 0, (n - v->ncols) * sizeof(size_t));
	memset(v->right + v->ncols, 0, (n - v->ncols) * sizeof(bool));
	v->ncols = n;
}

/* Writes one line of cells (names when header), widening columns. */
static void
table_line(struct pf_view *v, struct pf_buf *out, bool header)
{
	size_t i, n = header ? v->nnames : v->ncells, w, start = out->len;
	const char *s;
	size_t len;

	table_columns(v, n);
	for (i = 0; i < n; i++) {
		if (header) {
			s = v->names[i];
			len = strlen(s);
			w = v->name_widths[i];
		} else {
			s = v->text.data + v->cells[i].start;
			len = v->cells[i].len;
			w = v->cells[i].width;
		}
		if (w > v->widths[i])
			v->widths[i] = w;
		if (i > 0)
			pf_buf_add(out, "  ", 2);
		if (v->right[i])
			add_spaces(out, v->widths[i] - w);
		pf_buf_add(out, s, len);
		if (!v->right[i])
			add_spaces(out, v->widths[i] - w);
	}
	end_line(out, start);
}

/*
 * Ends holding: the widths and alignments from the header and the held
 * records, then writes them all.
 */
static void
table_settle(struct pf_view *v, struct pf_buf *out)
{
	const char *p = v->held.data, *end = p + v->held.len, *nl;
	bool *seen = NULL;	/* a column has had a value */
	size_t i, nseen = 0;

	table_columns(v, v->nnames);
	for (i = 0; i < v->nnames; i++)
		v->widths[i] = v->name_widths[i];
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		split_line(v, p, (size_t)(nl - p));
		table_columns(v, v->ncells);
		if (nseen < v->ncols) {
			seen = pf_xrealloc(seen, v->ncols * sizeof(bool));
			memset(seen + nseen, 0, (v->ncols - nseen) * sizeof(bool));
			nseen = v->ncols;
		}
		for (i = 0; i < v->ncells; i++) {
			if (v->cells[i].width > v->widths[i])
				v->widths[i] = v->cells[i].width;
			if (v->cells[i].len == 0)
				continue;
			v->right[i] = (v->right[i] || !seen[i]) &&
			    v->cells[i].number;
			seen[i] = true;
		}
	}
	free(seen);
	v->holding = false;
	if (v->names != NULL)
		table_line(v, out, true);
	for (p = v->held.data; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		split_line(v, p, (size_t)(nl - p));
		table_line(v, out, false);
	}
	pf_buf_free(&v->held);
	v->nheld = 0;
}

/* ---- lines ---- */

static bool
is_header(const char *s, size_t len)
{
	return len >= 2 && memcmp(s, PF_VIEW_HEADER, 2) == 0;
}

static void
put_line(struct pf_view *v, const char *s, size_t len, struct pf_buf *out)
{
	bool header = is_header(s, len) && v->records == 0 && v->nheld == 0;

	if (v->format == PF_TABLE && v->holding) {
		if (header) {
			split_line(v, s + 2, len - 2);
			keep_names(v);
			return;
		}
		pf_buf_add(&v->held, s, len);
		pf_buf_addc(&v->held, '\n');
		if (++v->nheld >= PF_VIEW_ROWS || v->held.len >= PF_VIEW_BYTES)
			table_settle(v, out);
		return;
	}
	if (header) {
		split_line(v, s + 2, len - 2);
		keep_names(v);
		if (v->format == PF_MD)
			md_header(v, out, v->nnames);
		return;
	}
	split_line(v, s, len);
	if (v->format == PF_TABLE)
		table_line(v, out, false);
	else if (v->format == PF_XTAB)
		xtab_record(v, out);
	else {
		v->records++;
		md_record(v, out);
	}
}

void
pf_view_put(struct pf_view *v, const char *s, size_t len, struct pf_buf *out)
{
	const char *end = s + len, *nl;

	while (s < end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (nl == NULL) {
			pf_buf_add(&v->pending, s, (size_t)(end - s));
			return;
		}
		if (v->pending.len > 0) {
			pf_buf_add(&v->pending, s, (size_t)(nl - s));
			put_line(v, v->pending.data, v->pending.len, out);
			v->pending.len = 0;
		} else
			put_line(v, s, (size_t)(nl - s), out);
		s = nl + 1;
	}
}

void
pf_view_finish(struct pf_view *v, struct pf_buf *out)
{
	if (v->pending.len > 0) {	/* a last line without its LF */
		put_line(v, v->pending.data, v->pending.len, out);
		v->pending.len = 0;
	}
	if (v->format == PF_TABLE && v->holding)
		table_settle(v, out);
}
