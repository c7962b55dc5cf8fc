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

#include "chunk.h"

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

static inline uint64_t
match64(__m128i v0, __m128i v1, __m128i v2, __m128i v3, __m128i c)
{
	return (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v0, c)) |
	    (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v1, c)) << 16 |
	    (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v2, c)) << 32 |
	    (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v3, c)) << 48;
}

/* pf_chunk_scan() for CSV blocks that hold a quote. */
static size_t
scan_masks(char delim, const char *buf, size_t len, enum pf_scan_state *state)
{
	const __m128i vq = _mm_set1_epi8('"'), vd = _mm_set1_epi8(delim);
	const __m128i vl = _mm_set1_epi8('\n');
	/* All ones when the byte before the block is inside quotes. */
	uint64_t inside = *state == PF_SCAN_QUOTED ? ~(uint64_t)0 : 0;
	/* Bit 0: the byte before the block may precede an opening quote. */
	uint64_t prev_ok = *state == PF_SCAN_START || *state == PF_SCAN_CLOSED;
	uint64_t q, sep, lf, par, out;
	_Alignas(16) char tail[64];
	const char *blk;
	__m128i v0, v1, v2, v3;
	size_t i, cut = 0;

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
		q = match64(v0, v1, v2, v3, vq);
		lf = match64(v0, v1, v2, v3, vl);
		if (q == 0)
			out = lf & ~inside;
		else {
			sep = lf | match64(v0, v1, v2, v3, vd) | q;
			/* bit i: odd quotes up to and including byte i */
			par = prefix_xor(q) ^ inside;
			/* A quote parity opens must follow a separator or "". */
			if ((q & par & ~(sep << 1 | prev_ok)) != 0) {
				*state = state_at(delim, buf, i, inside != 0,
				    *state);
				return scan_bytes(delim, buf, i, len, state, cut);
			}
			out = lf & ~par;
			inside = (uint64_t)0 - (par >> 63);
		}
		if (out != 0)
			cut = i + 64 - (size_t)__builtin_clzll(out);
		prev_ok = blk[63] == delim || blk[63] == '\n' || blk[63] == '"';
	}
	*state = state_at(delim, buf, len, inside != 0, *state);
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
