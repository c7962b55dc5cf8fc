/*
 * chunk.c - quote-aware batch boundaries (see chunk.h).
 *
 * A block without a quote takes its last LF (memchr speed). A block with
 * quotes is scanned 64 bytes at a time as bit masks, as simdjson and
 * simdcsv do: the quote parity at each byte is a prefix XOR of the quote
 * bits, and parity gives the right answer as long as every quote that
 * parity takes for an opening one stands at the start of a field (after
 * a delimiter, an LF, or the "" of an escape). Well-formed CSV always
 * does. A quote that breaks the rule (x"y, or "a"b"c) sends the rest of
 * the block to a byte-wise state machine, which is exact but slower.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "csv/chunk.h"

/* The state after byte c. */
static inline enum pf_scan_state
step(enum pf_scan_state s, char c, char delim)
{
	if (s == PF_SCAN_QUOTED)
		return c == '"' ? PF_SCAN_CLOSED : PF_SCAN_QUOTED;
	if (c == '"' && s != PF_SCAN_UNQUOTED)	/* opens, or "" */
		return PF_SCAN_QUOTED;
	return c == delim || c == '\n' ? PF_SCAN_START : PF_SCAN_UNQUOTED;
}

/*
 * The byte-wise scan of buf[i..len) from state *state; cut is the last
 * boundary found before i. Returns the last boundary in buf, or 0.
 */
static size_t
scan_bytes(char delim, const char *buf, size_t i, size_t len,
    enum pf_scan_state *state, size_t cut)
{
	enum pf_scan_state s = *state;

	for (; i < len; i++) {
		s = step(s, buf[i], delim);
		if (buf[i] == '\n' && s == PF_SCAN_START)
			cut = i + 1;
	}
	*state = s;
	return cut;
}

/*
 * The state before buf[i], for a scan that began in state first and in
 * which parity and the state machine agree up to i (inside: parity odd).
 */
static enum pf_scan_state
state_at(char delim, const char *buf, size_t i, bool inside,
    enum pf_scan_state first)
{
	if (i == 0)
		return first;
	if (inside)
		return PF_SCAN_QUOTED;
	if (buf[i - 1] == '"')		/* parity even: it closed a field */
		return PF_SCAN_CLOSED;
	return buf[i - 1] == delim || buf[i - 1] == '\n' ? PF_SCAN_START :
	    PF_SCAN_UNQUOTED;
}

#ifdef __SSE2__
/* Bit i of the result: whether an odd number of bits 0..i of x are set. */
static inline uint64_t
prefix_xor(uint64_t x)
{
	x ^= x << 1;
	x ^= x << 2;
	x ^= x << 4;
	x ^= x << 8;
	x ^= x << 16;
	x ^= x << 32;
	return x;
}

/*
 * The end of the last LF outside quotes in buf[from..to), or 0, walking
 * back from to, where the quotes before are odd in number when odd; in a
 * stretch where parity holds, this usually crosses a single record.
 */
static size_t
last_outside(const char *buf, size_t from, size_t to, bool odd)
{
	for (; to > from; to--) {
		if (buf[to - 1] == '"')
			odd = !odd;
		else if (buf[to - 1] == '\n' && !odd)
			return to;
	}
	return 0;
}

/* The bits of the separators (delimiter, LF, quote: isquote) in v. */
static inline uint64_t
sep16(__m128i v, __m128i isquote, __m128i vd, __m128i vl)
{
	return (uint64_t)(unsigned)_mm_movemask_epi8(_mm_or_si128(
	    _mm_or_si128(_mm_cmpeq_epi8(v, vd), _mm_cmpeq_epi8(v, vl)),
	    isquote));
}

/*
 * pf_chunk_scan() for CSV blocks that hold a quote. The forward pass
 * finds the quotes, their parity, and whether each one that parity opens
 * follows a separator (delimiter, LF or quote); a 64-byte block where one
 * does not is scanned byte by byte, and parity starts again after it
 * from the state there. The last LF outside quotes is then found walking
 * back from the end, which usually crosses a single record.
 */
