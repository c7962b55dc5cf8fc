/*
 * record.c - field splitting and the header schema (see record.h).
 *
 * The splitter is the hot path of every tool. An unquoted field is one
 * table-driven scan to the next delimiter, quote or LF (the '\n' sentinel
 * after the batch ends that scan without a bounds check); quoted fields
 * take memchr() from quote to quote and are copied to scratch only when
 * they hold an escaped "". TSV fields are the same scan with a backslash
 * in place of the quote: a field with one is decoded (\t \n \r \\) to
 * scratch, and one without is used where it lies.
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "csv/chunk.h"
#include "csv/jsonl.h"
#include "csv/record.h"
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
	if (i == len && pos > 0 && (!s->has_header || pos <= s->nfields))
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

void
pf_field_unknown(const struct pf_schema *s, const char *typed,
    const char *context)
{
	char *list = pf_schema_list(s);

	if (context != NULL)
		warnx("unknown field '%s' in %s (fields: %s)", typed, context,
		    list[0] != '\0' ? list : "none");
	else
		warnx("unknown field '%s' (fields: %s)", typed,
		    list[0] != '\0' ? list : "none");
	free(list);
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
	memset(sp, 0, sizeof(*sp));
}

/* The byte that sends a field to the careful path: '"', '\\' or none. */
static char
special_byte(const struct pf_dialect *d)
{
	if (d->format == PF_CSV)
		return '"';
	if (d->format == PF_TSV && d->delim != '\\')
		return '\\';
	return '\0';
}

/* Builds the splitter's stop[] (no SSE2) or match[] (SSE2) for d. */
static void
build_scan(struct pf_splitter *sp, const struct pf_dialect *d)
{
	const char special = special_byte(d);

#ifdef __SSE2__
	/* Where a dialect has no delimiter or no special byte, LF stands in. */
	memset(sp->match[0], d->delim != '\0' ? d->delim : '\n', 16);
	memset(sp->match[1], special != '\0' ? special : '\n', 16);
#else
	memset(sp->stop, 0, sizeof(sp->stop));
	sp->stop['\n'] = 1;
	if (special != '\0')
		sp->stop[(unsigned char)special] = 1;
	if (d->delim != '\0')
		sp->stop[(unsigned char)d->delim] = 1;
#endif
	sp->stop_delim = d->delim;
	sp->stop_format = d->format;
	sp->stop_ready = true;
}

static inline void
prepare_scan(struct pf_splitter *sp, const struct pf_dialect *d)
{
	if (!sp->stop_ready || sp->stop_delim != d->delim ||
	    sp->stop_format != d->format)
		build_scan(sp, d);
}

void
pf_split_pad(struct pf_buf *b)
{
	pf_buf_reserve(b, PF_SPLIT_PAD);
	b->data[b->len] = '\n';
	memset(b->data + b->len + 1, 0, PF_SPLIT_PAD - 1);
}

/*
 * Returns the first byte at or after p that ends an unquoted run: LF, the
 * delimiter, or the special byte (CSV: a quote; TSV: a backslash). The sentinel guarantees there is one; with
 * SSE2 sixteen bytes are looked at a time (the padding keeps the loads
 * inside the buffer).
 */
static inline const char *
scan_unquoted(const struct pf_splitter *sp, const char *p)
{
#ifdef __SSE2__
	const __m128i lf = _mm_set1_epi8('\n');
	const __m128i delim = _mm_load_si128((const __m128i *)(const void *)
	    sp->match[0]);
	const __m128i quote = _mm_load_si128((const __m128i *)(const void *)
	    sp->match[1]);
	__m128i v, hit;
	unsigned mask;

	for (;;) {
		v = _mm_loadu_si128((const __m128i *)(const void *)p);
		hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, lf),
		    _mm_cmpeq_epi8(v, delim)), _mm_cmpeq_epi8(v, quote));
		mask = (unsigned)_mm_movemask_epi8(hit);
		if (mask != 0)
			return p + __builtin_ctz(mask);
		p += 16;
	}
#else
	while (!sp->stop[(unsigned char)*p])
		p++;
	return p;
