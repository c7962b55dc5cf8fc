/*
 * split_input.h - what the splitter's fuzz targets share: the eight
 * dialects the input's byte 0 picks (its low 3 bits), and the padded
 * copy the splitter is promised.
 */
#ifndef PF_FUZZ_SPLIT_INPUT_H
#define PF_FUZZ_SPLIT_INPUT_H

#include <stdlib.h>
#include <string.h>

#include "csv/record.h"

/* CSV with , ; tab |, TSV, --lines without -d, with -d , and -d ' '. */
static const struct pf_dialect split_dialects[8] = {
	{ PF_CSV, ',', true },
	{ PF_CSV, ';', true },
	{ PF_CSV, '\t', false },
	{ PF_CSV, '|', false },
	{ PF_TSV, '\t', true },
	{ PF_LINES, '\0', false },
	{ PF_LINES, ',', false },
	{ PF_LINES, ' ', false },
};

/*
 * Copies [p, p+len) into an allocation of exactly len + PF_SPLIT_PAD
 * bytes with the sentinel, so that AddressSanitizer sees any read past
 * the padding the splitter is promised. The caller frees it.
 */
static inline char *
padded_copy(const void *p, size_t len)
{
	char *b = malloc(len + PF_SPLIT_PAD);

	if (b == NULL)
		abort();
	if (len > 0)
		memcpy(b, p, len);
	b[len] = '\n';
	memset(b + len + 1, 0, PF_SPLIT_PAD - 1);
	return b;
}

#endif
