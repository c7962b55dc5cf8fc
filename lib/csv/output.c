/*
 * output.c - CSV, TSV, JSON Lines and plain-line writing (see output.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv/output.h"
#include "csv/view.h"
#include "support/table.h"
#include "support/xalloc.h"

void
pf_names_unique(char **names, size_t n)
{
	struct pf_arena arena = { 0 };
	struct pf_groups written;
	struct pf_buf name = { 0 };
	size_t i, base;
	unsigned long k;
	bool added;

	pf_groups_init(&written, &arena, 0);
	for (i = 0; i < n; i++) {
		pf_groups_find(&written, names[i], strlen(names[i]), &added);
		if (added)
			continue;
		name.len = 0;
		pf_buf_adds(&name, names[i]);
		base = name.len;
		for (k = 2; !added; k++) {
			char suffix[24];

			name.len = base;
			snprintf(suffix, sizeof(suffix), "_%lu", k);
			pf_buf_adds(&name, suffix);
			pf_groups_find(&written, name.data, name.len, &added);
		}
		free(names[i]);
		names[i] = pf_xstrndup(name.data, name.len);
	}
	pf_buf_free(&name);
	pf_groups_free(&written);
	pf_arena_free(&arena);
}

void
pf_output_init(struct pf_output *o, enum pf_format format, char delim,
    char *const *names, size_t ncols)
{
	size_t i;

	memset(o, 0, sizeof(*o));
	o->format = format;
	o->delim = delim;
	o->ncols = ncols;
	o->names = pf_xcalloc(ncols, sizeof(char *));
	for (i = 0; i < ncols; i++)
		o->names[i] = pf_xstrdup(names[i]);
	pf_names_unique(o->names, ncols);
	o->must_quote['"'] = o->must_quote['\r'] = o->must_quote['\n'] = 1;
	o->must_quote[(unsigned char)delim] = 1;
}

void
pf_output_free(struct pf_output *o)
{
	size_t i;

	for (i = 0; i < o->ncols; i++)
		free(o->names[i]);
	free(o->names);
	o->names = NULL;
}

static bool
csv_needs_quotes(const struct pf_output *o, const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return false;
	if (s[0] == ' ' || s[len - 1] == ' ')
		return true;
	for (i = 0; i < len; i++)
		if (o->must_quote[(unsigned char)s[i]])
			return true;
	return false;
}

/* A CSV field, quoted as it must be (see add_csv). */
static void
add_csv_slow(const struct pf_output *o, struct pf_buf *b, const char *s,
    size_t len)
{
	const char *q;

	if (!csv_needs_quotes(o, s, len)) {
		pf_buf_add(b, s, len);
		return;
	}
	pf_buf_addc(b, '"');
	while ((q = memchr(s, '"', len)) != NULL) {
		pf_buf_add(b, s, (size_t)(q - s) + 1);
		pf_buf_addc(b, '"');
		len -= (size_t)(q - s) + 1;
		s = q + 1;
	}
	pf_buf_add(b, s, len);
	pf_buf_addc(b, '"');
}

/* Fields up to this long are copied and checked in one pass. */
#define SHORT_FIELD	32

/*
 * Appends a CSV field. The common one, short and needing no quotes, is
 * copied while it is checked, in line: no call, no second pass; what
 * turns out to need quotes is written again by add_csv_slow().
 */
static inline void
add_csv(const struct pf_output *o, struct pf_buf *b, const char *s,
    size_t len)
{
	unsigned char must = 0;
	char *d;
	size_t i;

	if (len - 1 < SHORT_FIELD && s[0] != ' ' && s[len - 1] != ' ') {
		pf_buf_reserve(b, len);
		d = b->data + b->len;
		for (i = 0; i < len; i++) {
			d[i] = s[i];
			must |= o->must_quote[(unsigned char)s[i]];
		}
		if (must == 0) {
			b->len += len;
			return;
		}
	}
	add_csv_slow(o, b, s, len);
}

void
pf_tsv_escape(struct pf_buf *b, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '\t': pf_buf_add(b, "\\t", 2); break;
		case '\n': pf_buf_add(b, "\\n", 2); break;
		case '\r': pf_buf_add(b, "\\r", 2); break;
		case '\\': pf_buf_add(b, "\\\\", 2); break;
		default: pf_buf_addc(b, s[i]);
		}
	}
}

static void
add_tsv(struct pf_buf *b, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] == '\t' || s[i] == '\n' || s[i] == '\r' ||
		    s[i] == '\\')
			break;
	if (i == len)
		pf_buf_add(b, s, len);
	else
		pf_tsv_escape(b, s, len);
}

/*
 * The length of the well-formed UTF-8 sequence at s (which starts with a
 * byte >= 0x80), or, when it is ill-formed, minus the length of its
 * maximal subpart (Unicode 3.9, as Python's decode(errors="replace")):
 * the bytes that one U+FFFD replaces.
 */
