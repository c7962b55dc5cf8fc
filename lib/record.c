/*
 * record.c - field splitting and the header schema (see record.h).
 *
 * The splitter is the hot path of every tool. An unquoted field is one
 * table-driven scan to the next delimiter, quote or LF (the '\n' sentinel
 * after the batch ends that scan without a bounds check); quoted fields
 * take memchr() from quote to quote and are copied to scratch only when
 * they hold an escaped "".
 */
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "record.h"
#include "xalloc.h"

long
pf_schema_find(const struct pf_schema *s, const char *name, size_t len)
{
	size_t i, pos;

	for (i = 0; i < s->nfields; i++)
		if (strlen(s->names[i]) == len &&
		    memcmp(s->names[i], name, len) == 0)
			return (long)i;
	if (len == 0 || len > 9)
		return -1;
	for (pos = 0, i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		pos = pos * 10 + (size_t)(name[i] - '0');
	}
	/* Without a header, records may be ragged: any position is valid. */
	if (pos == 0 || (s->has_header && pos > s->nfields))
		return -1;
	return (long)pos - 1;
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
	memset(sp, 0, sizeof(*sp));
}

#ifndef __SSE2__
static void
prepare_stop_table(struct pf_splitter *sp, const struct pf_dialect *d)
{
	if (sp->stop_ready && sp->stop_delim == d->delim)
		return;
	memset(sp->stop, 0, sizeof(sp->stop));
	sp->stop['\n'] = 1;
	if (d->format == PF_CSV)
		sp->stop['"'] = 1;
	if (d->delim != '\0')
		sp->stop[(unsigned char)d->delim] = 1;
	sp->stop_delim = d->delim;
	sp->stop_ready = true;
}
#endif

void
pf_split_pad(struct pf_buf *b)
{
	pf_buf_reserve(b, PF_SPLIT_PAD);
	b->data[b->len] = '\n';
	memset(b->data + b->len + 1, 0, PF_SPLIT_PAD - 1);
}

/*
 * Returns the first byte at or after p that ends an unquoted run: LF, the
 * delimiter, or (CSV) a quote. The sentinel guarantees there is one; with
 * SSE2 sixteen bytes are looked at a time (the padding keeps the loads
 * inside the buffer).
 */
static inline const char *
scan_unquoted(const struct pf_splitter *sp, const struct pf_dialect *d,
    const char *p)
{
#ifdef __SSE2__
	const __m128i lf = _mm_set1_epi8('\n');
	const __m128i delim = _mm_set1_epi8(d->delim ? d->delim : '\n');
	const __m128i quote = _mm_set1_epi8(d->format == PF_CSV ? '"' : '\n');
	__m128i v, hit;
	unsigned mask;

	(void)sp;
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
	(void)d;
	while (!sp->stop[(unsigned char)*p])
		p++;
	return p;
#endif
}

static void set_raw(struct pf_record *rec, const char *start, const char *lf);

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
 * The fast path for a record without quotes: one 16-byte compare finds
 * every delimiter and LF in a block, and the bits are walked in order.
 * Returns NULL, having done nothing lasting, when the record holds a
 * quote; record_careful() then takes it.
 */
