/*
 * scan_neon.c - the NEON kernel (scan.h) for aarch64: 64 bytes as four
 * 16-byte compares per byte class, narrowed to a 64-bit mask by pairwise
 * adds (as simdjson does); parity by shifts (the carry-less multiply
 * needs the crypto extension, which not every aarch64 CPU has).
 */
#include <arm_neon.h>
#include <stdint.h>

#include "csv/scan.h"

/* The 64 compare results (0x00 or 0xff per byte) as one bit each. */
static inline uint64_t
mask64(uint8x16_t a, uint8x16_t b, uint8x16_t c, uint8x16_t d)
{
	static const uint8_t bits[16] = { 1, 2, 4, 8, 16, 32, 64, 128,
	    1, 2, 4, 8, 16, 32, 64, 128 };
	const uint8x16_t bit = vld1q_u8(bits);
	uint8x16_t s0, s1;

	s0 = vpaddq_u8(vandq_u8(a, bit), vandq_u8(b, bit));
	s1 = vpaddq_u8(vandq_u8(c, bit), vandq_u8(d, bit));
	s0 = vpaddq_u8(s0, s1);
	s0 = vpaddq_u8(s0, s0);
	return vgetq_lane_u64(vreinterpretq_u64_u8(s0), 0);
}

static inline void
kclassify(const char *p, const struct pf_scan_chars *c, struct pf_scan_bits *b)
{
	const uint8_t *u = (const uint8_t *)p;
	const uint8x16_t q = vdupq_n_u8((uint8_t)c->special);
	const uint8x16_t d = vdupq_n_u8((uint8_t)c->delim);
	const uint8x16_t l = vdupq_n_u8('\n');
	const uint8x16_t v0 = vld1q_u8(u), v1 = vld1q_u8(u + 16);
	const uint8x16_t v2 = vld1q_u8(u + 32), v3 = vld1q_u8(u + 48);

	b->quote = mask64(vceqq_u8(v0, q), vceqq_u8(v1, q), vceqq_u8(v2, q),
	    vceqq_u8(v3, q));
	b->delim = mask64(vceqq_u8(v0, d), vceqq_u8(v1, d), vceqq_u8(v2, d),
	    vceqq_u8(v3, d));
	b->lf = mask64(vceqq_u8(v0, l), vceqq_u8(v1, l), vceqq_u8(v2, l),
	    vceqq_u8(v3, l));
}

static inline uint64_t
kprefix_xor(uint64_t x)
{
	return pf_scan_prefix_xor(x);
}

#include "csv/scan_body.h"

const struct pf_scan_kernel pf_scan_kernel_neon = BODY_KERNEL("neon");
