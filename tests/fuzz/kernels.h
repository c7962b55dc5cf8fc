/*
 * kernels.h - every CSV kernel this CPU runs against the reference
 * automaton (lib/csv/scan.h), on one input: shared by the fuzz target
 * fuzz_kernels.c and the unit test test_scan.c.
 *
 * check_kernels(d, data, len, want) checks, for each kernel: its 64-byte
 * masks at every alignment and its prefix XOR against byte-wise ones; its
 * batch cut (CSV), over the whole input and over blocks with the state
 * carried, against pf_scan_ref_cut(); and pf_split_next() through it
 * (asking for the first `want` fields, 0 for all) against
 * pf_split_reference(): the same records, raw bytes, statuses, field
 * counts, line counts, and fields (at least the wanted ones; the
 * reference splits all). A difference is printed and returns
 * false.
 */
#ifndef PF_TEST_KERNELS_H
#define PF_TEST_KERNELS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv/record.h"
#include "csv/scan.h"
#include "split_input.h"

static bool
kernels_fail(const struct pf_scan_kernel *k, const char *what, size_t at)
{
	printf("# kernel %s: %s differs from the reference at %zu\n",
	    k->name, what, at);
	return false;
}

/* The masks and parity of 64 bytes at offsets of b[0..len]. */
static bool
kernels_check_masks(const struct pf_scan_kernel *k,
    const struct pf_scan_chars *c, const char *b, size_t len)
{
	struct pf_scan_bits got, want;
	size_t at;

	/* every alignment, then a stride across the rest */
	for (at = 0; at <= len; at += at < 64 ? 1 : 61) {
		k->classify(b + at, c, &got);
		pf_scan_kernel_ref.classify(b + at, c, &want);
		if (got.quote != want.quote || got.delim != want.delim ||
		    got.lf != want.lf)
			return kernels_fail(k, "classify", at);
		if (k->prefix_xor(want.quote ^ want.delim << 7) !=
		    pf_scan_kernel_ref.prefix_xor(want.quote ^
		    want.delim << 7))
			return kernels_fail(k, "prefix_xor", at);
	}
	return true;
}

/* The cut of b[0..len), whole and in blocks of step bytes. */
static bool
kernels_check_cut(const struct pf_scan_kernel *k, char delim, const char *b,
    size_t len, size_t step)
{
	enum pf_scan_state sk = PF_SCAN_START, sr = PF_SCAN_START;
	size_t at, n, ck, cr;

	ck = k->cut(delim, b, len, &sk);
	cr = pf_scan_ref_cut(delim, b, 0, len, &sr, 0);
	if (ck != cr || sk != sr)
		return kernels_fail(k, "cut", 0);
	sk = sr = PF_SCAN_START;
	for (at = 0; at < len; at += n) {
		n = len - at < step ? len - at : step;
		ck = k->cut(delim, b + at, n, &sk);
		cr = pf_scan_ref_cut(delim, b + at, 0, n, &sr, 0);
		if (ck != cr || sk != sr)
			return kernels_fail(k, "cut in blocks", at);
	}
	return true;
}

/* Record by record, through k and through the reference splitter. */
static bool
kernels_check_split(const struct pf_scan_kernel *k,
    const struct pf_dialect *d, const char *b, size_t len, size_t want)
{
	struct pf_splitter sk = { 0 }, sr = { 0 };
	struct pf_record rk, rr;
	enum pf_split_status stk, str;
	const char *pk = b, *pr = b, *end = b + len;
	size_t lk, lr, i;
	bool ok = true;

	sk.want = want;
	pf_scan_kernel_use(k);
	for (;;) {
		pk = pf_split_next(&sk, d, pk, end, &rk, &lk, &stk);
		pr = pf_split_reference(&sr, d, pr, end, &rr, &lr, &str);
		if (pk != pr || lk != lr) {
			ok = kernels_fail(k, "split (extent, lines)",
			    (size_t)((pr ? pr : end) - b));
			break;
		}
		if (pk == NULL)
			break;
		if (stk != str || rk.raw != rr.raw ||
		    rk.raw_len != rr.raw_len ||
		    rk.field_count != rr.field_count ||
		    rk.nfields > rr.nfields || rk.nfields < (want &&
		    want < rr.nfields ? want : rr.nfields)) {
			ok = kernels_fail(k, "split (record)",
			    (size_t)(rr.raw - b));
			break;
		}
		for (i = 0; i < rk.nfields; i++)
			if (rk.fields[i].len != rr.fields[i].len ||
			    memcmp(rk.fields[i].ptr, rr.fields[i].ptr,
			    rr.fields[i].len) != 0)
				ok = false;
		if (!ok) {
			kernels_fail(k, "split (fields)", (size_t)(rr.raw - b));
			break;
		}
	}
	pf_scan_kernel_use(NULL);
	pf_splitter_free(&sk);
	pf_splitter_free(&sr);
	return ok;
}

static bool
check_kernels(const struct pf_dialect *d, const char *data, size_t len,
    size_t want)
{
	const struct pf_scan_chars c = pf_scan_chars_for(d);
	const struct pf_scan_kernel *k;
	char *b = padded_copy(data, len);
	bool ok = true;
	size_t i;

	for (i = 0; ok && (k = pf_scan_kernel_at(i)) != NULL; i++) {
		ok = kernels_check_masks(k, &c, b, len) &&
		    kernels_check_split(k, d, b, len, want);
		if (ok && d->format == PF_CSV)
			ok = kernels_check_cut(k, d->delim, b, len, 1 +
			    (len * 7 + want * 13) % 97);
	}
	free(b);
	return ok;
}

#endif