static const char *
split_unquoted_record(struct pf_splitter *sp, const struct pf_dialect *d,
    const char *start, const char *end, struct pf_record *rec, size_t *lines)
{
	const __m128i lf = _mm_set1_epi8('\n');
	const __m128i dl = _mm_set1_epi8(d->delim);
	const __m128i qt = _mm_set1_epi8('"');
	const bool csv = d->format == PF_CSV, split = d->delim != '\0';
	const size_t want = sp->want ? sp->want : SIZE_MAX;
	const char *block = start, *f = start, *s;
	unsigned m_lf, m_dl, m_q, before_lf;
	size_t n = 0;		/* delimiters seen: the index of the next field */
	__m128i v;

	for (;; block += 16) {
		v = _mm_loadu_si128((const __m128i *)(const void *)block);
		m_lf = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf));
		m_dl = split ? (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, dl)) : 0;
		m_q = csv ? (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, qt)) : 0;
		before_lf = m_lf ? (m_lf & -m_lf) - 1 : 0xFFFF;
		if (m_q & before_lf)
			return NULL;
		m_dl &= before_lf;
		/* Fields up to the wanted number; past it, only count them. */
		for (; m_dl != 0 && n < want; m_dl &= m_dl - 1) {
			s = block + __builtin_ctz(m_dl);
			add_field(sp, n++, f, (size_t)(s - f));
			f = s + 1;
		}
		for (; m_dl != 0; m_dl &= m_dl - 1)	/* few: no popcnt needed */
			n++;
		if (m_lf == 0)
			continue;
		/* s may be the sentinel at end: input without a final LF. */
		s = block + __builtin_ctz(m_lf);
		set_raw(rec, start, s);
		if (n < want)
			add_field(sp, n, f, (size_t)(rec->raw + rec->raw_len - f));
		n++;
		rec->fields = sp->fields;
		rec->field_count = n;
		rec->nfields = n < want ? n : want;
		*lines += s < end;
		return s < end ? s + 1 : end;
	}
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
 * Returns the LF that ends the record starting at p by quote parity, or
 * end if input ends first; *open is set when a quote is still open there.
 */
static const char *
parity_record_end(const char *p, const char *end, bool *open)
{
	bool quoted = false;

	for (; p < end; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == '\n' && !quoted)
			break;
	}
	*open = quoted;
	return p;
}

/* Sets rec->raw to [start, lf) less a CR before the LF. */
static void
set_raw(struct pf_record *rec, const char *start, const char *lf)
{
	if (lf > start && lf[-1] == '\r')
		lf--;
	rec->raw = start;
	rec->raw_len = (size_t)(lf - start);
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

const char *
pf_split_next(struct pf_splitter *sp, const struct pf_dialect *d,
    const char *p, const char *end, struct pf_record *rec,
    size_t *lines, enum pf_split_status *status)
{
	const char *start, *f, *lf;
	const char delim = d->delim;
	bool in_scratch = false, open;
	size_t n = 0, i, skipped;

#ifndef __SSE2__
	prepare_stop_table(sp, d);	/* the scan without SSE2 needs it */
#endif
	*lines = 0;
	*status = PF_SPLIT_OK;
	sp->scratch.len = 0;

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
	start = p;
	skipped = *lines;	/* the empty lines before the record */
#ifdef __SSE2__
	if ((p = split_unquoted_record(sp, d, start, end, rec, lines)) != NULL)
		return p;
	p = start;
#endif

	for (;;) {
		f = p;
		if (*p == '"' && d->format == PF_CSV) {
			p = split_quoted(sp, n, p, end, lines);
			if (p == NULL) {
				*status = PF_SPLIT_UNTERMINATED;
				set_raw(rec, start, end);
				rec->fields = sp->fields;
				rec->nfields = rec->field_count = 0;
				*lines = skipped + count_lf(start, end);
				return end;
			}
			if (sp->fields[n].ptr == NULL)
				in_scratch = true;
			n++;
			if (p < end && *p == '\r' && p + 1 < end && p[1] == '\n')
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
		p = scan_unquoted(sp, d, p);
		if (p > end)	/* ran onto the sentinel */
			p = end;
		if (*p == '"' && p < end && d->format == PF_CSV)
			goto bad_quote;
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
	 * The record's extent still follows quote parity, like the batch
	 * cutter's, so splitting goes on in step after this record.
	 */
	*status = PF_SPLIT_BAD_QUOTE;
	lf = parity_record_end(start, end, &open);
	if (open)
		*status = PF_SPLIT_UNTERMINATED;
	*lines = skipped + count_lf(start, lf) + (lf < end);
	set_raw(rec, start, lf);
	rec->fields = sp->fields;
	rec->nfields = rec->field_count = 0;
	return lf < end ? lf + 1 : end;
}
