/*
 * scan_body.h - the CSV grammar over 64-byte masks, written once and
 * compiled into every kernel (see scan.h): the batch cut and the
 * splitter's fast path.
 *
 * Not a header to include anywhere else: a kernel file (scan_*.c)
 * defines, before including it,
 *   static inline void kclassify(const char *p,
 *       const struct pf_scan_chars *c, struct pf_scan_bits *b);
 *   static inline uint64_t kprefix_xor(uint64_t x);
 * built with its own instructions, and then defines its pf_scan_kernel
 * as BODY_KERNEL("name").
 */
#include <string.h>

#include "csv/scan.h"

/* Positions of the set bits of x walk from the lowest. */
static inline unsigned
body_ctz(uint64_t x)
{
	return (unsigned)__builtin_ctzll(x);
}

/*
 * The end of the last LF outside quotes in buf[from..to), or 0, walking
 * back from to, where the quotes before are odd in number when odd; in a
 * stretch where parity holds, this usually crosses a single record.
 */
static size_t
body_last_outside(const char *buf, size_t from, size_t to, bool odd)
{
	for (; to > from; to--) {
		if (buf[to - 1] == '"')
			odd = !odd;
		else if (buf[to - 1] == '\n' && !odd)
			return to;
	}
	return 0;
}

/*
 * pf_chunk_scan() for CSV blocks that hold a quote. The forward pass
 * finds the quotes, their parity, and whether each one that parity opens
 * follows a separator (delimiter, LF or quote); a 64-byte block where one
 * does not goes to the reference automaton, and parity starts again
 * after it from the state there. The last LF outside quotes is then
 * found walking back from the end, which usually crosses one record.
 */
static size_t
body_cut(char delim, const char *buf, size_t len, enum pf_scan_state *state)
{
	const struct pf_scan_chars c = { delim, '"', true, false };
	/* Parity holds from "from" on, where the state is st. */
	enum pf_scan_state st = *state;
	/* All ones when the byte before the block is inside quotes. */
	uint64_t inside = st == PF_SCAN_QUOTED ? ~(uint64_t)0 : 0;
	/* Bit 0: the byte before the block may precede an opening quote. */
	uint64_t prev_ok = st == PF_SCAN_START || st == PF_SCAN_CLOSED;
	uint64_t sep, par;
	struct pf_scan_bits b;
	_Alignas(64) char tail[64];
	const char *blk;
	size_t i, from = 0, cut = 0, at, end;

	for (i = 0; i < len; i += 64) {
		blk = buf + i;
		if (len - i < 64) {	/* zeros match nothing (delim is not 0) */
			memset(tail, 0, sizeof(tail));
			memcpy(tail, blk, len - i);
			blk = tail;
		}
		kclassify(blk, &c, &b);
		sep = b.delim | b.lf | b.quote;
		if (b.quote != 0) {
			/* bit i: odd quotes up to and including byte i */
			par = kprefix_xor(b.quote) ^ inside;
			/* A quote parity opens must follow a separator. */
			if ((b.quote & par & ~(sep << 1 | prev_ok)) != 0) {
				if ((at = body_last_outside(buf, from, i,
				    inside != 0)) > 0)
					cut = at;
				st = i == from ? st : pf_scan_state_at(delim,
				    buf, i, inside != 0, st);
				end = len - i < 64 ? len : i + 64;
				cut = pf_scan_ref_cut(delim, buf, i, end, &st,
				    cut);
				from = end;
				inside = st == PF_SCAN_QUOTED ? ~(uint64_t)0 : 0;
				prev_ok = st == PF_SCAN_START ||
				    st == PF_SCAN_CLOSED;
				continue;
			}
			inside = (uint64_t)0 - (par >> 63);
		}
		prev_ok = sep >> 63;
	}
	if ((at = body_last_outside(buf, from, len, inside != 0)) > 0)
		cut = at;
	*state = len == from ? st :
	    pf_scan_state_at(delim, buf, len, inside != 0, st);
	return cut;
}

/*
 * Field n is the bytes [f, e) of a record whose quotes the masks have
 * checked: a field that starts with a quote is quoted and ends with its
 * closing quote; its text goes to scratch (ptr NULL until the record is
 * done) only when it holds "". Returns whether it went to scratch.
 */
