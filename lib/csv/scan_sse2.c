/*
 * scan_sse2.c - the SSE2 kernel (scan.h): 64 bytes as four 16-byte
 * compares per byte class; parity by shifts (SSE2 has no carry-less
 * multiply). Built with -msse2 on x86 only; chosen when the CPU has it.
 */
#include <emmintrin.h>
#include <stdint.h>

#include "csv/scan.h"

static inline uint64_t
mask16(__m128i v, __m128i c)
{
	return (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, c));
}

static inline void
kclassify(const char *p, const struct pf_scan_chars *c, struct pf_scan_bits *b)
{
	const __m128i q = _mm_set1_epi8(c->special);
	const __m128i d = _mm_set1_epi8(c->delim);
	const __m128i l = _mm_set1_epi8('\n');
	__m128i v[4];
	unsigned i;

	for (i = 0; i < 4; i++)
		v[i] = _mm_loadu_si128((const __m128i *)(const void *)
		    (p + 16 * i));
	b->quote = mask16(v[0], q) | mask16(v[1], q) << 16 |
	    mask16(v[2], q) << 32 | mask16(v[3], q) << 48;
	b->delim = mask16(v[0], d) | mask16(v[1], d) << 16 |
	    mask16(v[2], d) << 32 | mask16(v[3], d) << 48;
	b->lf = mask16(v[0], l) | mask16(v[1], l) << 16 |
	    mask16(v[2], l) << 32 | mask16(v[3], l) << 48;
}

static inline uint64_t
kprefix_xor(uint64_t x)
{
	return pf_scan_prefix_xor(x);
}

#include "csv/scan_body.h"

const struct pf_scan_kernel pf_scan_kernel_sse2 = BODY_KERNEL("sse2");