#endif
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

static void
grow_fields(struct pf_splitter *sp)
{
	sp->cap = sp->cap ? sp->cap * 2 : 64;
	sp->fields = pf_xrealloc(sp->fields, sp->cap * sizeof(*sp->fields));
	sp->scratch_at = pf_xrealloc(sp->scratch_at,
	    sp->cap * sizeof(*sp->scratch_at));
}

static inline void
add_field(struct pf_splitter *sp, size_t n, const char *ptr, size_t len)
{
	if (n == sp->cap)
		grow_fields(sp);
	sp->fields[n].ptr = ptr;
	sp->fields[n].len = len;
}

#ifdef __SSE2__
/*
 * The fast path for a record without quotes (TSV: backslashes): one 16-byte
 * compare finds every delimiter and LF in a block, and the bits are walked
 * in order. Returns NULL, having done nothing lasting, when the record
 * holds one; split_careful() then takes it.
 */
static inline const char *
split_unquoted_record(struct pf_splitter *sp, const char *start,
    const char *end, struct pf_record *rec, size_t *lines)
{
	const __m128i lf = _mm_set1_epi8('\n');
	const __m128i dl = _mm_load_si128((const __m128i *)(const void *)
	    sp->match[0]);
	const __m128i qt = _mm_load_si128((const __m128i *)(const void *)
	    sp->match[1]);
	const size_t want = sp->want ? sp->want : SIZE_MAX;
	struct pf_field *fields = sp->fields;
	const char *block = start, *f = start, *s;
	unsigned m_lf, m_dl, m_q, before_lf;
	size_t n = 0;		/* delimiters seen: the index of the next field */
	__m128i v;

	for (;; block += 16) {
		v = _mm_loadu_si128((const __m128i *)(const void *)block);
		m_lf = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf));
		m_dl = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, dl));
		m_q = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, qt));
		before_lf = (m_lf & -m_lf) - 1;	/* all ones without an LF */
		if (m_q & before_lf)
			return NULL;
		m_dl &= before_lf;
		/* Room for a block's fields and the last one. */
		if (n < want && n + 17 > sp->cap) {
			while (n + 17 > sp->cap)
				grow_fields(sp);
			fields = sp->fields;
		}
		/* Fields up to the wanted number; past it, only count them. */
		for (; m_dl != 0 && n < want; m_dl &= m_dl - 1) {
			s = block + (unsigned)__builtin_ctz(m_dl);
			fields[n].ptr = f;
			fields[n++].len = (size_t)(s - f);
			f = s + 1;
		}
		for (; m_dl != 0; m_dl &= m_dl - 1)	/* few: no popcnt needed */
			n++;
		if (m_lf != 0)
			break;
	}
	/* s may be the sentinel at end: input without a final LF. */
	s = block + (unsigned)__builtin_ctz(m_lf);
	set_raw(rec, start, s);
	if (n < want) {
		fields[n].ptr = f;
		fields[n].len = (size_t)(rec->raw + rec->raw_len - f);
	}
	n++;
	rec->fields = fields;
	rec->field_count = n;
	rec->nfields = n < want ? n : want;
	*lines += s < end;
	return s < end ? s + 1 : end;
}
#endif

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
 * The quoted field whose opening quote is at p. Returns the position after
 * the closing quote, or NULL if none; the field's bytes go to fields[n],
 * through scratch when "" must become ".
 */
