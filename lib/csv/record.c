/*
 * record.c - field splitting and the header schema (see record.h).
 *
 * The splitter is the hot path of every tool. Records go first to the
 * CPU's kernel (scan.h): a run of quote-free records split in one pass
 * and handed out one by one (split_run.h), else one record, which it splits well-formed records, quoted
 * fields included, 64 bytes at a time from bit masks. What it cannot
 * read alone (a quote inside an unquoted field, text after a closing
 * quote, a quote open at the end, a TSV field with a backslash) comes
 * back here to the reference splitter, which steps scan.h's automaton
 * byte by byte: its field boundaries are the automaton's transitions.
 * TSV fields with a backslash are decoded (\t \n \r \\) to scratch.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv/chunk.h"
#include "csv/jsonl.h"
#include "csv/record.h"
#include "csv/scan.h"
#include "csv/split_run.h"
#include "support/suggest.h"
#include "support/xalloc.h"

long
pf_schema_find(const struct pf_schema *s, const char *name, size_t len)
{
	size_t i, pos;

	for (i = 0; i < s->nfields; i++)
		if (strlen(s->names[i]) == len &&
		    memcmp(s->names[i], name, len) == 0)
			return (long)i;
	/* A position is 1 to 9 digits. */
	for (pos = 0, i = 0; len <= 9 && i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			break;
		pos = pos * 10 + (size_t)(name[i] - '0');
	}
	/* Without a header, records may be ragged: any position is valid. */
	if (i == len && pos > 0 && (!s->has_header || pos <= s->nfields) &&
	    (!s->one_field || pos == 1))
		return (long)pos - 1;
	/* No header was read to say which names exist (record.h). */
	return s->any_name ? 0 : -1;
}

void
pf_report_record(const char *file, uint64_t line, uint64_t record,
    const char *why)
{
	warnx("%s:%llu (record %llu): %s", file, (unsigned long long)line,
	    (unsigned long long)record, why);
}

long
pf_field_lookup(const struct pf_schema *s, const char *typed, size_t len)
{
	long i;

	if ((i = pf_schema_find(s, typed, len)) >= 0)
		return i;
	if (len >= 2 && typed[0] == '{' && typed[len - 1] == '}')
		return pf_schema_find(s, typed + 1, len - 2);
	return -1;
}

/* Appends to b, as far as room leaves space for the closing bytes. */
static void
add_text(char *b, size_t size, size_t *at, const char *s, size_t len)
{
	if (*at + len + 24 >= size)
		return;
	memcpy(b + *at, s, len);
	*at += len;
	b[*at] = '\0';
}

void
pf_field_unknown_text(const struct pf_schema *s, const char *typed,
    size_t len, const char *context, char *msg, size_t size)
{
	const char *name = typed;
	size_t name_len = len, at = 0, i, line, total;
	long near;
	int n;

	if (name_len > 2 && name[0] == '{' && name[name_len - 1] == '}') {
		name++;
		name_len -= 2;
	} else if (name_len > 1 && name[0] == '$') {
		name++;
		name_len--;
	}
	near = name_len > 0 && !(name[0] >= '0' && name[0] <= '9') ?
	    pf_suggest(name, name_len, (const char *const *)s->names,
	    s->nfields) : -1;
	n = snprintf(msg, size, "unknown field '%.*s'%s%s", len > 64 ? 64 :
	    (int)len, typed, context ? " in " : "", context ? context : "");
	at = n > 0 && (size_t)n < size ? (size_t)n : 0;
	if (near >= 0) {
		n = snprintf(msg + at, size - at, "; did you mean '%s'?",
		    s->names[near]);
		if (n > 0 && (size_t)n < size - at)
			at += (size_t)n;
		else
			msg[at] = '\0';
	}
	for (total = 0, i = 0; i < s->nfields; i++)
		total += strlen(s->names[i]) + 2;
	if (s->nfields == 0) {
		add_text(msg, size, &at, " (fields: none)", 15);
		return;
	}
	/* A long list goes on lines of its own, each at most 76 bytes. */
	add_text(msg, size, &at, " (fields:", 9);
	line = total + at > 160 ? 76 : (size_t)-1;
	if (line != (size_t)-1)
		add_text(msg, size, &at, "\n ", 2);
	for (i = 0, total = 0; i < s->nfields; i++) {
		size_t k = strlen(s->names[i]), before = at;

		if (line != (size_t)-1 && total > 2 && total + k + 2 > line) {
			add_text(msg, size, &at, "\n ", 2);
			total = 0;
		}
		add_text(msg, size, &at, " ", 1);
		add_text(msg, size, &at, s->names[i], k);
		if (i + 1 < s->nfields)
			add_text(msg, size, &at, ",", 1);
		if (at == before || (at < before + k + 1)) {
			at = before;
			snprintf(msg + at, size - at, " ... %zu more)",
			    s->nfields - i);
			return;
		}
		total += k + 2;
	}
	if (at + 2 <= size) {
		msg[at++] = ')';
		msg[at] = '\0';
	}
}