static __attribute__((noinline)) bool
body_field(struct pf_splitter *sp, const struct pf_scan_chars *c, size_t n,
    const char *f, const char *e)
{
	const char *q, *at;
	size_t off;

	if (!c->quoting || f == e || *f != '"') {
		sp->fields[n].ptr = f;
		sp->fields[n].len = (size_t)(e - f);
		return false;
	}
	f++;
	e--;
	if ((q = memchr(f, '"', (size_t)(e - f))) == NULL) {
		sp->fields[n].ptr = f;
		sp->fields[n].len = (size_t)(e - f);
		return false;
	}
	/* "" stands for one quote: keep the text and the first of each. */
	off = sp->scratch.len;
	for (at = f; q != NULL; q = memchr(at, '"', (size_t)(e - at))) {
		pf_buf_add(&sp->scratch, at, (size_t)(q + 1 - at));
		at = q + 2;
	}
	pf_buf_add(&sp->scratch, at, (size_t)(e - at));
	sp->fields[n].ptr = NULL;
	sp->fields[n].len = sp->scratch.len - off;
	sp->scratch_at[n] = off;
	return true;
}

/*
 * Whether each closing quote in close (bits of block) is followed by
 * what may follow one: a delimiter, an LF, a quote (""), or CRLF. The
 * masks settled most; these are the ones they could not.
 */
static __attribute__((noinline)) bool
body_closes_ok(const struct pf_scan_chars *c, const char *block,
    uint64_t close)
{
	const char *s;

	for (; close != 0; close &= close - 1) {
		s = block + body_ctz(close) + 1;
		if (!(*s == c->delim || *s == '\n' || *s == '"' ||
		    (*s == '\r' && s[1] == '\n')))
			return false;
	}
	return true;
}

/* Classifies the 64 bytes at block and keeps their masks in sp's memo. */
static inline void
body_classify_keep(struct pf_splitter *sp, const struct pf_scan_chars *c,
    const char *block, struct pf_scan_bits *b)
{
	kclassify(block, c, b);
	sp->memo.blk = block;
	sp->memo.quote = b->quote;
	sp->memo.delim = b->delim;
	sp->memo.lf = b->lf;
	sp->memo.delim_c = c->delim;
	sp->memo.special = c->special;
}

/*
 * The masks of the record at start's first block, into b: the rest of
 * the memo's block when the record follows the last one split, else the
 * 64 bytes at start (kept). Returns the bytes they cover.
 */
static inline unsigned
body_first_block(struct pf_splitter *sp, const struct pf_scan_chars *c,
    const char *start, const char *end, struct pf_scan_bits *b)
{
	const struct pf_split_memo *m = &sp->memo;
	unsigned off;

	if (m->next == start && m->end == end && m->delim_c == c->delim &&
	    m->special == c->special && start < m->blk + 64) {
		off = (unsigned)(start - m->blk);
		b->quote = m->quote >> off;
		b->delim = m->delim >> off;
		b->lf = m->lf >> off;
		return 64 - off;
	}
	body_classify_keep(sp, c, start, b);
	return 64;
}

/*
 * The kernel's split (scan.h) of any record: bits walked in order, 64
 * bytes a time but for the first block, which is the rest of the
 * previous call's last block when this record follows that call's
 * (sp->memo).
 */