static int
utf8_sequence(const unsigned char *s, size_t len)
{
	unsigned char lo = 0x80, hi = 0xbf;
	int need, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;	/* no overlongs */
		else if (s[0] == 0xed)
			hi = 0x9f;	/* no surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 4;
		if (s[0] == 0xf0)
			lo = 0x90;	/* no overlongs */
		else if (s[0] == 0xf4)
			hi = 0x8f;	/* nothing past U+10FFFF */
	} else
		return -1;		/* a continuation or an invalid lead */
	for (i = 1; i < need; i++, lo = 0x80, hi = 0xbf)
		if ((size_t)i >= len || s[i] < lo || s[i] > hi)
			return -i;
	return need;
}

int
pf_utf8_sequence(const unsigned char *s, size_t len)
{
	return utf8_sequence(s, len);
}

#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL

/* True when none of the 8 bytes at p is >= 0x80, < 0x20, '"' or '\\'. */
static inline bool
plain8(const unsigned char *p)
{
	uint64_t w, quote, bslash;

	memcpy(&w, p, 8);
	quote = w ^ (ONES * '"');
	bslash = w ^ (ONES * '\\');
	/*
	 * Each kind of byte sets its high bit in one term: w itself for
	 * bytes >= 0x80, and the usual "has a zero byte" test on w - 0x20
	 * (control bytes), on w ^ '"' and on w ^ '\\'.
	 */
	return ((w | ((w - ONES * 0x20) & ~w) |
	    ((quote - ONES) & ~quote) | ((bslash - ONES) & ~bslash)) &
	    HIGHS) == 0;
}

/*
 * Appends s as a JSON string: control bytes, '"' and '\\' escaped, and
 * each ill-formed UTF-8 subpart replaced by U+FFFD. Runs of plain bytes
 * (printable ASCII and valid UTF-8) are copied whole.
 */
static void
add_json_string(struct pf_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0;
	unsigned char c;
	int n;

	pf_buf_addc(b, '"');
	while (i < len) {
		/* Eight plain ASCII bytes at a time (see plain8()). */
		while (len - i >= 8 && plain8(u + i))
			i += 8;
		if (i == len)
			break;
		c = u[i];
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			i++;
			continue;
		}
		if (c >= 0x80) {
			if ((n = utf8_sequence(u + i, len - i)) > 0) {
				i += (size_t)n;
				continue;
			}
			pf_buf_add(b, s + run, i - run);
			pf_buf_add(b, "\xef\xbf\xbd", 3);	/* U+FFFD */
			i += (size_t)-n;
			run = i;
			continue;
		}
		pf_buf_add(b, s + run, i - run);
		run = ++i;
		switch (c) {
		case '"': pf_buf_add(b, "\\\"", 2); break;
		case '\\': pf_buf_add(b, "\\\\", 2); break;
		case '\n': pf_buf_add(b, "\\n", 2); break;
		case '\r': pf_buf_add(b, "\\r", 2); break;
		case '\t': pf_buf_add(b, "\\t", 2); break;
		default:
			pf_buf_add(b, "\\u00", 4);
			pf_buf_addc(b, hex[c >> 4]);
			pf_buf_addc(b, hex[c & 15]);
		}
	}
	pf_buf_add(b, s + run, len - run);
	pf_buf_addc(b, '"');
}