void
pf_field_unknown(const struct pf_schema *s, const char *typed,
    const char *context)
{
	char msg[4096];

	if (s->one_field) {
		warnx("no field '%s' with --lines and no -d: each line is one "
		    "field, $1 (give -d to split lines, -d ' ' at blanks)",
		    typed);
		return;
	}
	pf_field_unknown_text(s, typed, strlen(typed), context, msg,
	    sizeof(msg));
	warnx("%s", msg);
}

char *
pf_schema_list(const struct pf_schema *s)
{
	struct pf_buf b = { 0 };
	size_t i;

	for (i = 0; i < s->nfields; i++) {
		if (i > 0)
			pf_buf_add(&b, ", ", 2);
		pf_buf_adds(&b, s->names[i]);
	}
	pf_buf_addc(&b, '\0');
	return b.data;
}

void
pf_schema_free(struct pf_schema *s)
{
	size_t i;

	for (i = 0; i < s->nfields; i++)
		free(s->names[i]);
	free(s->names);
	s->names = NULL;
	s->nfields = 0;
}

void
pf_splitter_free(struct pf_splitter *sp)
{
	free(sp->fields);
	free(sp->scratch_at);
	pf_buf_free(&sp->scratch);
	pf_buf_free(&sp->json_stack);
	free(sp->kinds);
	pf_split_run_free(sp->run);
	memset(sp, 0, sizeof(*sp));
}

void
pf_split_pad(struct pf_buf *b)
{
	pf_buf_reserve(b, PF_SPLIT_PAD);
	b->data[b->len] = '\n';
	memset(b->data + b->len + 1, 0, PF_SPLIT_PAD - 1);
}

/* Sets rec->raw to [start, lf) less a CR before the LF. */
static inline void
set_raw(struct pf_record *rec, const char *start, const char *lf)
{
	if (lf > start && lf[-1] == '\r')
		lf--;
	rec->raw = start;
	rec->raw_len = (size_t)(lf - start);
}

void
pf_splitter_grow(struct pf_splitter *sp, size_t need)
{
	while (sp->cap < need)
		sp->cap = sp->cap ? sp->cap * 2 : 64;
	sp->fields = pf_xrealloc(sp->fields, sp->cap * sizeof(*sp->fields));
	sp->scratch_at = pf_xrealloc(sp->scratch_at,
	    sp->cap * sizeof(*sp->scratch_at));
}

static inline void
add_field(struct pf_splitter *sp, size_t n, const char *ptr, size_t len)
{
	if (n == sp->cap)
		pf_splitter_grow(sp, n + 1);
	sp->fields[n].ptr = ptr;
	sp->fields[n].len = len;
}