static __attribute__((noinline)) const char *
body_split_any(struct pf_splitter *sp, const struct pf_scan_chars *c,
    const char *start, const char *end, struct pf_record *rec,
    size_t *lines)
{
	const size_t want = sp->want ? sp->want : SIZE_MAX;
	const char *block = start, *f = start, *s, *last;
	struct pf_split_memo *m = &sp->memo;
	struct pf_scan_bits b;
	/* inside: all ones when the byte before block is inside quotes */
	uint64_t inside = 0, prev_ok = 1, par, lfo, before, dl, sep, valid;
	size_t n = 0, i, nlf = 0;	/* n: the index of the next field */
	unsigned nb;			/* the bytes block's masks cover */
	bool in_scratch = false, quotes = false;

	sp->scratch.len = 0;
	nb = body_first_block(sp, c, start, end, &b);
	m->next = NULL;
	for (;;) {
		b.quote &= ~b.lf;	/* none when special is '\n' */
		if (__builtin_expect((b.quote | inside) == 0, 1)) {
			lfo = b.lf;
			before = (lfo & (0 - lfo)) - 1;	/* ones without LF */
			dl = b.delim & before;
			prev_ok = b.delim >> (nb - 1) & 1;
		} else {
			if (!c->quoting)
				return NULL;
			quotes = true;
			/* bits past nb are 0: parity runs on to bit 63 */
			par = kprefix_xor(b.quote) ^ inside;
			/* Only bits up to the sentinel at end say anything. */
			valid = block + nb > end ?
			    ((uint64_t)2 << (end - block)) - 1 : ~(uint64_t)0;
			lfo = b.lf & ~par & valid;
			before = (lfo & (0 - lfo)) - 1;
			sep = b.delim | b.lf | b.quote;
			/* Openers after a separator, closers before one. */
			if ((b.quote & par & before & ~(sep << 1 | prev_ok)) !=
			    0 || !body_closes_ok(c, block, b.quote & ~par &
			    before & valid & ~(sep >> 1)))
				return NULL;
			dl = b.delim & ~par & before;
			nlf += (size_t)__builtin_popcountll(b.lf & before);
			inside = (uint64_t)0 - (par >> 63);
			prev_ok = sep >> (nb - 1) & 1;
		}
		/* Room for a block's fields and the last one. */
		if (n < want && n + 65 > sp->cap)
			pf_splitter_grow(sp, n + 65);
		/* Fields up to the wanted number; past it, only count them. */
		if (!quotes)
			for (; dl != 0 && n < want; dl &= dl - 1) {
				s = block + body_ctz(dl);
				sp->fields[n].ptr = f;
				sp->fields[n++].len = (size_t)(s - f);
				f = s + 1;
			}
		for (; dl != 0 && n < want; dl &= dl - 1) {
			s = block + body_ctz(dl);
			in_scratch |= body_field(sp, c, n++, f, s);
			f = s + 1;
		}
		for (; dl != 0; dl &= dl - 1)	/* few: no popcnt needed */
			n++;
		if (lfo != 0)
			break;
		if (block + nb > end)	/* a quote still open at end */
			return NULL;
		block += nb;
		nb = 64;
		body_classify_keep(sp, c, block, &b);
	}
	/* s may be the sentinel at end: input without a final LF. */
	s = block + body_ctz(lfo);
	last = s > start && s[-1] == '\r' ? s - 1 : s;
	rec->raw = start;
	rec->raw_len = (size_t)(last - start);
	if (n < want && !quotes) {
		sp->fields[n].ptr = f;
		sp->fields[n].len = (size_t)(f <= last ? last - f : 0);
	} else if (n < want)
		in_scratch |= body_field(sp, c, n, f, f <= last ? last : f);
	n++;
	rec->fields = sp->fields;
	rec->field_count = n;
	rec->nfields = n < want ? n : want;
	if (in_scratch)
		for (i = 0; i < rec->nfields; i++)
			if (sp->fields[i].ptr == NULL)
				sp->fields[i].ptr = sp->scratch.data +
				    sp->scratch_at[i];
	*lines += nlf + (s < end);
	if (s >= end)
		return end;
	m->next = s + 1;
	m->end = end;
	return s + 1;
}

/*
 * The kernel's split (scan.h): body_split_any() for a record without a
 * special byte, in few registers; the first special byte hands the
 * record over to body_split_any() from its start.
 */
static const char *
body_split(struct pf_splitter *sp, const struct pf_scan_chars *c,
    const char *start, const char *end, struct pf_record *rec,
    size_t *lines)
{
	const size_t want = sp->want ? sp->want : SIZE_MAX;
	const char *block = start, *f = start, *s;
	struct pf_split_memo *m = &sp->memo;
	struct pf_scan_bits b;
	uint64_t lfo, dl;
	size_t n = 0;
	unsigned nb;

	nb = body_first_block(sp, c, start, end, &b);
	for (;;) {
		lfo = b.lf;
		dl = (lfo & (0 - lfo)) - 1;	/* ones before the LF */
		if ((b.quote & ~b.lf & dl) != 0)
			break;
		dl &= b.delim;
		if (n < want && n + 65 > sp->cap)
			pf_splitter_grow(sp, n + 65);
		for (; dl != 0 && n < want; dl &= dl - 1) {
			s = block + body_ctz(dl);
			sp->fields[n].ptr = f;
			sp->fields[n++].len = (size_t)(s - f);
			f = s + 1;
		}
		for (; dl != 0; dl &= dl - 1)
			n++;
		if (lfo != 0) {
			/* s may be the sentinel at end: no final LF */
			s = block + body_ctz(lfo);
			rec->raw = start;
			rec->raw_len = (size_t)(s - start) -
			    (s > start && s[-1] == '\r');
			if (n < want) {
				sp->fields[n].ptr = f;
				sp->fields[n].len = f <= rec->raw +
				    rec->raw_len ? (size_t)(rec->raw +
				    rec->raw_len - f) : 0;
			}
			n++;
			rec->fields = sp->fields;
			rec->field_count = n;
			rec->nfields = n < want ? n : want;
			if (s >= end) {
				m->next = NULL;
				return end;
			}
			*lines += 1;
			m->next = s + 1;
			m->end = end;
			return s + 1;
		}
		block += nb;
		nb = 64;
		body_classify_keep(sp, c, block, &b);
	}
	m->next = NULL;
	return body_split_any(sp, c, start, end, rec, lines);
}