/* True when s is a number in JSON's grammar (no '+', ".5", "5.", "inf"). */
static bool
is_json_number(const char *s, size_t len)
{
	size_t i = 0, d;

	if (i < len && s[i] == '-')
		i++;
	if (i < len && s[i] == '0')
		i++;
	else if (i < len && s[i] >= '1' && s[i] <= '9')
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return false;
	if (i < len && s[i] == '.') {
		for (d = ++i; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return false;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		for (d = i; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return false;
	}
	return i == len;
}

/* True for inf, -inf, nan and the like (any case, optional sign). */
static bool
is_non_finite(const char *s, size_t len)
{
	if (len > 0 && (s[0] == '-' || s[0] == '+')) {
		s++;
		len--;
	}
	return (len == 3 && (strncasecmp(s, "inf", 3) == 0 ||
	    strncasecmp(s, "nan", 3) == 0)) ||
	    (len == 8 && strncasecmp(s, "infinity", 8) == 0);
}

/* A value marked as a number: as it is, null when not finite. */
static void
add_json_number(struct pf_buf *b, const char *s, size_t len)
{
	if (is_json_number(s, len))
		pf_buf_add(b, s, len);
	else if (is_non_finite(s, len))
		pf_buf_add(b, "null", 4);
	else
		add_json_string(b, s, len);
}

/*
 * A value read as JSON text (a number, true, false, an array or an
 * object: json_value.h) as it is, but each ill-formed UTF-8 subpart
 * (only inside its strings, where the reader let it pass) as U+FFFD.
 */
static void
add_json_literal(struct pf_buf *b, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0;
	int n;

	while (i < len)
		if (u[i] < 0x80)
			i++;
		else if ((n = utf8_sequence(u + i, len - i)) > 0)
			i += (size_t)n;
		else {
			pf_buf_add(b, s + run, i - run);
			pf_buf_add(b, "\xef\xbf\xbd", 3);	/* U+FFFD */
			i += (size_t)-n;
			run = i;
		}
	pf_buf_add(b, s + run, len - run);
}

/* Appends the JSON key "pos", a 1-based position written in digits. */
static void
add_json_position(struct pf_buf *b, size_t pos)
{
	char key[32];

	snprintf(key, sizeof(key), "\"%zu\"", pos);
	pf_buf_adds(b, key);
}

/* A CSV field after its delimiter; first says whether it begins the record. */
static inline void
add_csv_field(const struct pf_output *o, struct pf_buf *b, bool first,
    const char *s, size_t len)
{
	if (!first)
		pf_buf_addc(b, o->delim);
	else if (len == 0 && o->ncols == 1) {
		pf_buf_add(b, "\"\"", 2);	/* not an empty line */
		return;
	}
	add_csv(o, b, s, len);
}

/*
 * Appends a field; first says whether it begins the record. In JSON Lines
 * its key is name, or when name is NULL the position pos.
 */
static void
add_field(const struct pf_output *o, struct pf_buf *b, bool first,
    const char *name, size_t pos, const char *s, size_t len,
    enum pf_json_kind kind)
{
	switch (o->format) {
	case PF_CSV:
		add_csv_field(o, b, first, s, len);
		break;
	case PF_TSV:
	case PF_TABLE:	/* the views' carrier (view.h) is TSV */
	case PF_XTAB:
	case PF_MD:
		if (!first)
			pf_buf_addc(b, '\t');
		add_tsv(b, s, len);
		break;
	case PF_LINES:
		if (!first)
			pf_buf_addc(b, o->delim);
		pf_buf_add(b, s, len);
		break;
	case PF_JSONL:
		pf_buf_addc(b, first ? '{' : ',');
		if (name != NULL)
			add_json_string(b, name, strlen(name));
		else
			add_json_position(b, pos);
		pf_buf_addc(b, ':');
		switch (kind) {
		case PF_JSON_STRING:
			add_json_string(b, s, len);
			break;
		case PF_JSON_LITERAL:
			add_json_literal(b, s, len);
			break;
		case PF_JSON_NULL:
			pf_buf_add(b, "null", 4);
			break;
		case PF_JSON_NUMBER:
		case PF_JSON_AUTO:
			/* A value wholly a number in JSON's grammar is one. */
			if ((kind == PF_JSON_NUMBER && len > 0) ||
			    is_json_number(s, len))
				add_json_number(b, s, len);
			else
				add_json_string(b, s, len);
			break;
		}
		break;
	}
}

void
pf_output_field(const struct pf_output *o, struct pf_buf *b, size_t col,
    const char *s, size_t len, enum pf_json_kind kind)
{
	if (o->format == PF_CSV) {	/* the common case, in line */
		add_csv_field(o, b, col == 0, s, len);
		return;
	}
	add_field(o, b, col == 0, col < o->ncols ? o->names[col] : NULL,
	    col + 1, s, len, kind);
}

void
pf_output_extra(const struct pf_output *o, struct pf_buf *b, bool first,
    size_t pos, const char *s, size_t len, enum pf_json_kind kind)
{
	add_field(o, b, first, NULL, pos, s, len, kind);
}

void
pf_output_end(const struct pf_output *o, struct pf_buf *b, size_t ncols)
{
	if (o->format == PF_JSONL)
		pf_buf_add(b, ncols == 0 ? "{}\n" : "}\n", ncols == 0 ? 3 : 2);
	else
		pf_buf_addc(b, '\n');
}

void
pf_output_record(const struct pf_output *o, struct pf_buf *b,
    const struct pf_field *fields, const unsigned char *kinds, size_t n)
{
	size_t i;

	/* One empty field, whatever the header's width: not an empty line. */
	if (o->format == PF_CSV && n == 1 && fields[0].len == 0) {
		pf_buf_add(b, "\"\"\n", 3);
		return;
	}
	for (i = 0; i < n; i++)
		pf_output_field(o, b, i, fields[i].ptr, fields[i].len,
		    pf_json_kind_at(kinds, i));
	pf_output_end(o, b, n);
}

void
pf_output_header(const struct pf_output *o, struct pf_buf *b)
{
	size_t i;

	if (o->format == PF_JSONL)
		return;
	if (pf_format_is_view(o->format))
		pf_buf_adds(b, PF_VIEW_HEADER);
	for (i = 0; i < o->ncols; i++)
		pf_output_field(o, b, i, o->names[i], strlen(o->names[i]),
		    PF_JSON_AUTO);
	pf_output_end(o, b, o->ncols);
}
