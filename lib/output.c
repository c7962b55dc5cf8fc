/*
 * output.c - CSV, TSV, JSON Lines and plain-line writing (see output.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "xalloc.h"

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

static void
add_csv(const struct pf_output *o, struct pf_buf *b, const char *s,
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

static void
add_escaped_tsv(struct pf_buf *b, const char *s, size_t len)
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
		add_escaped_tsv(b, s, len);
}

static void
add_json_string(struct pf_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;
	unsigned char c;

	pf_buf_addc(b, '"');
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		pf_buf_add(b, s + run, i - run);
		run = i + 1;
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

void
pf_output_field(const struct pf_output *o, struct pf_buf *b, size_t col,
    const char *s, size_t len, bool is_number)
{
	switch (o->format) {
	case PF_CSV:
		if (col > 0)
			pf_buf_addc(b, o->delim);
		else if (len == 0 && o->ncols == 1) {
			pf_buf_add(b, "\"\"", 2);	/* not an empty line */
			break;
		}
		add_csv(o, b, s, len);
		break;
	case PF_TSV:
		if (col > 0)
			pf_buf_addc(b, '\t');
		add_tsv(b, s, len);
		break;
	case PF_LINES:
		if (col > 0)
			pf_buf_addc(b, o->delim);
		pf_buf_add(b, s, len);
		break;
	case PF_JSONL:
		pf_buf_add(b, col == 0 ? "{" : ",", 1);
		add_json_string(b, o->names[col], strlen(o->names[col]));
		pf_buf_addc(b, ':');
		if (is_number && len > 0)
			pf_buf_add(b, s, len);
		else
			add_json_string(b, s, len);
		break;
	}
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
    const struct pf_field *fields, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		pf_output_field(o, b, i, fields[i].ptr, fields[i].len, false);
	pf_output_end(o, b, n);
}

void
pf_output_header(const struct pf_output *o, struct pf_buf *b)
{
	size_t i;

	if (o->format == PF_JSONL)
		return;
	for (i = 0; i < o->ncols; i++)
		pf_output_field(o, b, i, o->names[i], strlen(o->names[i]),
		    false);
	pf_output_end(o, b, o->ncols);
}