/*
 * The kernel's split_run (scan.h): each block's LFs walked in order
 * across records, the delimiters before each LF in a tight loop, bits
 * below the block's first special byte only; the record that holds it
 * is left to split().
 */
static size_t
body_split_run(struct pf_split_run *r, const struct pf_scan_chars *c,
    size_t want, const char *start, const char *end)
{
	const size_t max = want ? want : SIZE_MAX;
	const char *block = start, *rs = start, *f = start, *s;
	struct pf_run_record *x;
	struct pf_scan_bits b;
	uint64_t special, below, lf, dl, before;
	size_t n = 0, kept = 0, fi = 0;	/* records; fields kept before
					   this record; its fields so far */

	if (!c->empty_lines && (*start == '\n' || *start == '\r'))
		return 0;
	for (;; block += 64) {
		/* Room for a block's fields and the last one. */
		if (kept + fi + 65 > r->cap)
			pf_split_run_grow(r, kept + fi + 65);
		kclassify(block, c, &b);
		special = b.quote & ~b.lf;	/* none when special is '\n' */
		below = special != 0 ? (special & (0 - special)) - 1 :
		    ~(uint64_t)0;
		lf = b.lf & below;
		dl = b.delim & ~b.lf & below;	/* --lines without -d: none */
		for (;;) {
			before = lf != 0 ? (lf & (0 - lf)) - 1 : ~(uint64_t)0;
			for (; (dl & before) != 0 && fi < max; dl &= dl - 1) {
				s = block + body_ctz(dl);
				r->fields[kept + fi].ptr = f;
				r->fields[kept + fi++].len = (size_t)(s - f);
				f = s + 1;
			}
			/* past the wanted: counted */
#ifdef __POPCNT__
			fi += (size_t)__builtin_popcountll(dl & before);
			dl &= ~before;
#else
			for (; (dl & before) != 0; dl &= dl - 1)
				fi++;
#endif
			if (lf == 0)
				break;
			/* s may be the sentinel at end: no final LF */
			s = block + body_ctz(lf);
			lf &= lf - 1;
			x = &r->rec[n++];
			x->raw = rs;
			x->lf = s;
			x->raw_len = (size_t)(s - rs) - (s > rs && s[-1] == '\r');
			x->first = kept;
			x->field_count = ++fi;
			if (fi <= max) {
				r->fields[kept + fi - 1].ptr = f;
				r->fields[kept + fi - 1].len = f <= rs +
				    x->raw_len ? (size_t)(rs + x->raw_len - f) :
				    0;
				kept += fi;
			} else
				kept += max;
			fi = 0;
			rs = f = s + 1;
			if (rs >= end || n == PF_RUN_RECORDS ||
			    (!c->empty_lines && (*rs == '\n' || *rs == '\r')))
				return n;
		}
		if (special != 0)
			return n;
	}
}

/* The kernel's table: scan_X.c defines pf_scan_kernel_X = BODY_KERNEL("X"). */
static void
body_classify(const char *p, const struct pf_scan_chars *c,
    struct pf_scan_bits *b)
{
	kclassify(p, c, b);
}

static uint64_t
body_prefix_xor(uint64_t x)
{
	return kprefix_xor(x);
}

#define BODY_KERNEL(name) \
	{ name, body_classify, body_prefix_xor, body_cut, body_split, \
	  body_split_run }
