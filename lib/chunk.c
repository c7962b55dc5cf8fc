/*
 * chunk.c - quote-aware batch boundaries (see chunk.h).
 *
 * Counting the quotes in a block is one vectorisable pass; the last LF
 * at even parity is then found by walking back from the end, which
 * usually crosses a single record.
 */
#include <stdbool.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "chunk.h"

static size_t
count_quotes(const char *buf, size_t len)
{
	size_t i = 0, n = 0;

#ifdef __SSE2__
	/*
	 * Each compare gives -1 per quote; subtracting adds one per byte
	 * lane. Lanes are summed with psadbw before they can overflow.
	 */
	const __m128i quote = _mm_set1_epi8('"'), zero = _mm_setzero_si128();
	__m128i lanes, sums;
	size_t round;

	while (i + 16 <= len) {
		lanes = zero;
		for (round = 0; round < 255 && i + 16 <= len; round++, i += 16)
			lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(quote,
			    _mm_loadu_si128((const __m128i *)(const void *)
			    (buf + i))));
		sums = _mm_sad_epu8(lanes, zero);
		n += (size_t)_mm_cvtsi128_si32(sums) +
		    (size_t)_mm_extract_epi16(sums, 4);
	}
#endif
	for (; i < len; i++)
		n += buf[i] == '"';
	return n;
}

size_t
pf_chunk_scan(const struct pf_dialect *d, const char *buf, size_t len,
    bool *odd)
{
	const char *lf;
	size_t quotes, i;
	bool odd_after;

	if (len == 0)
		return 0;
	if (d->format == PF_CSV && memchr(buf, '"', len) != NULL) {
		quotes = count_quotes(buf, len) + *odd;
		odd_after = quotes % 2 != 0;
		/* quotes counts those before position i as i walks back. */
		for (i = len; i > 0; i--) {
			char c = buf[i - 1];

			if (c == '"')
				quotes--;
			else if (c == '\n' && quotes % 2 == 0)
				break;
		}
		*odd = odd_after;
		return i;
	}
	if (d->format == PF_CSV && *odd)	/* all inside one quoted field */
		return 0;
	lf = memrchr(buf, '\n', len);
	return lf ? (size_t)(lf - buf) + 1 : 0;
}

size_t
pf_chunk_cut(const struct pf_dialect *d, const char *buf, size_t len)
{
	bool odd = false;

	return pf_chunk_scan(d, buf, len, &odd);
}

/* Whether the quotes in [p, end) are odd in number. */
static bool
odd_quotes(const char *p, const char *end)
{
	bool odd = false;

	while ((p = memchr(p, '"', (size_t)(end - p))) != NULL) {
		odd = !odd;
		p++;
	}
	return odd;
}

size_t
pf_chunk_records(const struct pf_dialect *d, const char *buf, size_t len,
    size_t limit, size_t *end)
{
	const char *p = buf, *stop = buf + len, *q, *lf;
	bool quoted;
	size_t n = 0;

	while (p < stop && n < limit) {
		/* The record's LF: the first one at even quote parity. */
		quoted = false;
		for (q = p;; q = lf + 1) {
			lf = memchr(q, '\n', (size_t)(stop - q));
			if (lf == NULL)
				lf = stop;
			if (d->format == PF_CSV && odd_quotes(q, lf))
				quoted = !quoted;
			if (!quoted || lf == stop)
				break;
		}
		if (d->format == PF_LINES || !(lf == p ||
		    (lf == p + 1 && *p == '\r')))
			n++;
		p = lf < stop ? lf + 1 : stop;
	}
	*end = (size_t)(p - buf);
	return n;
}
