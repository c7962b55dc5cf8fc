/*
 * chunk.h - where a block of input may be cut into batches.
 *
 * A batch must end at a record boundary. For CSV that is an LF outside
 * quotes, where a quote opens a quoted field only at the start of a
 * field (right after a delimiter, an LF or the start of the record): a
 * quote inside an unquoted field (x"y) is data, as Python's csv module
 * reads it. Inside a quoted field, "" is a quote and the next lone quote
 * closes it. Text after a closing quote ("a"b) goes on as an unquoted
 * field (the splitter calls the record malformed, but its extent follows
 * this rule). record.c splits by the same rule, so a cut is always a
 * boundary that the splitter agrees with, whatever the -j.
 *
 * A quote still open at the end of the input costs the record only up to
 * the end of the line where that quote opened: the record is malformed,
 * and the next record starts on the next line (pf_chunk_record_end()).
 */
#ifndef PF_CHUNK_H
#define PF_CHUNK_H

#include <stdbool.h>
#include <stddef.h>

#include "csv/record.h"

/* Where a scan of CSV stands after a byte: carried from block to block. */
enum pf_scan_state {
	PF_SCAN_START,		/* at the start of a field (or record) */
	PF_SCAN_UNQUOTED,	/* in an unquoted field: quotes are data */
	PF_SCAN_QUOTED,		/* in a quoted field */
	PF_SCAN_CLOSED,		/* just after a quote in a quoted field: its
				   end, or the first of "" */
};

/*
 * Returns the length of the longest prefix of buf[0..len) that ends at a
 * record boundary (just after an LF), or 0 if there is none. buf begins
 * at a record boundary.
 */
size_t pf_chunk_cut(const struct pf_dialect *d, const char *buf, size_t len);

/*
 * The same for one block of a longer scan: *state is where the scan stood
 * before buf (PF_SCAN_START at a record boundary) and is updated to the
 * end of buf. Returns the length of the longest prefix of buf that ends
 * at a record boundary, or 0 if none.
 */
size_t pf_chunk_scan(const struct pf_dialect *d, const char *buf, size_t len,
    enum pf_scan_state *state);

/*
 * The end of the record that starts at p, in [p, end): its LF, or end.
 * When a quote is still open at end, sets *open and returns the first LF
 * after that quote (or end): the record is taken to end with the line
 * where its unterminated quote opened. Byte by byte: for the splitter's
 * rare paths (malformed records), not for whole batches.
 */
const char *pf_chunk_record_end(const struct pf_dialect *d, const char *p,
    const char *end, bool *open);

/*
 * Counts the records in buf[0..len), which begins at a record boundary,
 * by the splitter's rules (extent by pf_chunk_record_end(); empty lines
 * are not CSV or TSV records), stopping at limit. Sets *end to the length
 * of the prefix that holds the records counted (up to just after the
 * limit-th record's terminator, else len).
 */
size_t pf_chunk_records(const struct pf_dialect *d, const char *buf,
    size_t len, size_t limit, size_t *end);

/*
 * Whether buf[0..len), the start of a file, has CR-only line ends (old
 * Mac files): its first record (CSV, TSV) holds a CR outside quotes that
 * is followed by a byte other than LF; with --lines, buf holds such a CR
 * and no LF at all.
 */
bool pf_chunk_cr_only(const struct pf_dialect *d, const char *buf,
    size_t len);

#endif