static const char *
split_quoted(struct pf_splitter *sp, size_t n, const char *p,
    const char *end, size_t *lines)
{
	const char *q = p + 1, *close;
	bool copied = false;
	size_t off = sp->scratch.len;

	for (;;) {
		close = memchr(q, '"', (size_t)(end - q));
		if (close == NULL)
			return NULL;
		*lines += count_lf(q, close);
		if (close + 1 < end && close[1] == '"') {
			/* An escaped quote: keep the text and one '"'. */
			pf_buf_add(&sp->scratch, q, (size_t)(close + 1 - q));
			copied = true;
			q = close + 2;
			continue;
		}
		break;
	}
	if (copied) {
		pf_buf_add(&sp->scratch, q, (size_t)(close - q));
		add_field(sp, n, NULL, sp->scratch.len - off);
		sp->scratch_at[n] = off;
	} else
		add_field(sp, n, p + 1, (size_t)(close - p - 1));
	return close + 1;
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

/*
 * A record with quotes (or any record, without SSE2): field by field,
 * quoted fields through split_quoted(). *lines holds the empty lines
 * skipped before the record.
 */
static const char *
split_careful(struct pf_splitter *sp, const struct pf_dialect *d,
    const char *p, const char *end, struct pf_record *rec,
    size_t *lines, enum pf_split_status *status)
{
	const char *start = p, *f, *lf;
	const char delim = d->delim;
	const size_t skipped = *lines;
	bool in_scratch = false, open;
	size_t n = 0, i;

	sp->scratch.len = 0;
	for (;;) {
		f = p;
		if (*p == '"' && d->format == PF_CSV) {
			p = split_quoted(sp, n, p, end, lines);
			if (p == NULL) {
				/*
				 * Open at the end of input: the record ends
				 * with the line where this quote opened.
				 */
				*status = PF_SPLIT_UNTERMINATED;
				if ((lf = memchr(f, '\n', (size_t)(end - f))) ==
				    NULL)
					lf = end;
				goto malformed;
			}
			if (sp->fields[n].ptr == NULL)
				in_scratch = true;
			n++;
			/* CRLF, or a CR that ends the input (as x\r does) */
			if (p < end && *p == '\r' && (p + 1 == end || p[1] == '\n'))
				p++;
			if (p >= end)
				break;
			if (*p == delim) {
				p++;
				continue;
			}
			if (*p == '\n') {
				(*lines)++;
				lf = p++;
				set_raw(rec, start, lf);
				goto done;
			}
			goto bad_quote;
		}
		p = scan_unquoted(sp, p);
		/* A quote inside an unquoted field is data (x"y). */
		while (*p == '"' && p < end && d->format == PF_CSV)
			p = scan_unquoted(sp, p + 1);
		if (p > end)	/* ran onto the sentinel */
			p = end;
		if (*p == '\\' && p < end && d->format == PF_TSV &&
		    delim != '\\') {
			p = split_escaped(sp, n++, f, end, delim);
			in_scratch = true;
			if (p < end && *p == delim) {
				p++;
				continue;
			}
			set_raw(rec, start, p);
			if (p < end) {
				(*lines)++;
				p++;
			}
			goto done;
		}
		if (p < end && *p == delim) {
			add_field(sp, n++, f, (size_t)(p - f));
			p++;
			continue;
		}
		/* LF or end of input: the last field; drop a CR before LF. */
		lf = p;
		if (lf > f && lf[-1] == '\r')
			add_field(sp, n++, f, (size_t)(lf - 1 - f));
		else
			add_field(sp, n++, f, (size_t)(lf - f));
		set_raw(rec, start, lf);
		if (p < end) {
			(*lines)++;
			p++;
		}
		goto done;
	}
	/* Input ended right after a closing quote. */
	set_raw(rec, start, end);
	p = end;

done:
	if (in_scratch)
		for (i = 0; i < n; i++)
			if (sp->fields[i].ptr == NULL)
				sp->fields[i].ptr = sp->scratch.data +
				    sp->scratch_at[i];
	rec->fields = sp->fields;
	rec->nfields = rec->field_count = n;
	return p;

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

const char *
pf_split_next(struct pf_splitter *sp, const struct pf_dialect *d,
    const char *p, const char *end, struct pf_record *rec,
    size_t *lines, enum pf_split_status *status)
{
#ifdef __SSE2__
	const char *next;
#endif

	*lines = 0;
	*status = PF_SPLIT_OK;
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
		return pf_split_jsonl(sp, pf_jsonl_stream_keys(), p, end, rec,
		    lines, status);
	prepare_scan(sp, d);
#ifdef __SSE2__
	if ((next = split_unquoted_record(sp, p, end, rec, lines)) != NULL)
		return next;
#endif
	return split_careful(sp, d, p, end, rec, lines, status);
}
