/*
 * scan_avx2.c - the AVX2 kernel (scan.h): 64 bytes as two 32-byte
 * compares per byte class; parity by carry-less multiply (PCLMUL).
 * Built with -mavx2 -mpclmul -mpopcnt on x86 only; chosen when the CPU
 * has all three.
 */
#include <immintrin.h>
#include <stdint.h>

#include "csv/scan.h"

static inline uint64_t
mask32(__m256i v, __m256i c)
{
	return (uint64_t)(uint32_t)_mm256_movemask_epi8(
	    _mm256_cmpeq_epi8(v, c));
}

static inline void
kclassify(const char *p, const struct pf_scan_chars *c, struct pf_scan_bits *b)
{
	const __m256i q = _mm256_set1_epi8(c->special);
	const __m256i d = _mm256_set1_epi8(c->delim);
	const __m256i l = _mm256_set1_epi8('\n');
	const __m256i lo = _mm256_loadu_si256((const __m256i *)(const void *)p);
	const __m256i hi = _mm256_loadu_si256((const __m256i *)(const void *)
	    (p + 32));

	b->quote = mask32(lo, q) | mask32(hi, q) << 32;
	b->delim = mask32(lo, d) | mask32(hi, d) << 32;
	b->lf = mask32(lo, l) | mask32(hi, l) << 32;
}

/* Multiplying by all ones without carries is the prefix XOR. */
static inline uint64_t
kprefix_xor(uint64_t x)
{
	return (uint64_t)_mm_cvtsi128_si64(_mm_clmulepi64_si128(
	    _mm_set_epi64x(0, (long long)x), _mm_set1_epi8((char)0xff), 0));
}

#include "csv/scan_body.h"

const struct pf_scan_kernel pf_scan_kernel_avx2 = BODY_KERNEL("avx2");
