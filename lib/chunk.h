/*
 * chunk.h - where a block of input may be cut into batches.
 *
 * A batch must end at a record boundary. For CSV that is an LF outside
 * quotes; since RFC 4180's "" keeps the parity of quotes, "outside" is
 * an even number of '"' since the block began (blocks always begin at a
 * boundary). record.c splits by the same rule.
 */
#ifndef PF_CHUNK_H
#define PF_CHUNK_H

#include <stdbool.h>
#include <stddef.h>

#include "record.h"

/*
 * Returns the length of the longest prefix of buf[0..len) that ends at a
 * record boundary (just after an LF), or 0 if there is none.
 */
size_t pf_chunk_cut(const struct pf_dialect *d, const char *buf, size_t len);

/*
 * The same for one block of a longer scan: *odd says whether the quotes
 * since the last boundary before buf are odd in number, and is updated to
 * the end of buf. Returns the length of the longest prefix of buf that
 * ends at a record boundary, or 0 if none.
 */
size_t pf_chunk_scan(const struct pf_dialect *d, const char *buf, size_t len,
    bool *odd);

/*
 * Counts the records in buf[0..len), which begins at a record boundary,
 * by the splitter's rules (extent by quote parity; empty lines are not
 * CSV or TSV records), stopping at limit. Sets *end to the length of the
 * prefix that holds the records counted (up to just after the limit-th
 * record's terminator, else len).
 */
size_t pf_chunk_records(const struct pf_dialect *d, const char *buf,
    size_t len, size_t limit, size_t *end);

#endif