static size_t
count_lf(const char *p, const char *end)
{
	size_t n = 0;

	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

/*
 * The TSV field at f that holds a backslash: its bytes up to the next
 * delimiter or LF (less a CR before the LF) go to scratch as fields[n],
 * with \t, \n, \r and \\ decoded and any other backslash kept. Returns
 * where the field ends: the delimiter, the LF, or end.
 */
static const char *
split_escaped(struct pf_splitter *sp, size_t n, const char *f,
    const char *end, char delim)
{
	const char *stop, *last, *p;
	size_t off = sp->scratch.len;
	char c;

	for (stop = f; stop < end && *stop != delim && *stop != '\n'; stop++)
		;
	last = stop;
	if (stop > f && (stop == end || *stop == '\n') && stop[-1] == '\r')
		last--;
	pf_buf_reserve(&sp->scratch, (size_t)(last - f));
	for (p = f; p < last; p++) {
		c = *p;
		if (c == '\\' && p + 1 < last) {
			switch (p[1]) {
			case 't': c = '\t'; p++; break;
			case 'n': c = '\n'; p++; break;
			case 'r': c = '\r'; p++; break;
			case '\\': p++; break;
			}
		}
		sp->scratch.data[sp->scratch.len++] = c;
	}
	add_field(sp, n, NULL, sp->scratch.len - off);
	sp->scratch_at[n] = off;
	return stop;
}


/* Points the fields that went to scratch into it, and fills rec. */
static void
finish_fields(struct pf_splitter *sp, struct pf_record *rec, size_t n,
    bool in_scratch)
{
	size_t i;

	if (in_scratch)
		for (i = 0; i < n; i++)
			if (sp->fields[i].ptr == NULL)
				sp->fields[i].ptr = sp->scratch.data +
				    sp->scratch_at[i];
	rec->fields = sp->fields;
	rec->nfields = rec->field_count = n;
}

/*
 * Field n is the quoted text [f, close): in place, or, when copied (it
 * held ""), the rest of it added to scratch from off on. Returns whether
 * it went to scratch.
 */
static bool
add_quoted(struct pf_splitter *sp, size_t n, const char *f,
    const char *close, bool copied, size_t off)
{
	if (!copied) {
		add_field(sp, n, f, (size_t)(close - f));
		return false;
	}
	pf_buf_add(&sp->scratch, f, (size_t)(close - f));
	add_field(sp, n, NULL, sp->scratch.len - off);
	sp->scratch_at[n] = off;
	return true;
}

/*
 * The reference splitter for CSV: scan.h's automaton, byte by byte. A
 * field ends where the automaton returns to PF_SCAN_START; a quoted
 * field's text runs from its opening quote to its closing one, through
 * scratch when it holds "" (the automaton going from CLOSED back to
 * QUOTED). Text after a closing quote (CLOSED to UNQUOTED, other than a
 * CR before the LF) is malformed. *lines holds the empty lines skipped
 * before the record.
 */
static const char *
split_reference_csv(struct pf_splitter *sp, const struct pf_dialect *d,
    const char *p, const char *end, struct pf_record *rec,
    size_t *lines, enum pf_split_status *status)
{
	const char *start = p, *f = p, *opened = p, *close = p, *lf;
	const size_t skipped = *lines;
	enum pf_scan_state s = PF_SCAN_START, next;
	bool in_scratch = false, copied = false, open;
	size_t n = 0, off = 0;

	sp->scratch.len = 0;
	for (; p < end; p++) {
		next = pf_scan_step(s, *p, d->delim);
		if (s == PF_SCAN_START && next == PF_SCAN_QUOTED) {
			opened = p;		/* a quoted field opens */
			f = p + 1;
			copied = false;
			off = sp->scratch.len;
		} else if (s == PF_SCAN_QUOTED && next == PF_SCAN_CLOSED) {
			close = p;
		} else if (s == PF_SCAN_CLOSED && next == PF_SCAN_QUOTED) {
			/* "": keep the text and the first quote */
			pf_buf_add(&sp->scratch, f, (size_t)(p - f));
			copied = true;
			f = p + 1;
		} else if (s == PF_SCAN_CLOSED && next == PF_SCAN_UNQUOTED) {
			/* CRLF, or a CR that ends the input (as x\r does) */
			if (*p == '\r' && (p + 1 == end || p[1] == '\n'))
				continue;
			goto bad_quote;
		}
		if (*p == '\n' && next != PF_SCAN_START)
			(*lines)++;	/* inside quotes */
		if (next != PF_SCAN_START) {
			s = next;
			continue;
		}
		/* A delimiter or LF ends field n. */
		if (s == PF_SCAN_CLOSED)
			in_scratch |= add_quoted(sp, n, f, close, copied, off);
		else if (*p == '\n' && p > f && p[-1] == '\r')
			add_field(sp, n, f, (size_t)(p - 1 - f));
		else
			add_field(sp, n, f, (size_t)(p - f));
		n++;
		if (*p == '\n') {
			(*lines)++;
			set_raw(rec, start, p);
			finish_fields(sp, rec, n, in_scratch);
			return p + 1;
		}
		s = PF_SCAN_START;
		f = p + 1;
	}
	/* The end of input ends the record. */
	if (s == PF_SCAN_QUOTED) {
		/* It ends with the line where its open quote opened. */
		*status = PF_SPLIT_UNTERMINATED;
		if ((lf = memchr(opened, '\n', (size_t)(end - opened))) == NULL)
			lf = end;
		goto malformed;
	}
	if (s == PF_SCAN_CLOSED)
		in_scratch |= add_quoted(sp, n, f, close, copied, off);
	else if (end > f && end[-1] == '\r')
		add_field(sp, n, f, (size_t)(end - 1 - f));
	else
		add_field(sp, n, f, (size_t)(end - f));
	set_raw(rec, start, end);
	finish_fields(sp, rec, n + 1, in_scratch);
	return end;

bad_quote:
	/*
	 * Text after a closing quote ("a"b). The record's extent follows
	 * the batch cutter's rule, so splitting goes on in step after it.
	 */
	*status = PF_SPLIT_BAD_QUOTE;
	lf = pf_chunk_record_end(d, start, end, &open);
	if (open)
		*status = PF_SPLIT_UNTERMINATED;
malformed:
	*lines = skipped + count_lf(start, lf) + (lf < end);
	set_raw(rec, start, lf);
	rec->fields = sp->fields;
	rec->nfields = rec->field_count = 0;
	return lf < end ? lf + 1 : end;
}

/*
 * The reference splitter for TSV and --lines: fields end at the
 * delimiter, the record at an LF (the sentinel at end stops the scan); a
 * TSV field with a backslash is decoded by split_escaped().
 */
static const char *
split_reference_plain(struct pf_splitter *sp, const struct pf_dialect *d,
    const char *p, const char *end, struct pf_record *rec, size_t *lines)
{
	const char delim = d->delim != '\0' ? d->delim : '\n';
	const bool escapes = pf_scan_chars_for(d).special == '\\';
	const char *start = p, *f;
	bool in_scratch = false, last;
	size_t n = 0;

	sp->scratch.len = 0;
	for (;; p++) {
		for (f = p; *p != delim && *p != '\n'; p++)
			;
		last = p == end || *p == '\n';
		if (escapes && memchr(f, '\\', (size_t)(p - f)) != NULL) {
			split_escaped(sp, n++, f, end, delim);
			in_scratch = true;
		} else if (last && p > f && p[-1] == '\r')
			add_field(sp, n++, f, (size_t)(p - 1 - f));
		else
			add_field(sp, n++, f, (size_t)(p - f));
		if (last)
			break;
	}
	set_raw(rec, start, p);
	finish_fields(sp, rec, n, in_scratch);
	if (p == end)
		return end;
	(*lines)++;
	return p + 1;
}

/*
 * pf_split_next() through the kernel k, or the reference splitter alone
 * when k is NULL.
 */
static inline const char *
split_with(const struct pf_scan_kernel *k, struct pf_splitter *sp,
    const struct pf_dialect *d, const char *p, const char *end,
    struct pf_record *rec, size_t *lines, enum pf_split_status *status)
{
	const struct pf_scan_chars chars = pf_scan_chars_for(d);
	const char *next;

	*lines = 0;
	*status = PF_SPLIT_OK;
	rec->kinds = NULL;	/* JSON Lines sets its own */
	/* Empty lines are not CSV or TSV records. */
	if (d->format != PF_LINES) {
		while (p < end && (*p == '\n' ||
		    (*p == '\r' && p + 1 < end && p[1] == '\n'))) {
			p += *p == '\n' ? 1 : 2;
			(*lines)++;
		}
		if (p < end && *p == '\r' && p + 1 == end)
			p = end;
	}
	if (p >= end)
		return NULL;
	if (d->format == PF_LINES && d->delim == ' ')
		return pf_split_blanks(sp, p, end, rec, lines);
	if (d->format == PF_JSONL)
		return pf_split_jsonl(sp, sp->own_keys != NULL ?
		    sp->own_keys : pf_jsonl_stream_keys(), p, end, rec, lines,
		    status);
	if (k != NULL && (next = k->split(sp, &chars, p, end, rec,
	    lines)) != NULL)
		return next;
	if (d->format == PF_CSV)
		return split_reference_csv(sp, d, p, end, rec, lines, status);
	return split_reference_plain(sp, d, p, end, rec, lines);
}

const char *
pf_split_next(struct pf_splitter *sp, const struct pf_dialect *d,
    const char *p, const char *end, struct pf_record *rec,
    size_t *lines, enum pf_split_status *status)
{
	const struct pf_scan_kernel *k;
	const char *next;

	/*
	 * A call that does not go on from the last one's result starts a new
	 * walk, maybe over other bytes at the same addresses (a buffer used
	 * again): what was kept of the old one is forgotten.
	 */
	if (p != sp->resume) {
		sp->memo.next = NULL;
		if (sp->run != NULL)
			sp->run->i = sp->run->n = 0;
	}
	if ((next = pf_split_run_take(sp, d, p, end, rec, lines, status)) !=
	    NULL)
		return next;
	k = pf_scan_kernel();
	if (pf_split_run_fill(sp, k, d, p, end) && (next = pf_split_run_take(sp,
	    d, p, end, rec, lines, status)) != NULL)
		return next;
	next = split_with(k, sp, d, p, end, rec, lines, status);
	sp->resume = next;
	return next;
}

const char *
pf_split_reference(struct pf_splitter *sp, const struct pf_dialect *d,
    const char *p, const char *end, struct pf_record *rec,
    size_t *lines, enum pf_split_status *status)
{
	return split_with(NULL, sp, d, p, end, rec, lines, status);
}
