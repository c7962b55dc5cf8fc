/*
 * scan_c.c - the plain-C kernel (scan.h): 64 bytes classified eight at a
 * time in 64-bit words (SWAR), for CPUs without a vector kernel and for
 * -Dsimd=disabled builds. Portable C; the byte order is handled.
 */
#include <stdint.h>
#include <string.h>

#include "csv/scan.h"

#define ONES	0x0101010101010101ULL
#define LOW7	0x7f7f7f7f7f7f7f7fULL

/* Bit k of the result: whether byte k of w (in memory order) is c. */
static inline unsigned
word_eq(uint64_t w, uint64_t c)
{
	uint64_t t = w ^ c, hi;

	/* 0x80 in exactly the bytes of t that are zero (no carries out) */
	hi = ~(((t & LOW7) + LOW7) | t | LOW7);
	/* gather the eight high bits, byte 0's lowest */
	return (unsigned)(((hi >> 7) * 0x0102040810204080ULL) >> 56);
}

static inline void
kclassify(const char *p, const struct pf_scan_chars *c, struct pf_scan_bits *b)
{
	const uint64_t q = ONES * (unsigned char)c->special;
	const uint64_t d = ONES * (unsigned char)c->delim;
	const uint64_t l = ONES * (unsigned char)'\n';
	uint64_t w;
	unsigned i;

	b->quote = b->delim = b->lf = 0;
	for (i = 0; i < 8; i++) {
		memcpy(&w, p + 8 * i, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		w = __builtin_bswap64(w);
#endif
		b->quote |= (uint64_t)word_eq(w, q) << (8 * i);
		b->delim |= (uint64_t)word_eq(w, d) << (8 * i);
		b->lf |= (uint64_t)word_eq(w, l) << (8 * i);
	}
}

static inline uint64_t
kprefix_xor(uint64_t x)
{
	return pf_scan_prefix_xor(x);
}

#include "csv/scan_body.h"

const struct pf_scan_kernel pf_scan_kernel_c = BODY_KERNEL("c");