static size_t
scan_masks(char delim, const char *buf, size_t len, enum pf_scan_state *state)
{
	const __m128i vq = _mm_set1_epi8('"'), vd = _mm_set1_epi8(delim);
	const __m128i vl = _mm_set1_epi8('\n');
	/* Parity holds from "from" on, where the state is st. */
	enum pf_scan_state st = *state;
	/* All ones when the byte before the block is inside quotes. */
	uint64_t inside = st == PF_SCAN_QUOTED ? ~(uint64_t)0 : 0;
	/* Bit 0: the byte before the block may precede an opening quote. */
	uint64_t prev_ok = st == PF_SCAN_START || st == PF_SCAN_CLOSED;
	uint64_t q, sep, par;
	_Alignas(16) char tail[64];
	const char *blk;
	__m128i v0, v1, v2, v3, q0, q1, q2, q3;
	size_t i, from = 0, cut = 0, at, end;

	for (i = 0; i < len; i += 64) {
		blk = buf + i;
		if (len - i < 64) {	/* zeros match nothing (delim is not 0) */
			memset(tail, 0, sizeof(tail));
			memcpy(tail, blk, len - i);
			blk = tail;
		}
		v0 = _mm_loadu_si128((const __m128i *)(const void *)blk);
		v1 = _mm_loadu_si128((const __m128i *)(const void *)(blk + 16));
		v2 = _mm_loadu_si128((const __m128i *)(const void *)(blk + 32));
		v3 = _mm_loadu_si128((const __m128i *)(const void *)(blk + 48));
		q0 = _mm_cmpeq_epi8(v0, vq);
		q1 = _mm_cmpeq_epi8(v1, vq);
		q2 = _mm_cmpeq_epi8(v2, vq);
		q3 = _mm_cmpeq_epi8(v3, vq);
		q = (uint64_t)(unsigned)_mm_movemask_epi8(q0) |
		    (uint64_t)(unsigned)_mm_movemask_epi8(q1) << 16 |
		    (uint64_t)(unsigned)_mm_movemask_epi8(q2) << 32 |
		    (uint64_t)(unsigned)_mm_movemask_epi8(q3) << 48;
		if (q != 0) {
			sep = sep16(v0, q0, vd, vl) |
			    sep16(v1, q1, vd, vl) << 16 |
			    sep16(v2, q2, vd, vl) << 32 |
			    sep16(v3, q3, vd, vl) << 48;
			/* bit i: odd quotes up to and including byte i */
			par = prefix_xor(q) ^ inside;
			/* A quote parity opens must follow a separator. */
			if ((q & par & ~(sep << 1 | prev_ok)) != 0) {
				if ((at = last_outside(buf, from, i,
				    inside != 0)) > 0)
					cut = at;
				st = i == from ? st :
				    state_at(delim, buf, i, inside != 0, st);
				end = len - i < 64 ? len : i + 64;
				cut = scan_bytes(delim, buf, i, end, &st, cut);
				from = end;
				inside = st == PF_SCAN_QUOTED ? ~(uint64_t)0 : 0;
				prev_ok = st == PF_SCAN_START ||
				    st == PF_SCAN_CLOSED;
				continue;
			}
			inside = (uint64_t)0 - (par >> 63);
		}
		prev_ok = blk[63] == delim || blk[63] == '\n' || blk[63] == '"';
	}
	if ((at = last_outside(buf, from, len, inside != 0)) > 0)
		cut = at;
	*state = len == from ? st : state_at(delim, buf, len, inside != 0, st);
	return cut;
}
#endif

size_t
pf_chunk_scan(const struct pf_dialect *d, const char *buf, size_t len,
    enum pf_scan_state *state)
{
	const char *lf;

	if (len == 0)
		return 0;
	if (d->format == PF_CSV && memchr(buf, '"', len) != NULL) {
#ifdef __SSE2__
		return scan_masks(d->delim, buf, len, state);
#else
		return scan_bytes(d->delim, buf, 0, len, state, 0);
#endif
	}
	if (d->format == PF_CSV) {
		if (*state == PF_SCAN_QUOTED)	/* all inside one quoted field */
			return 0;
		*state = state_at(d->delim, buf, len, false, *state);
	}
	lf = memrchr(buf, '\n', len);
	return lf ? (size_t)(lf - buf) + 1 : 0;
}

size_t
pf_chunk_cut(const struct pf_dialect *d, const char *buf, size_t len)
{
	enum pf_scan_state state = PF_SCAN_START;

	return pf_chunk_scan(d, buf, len, &state);
}

const char *
pf_chunk_record_end(const struct pf_dialect *d, const char *p,
    const char *end, bool *open)
{
	enum pf_scan_state s = PF_SCAN_START;
	const char *lf, *opened = p;

	*open = false;
	lf = memchr(p, '\n', (size_t)(end - p));
	if (lf == NULL)
		lf = end;
	/* The common case: no quote before the first LF. */
	if (d->format != PF_CSV || memchr(p, '"', (size_t)(lf - p)) == NULL)
		return lf;
	for (; p < end; p++) {
		if (*p == '"' && s == PF_SCAN_START)
			opened = p;
		s = step(s, *p, d->delim);
		if (*p == '\n' && s == PF_SCAN_START)
			return p;
	}
	if (s != PF_SCAN_QUOTED)
		return end;
	*open = true;
	lf = memchr(opened, '\n', (size_t)(end - opened));
	return lf ? lf : end;
}

size_t
pf_chunk_records(const struct pf_dialect *d, const char *buf, size_t len,
    size_t limit, size_t *end)
{
	const char *p = buf, *stop = buf + len, *lf;
	bool open;
	size_t n = 0;

	while (p < stop && n < limit) {
		lf = pf_chunk_record_end(d, p, stop, &open);
		if (d->format == PF_LINES || !(lf == p ||
		    (lf == p + 1 && *p == '\r')))
			n++;
		p = lf < stop ? lf + 1 : stop;
	}
	*end = (size_t)(p - buf);
	return n;
}

bool
pf_chunk_cr_only(const struct pf_dialect *d, const char *buf, size_t len)
{
	enum pf_scan_state s = PF_SCAN_START;
	size_t i;

	if (d->format == PF_LINES && memchr(buf, '\n', len) != NULL)
		return false;
	for (i = 0; i < len; i++) {
		if (s != PF_SCAN_QUOTED) {
			if (buf[i] == '\n')
				return false;
			if (buf[i] == '\r' && i + 1 < len && buf[i + 1] != '\n')
				return true;
		}
		if (d->format == PF_CSV)
			s = step(s, buf[i], d->delim);
	}
	return false;
}
