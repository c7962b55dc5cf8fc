/*
 * reader_int.h - what reader.c (cutting batches) and reader_open.c
 * (opening files, reading their bytes and headers) share. Private to
 * lib/csv.
 */
#ifndef PF_READER_INT_H
#define PF_READER_INT_H

#include <sys/types.h>

#include "csv/reader.h"

/* Smallest read; a pipe rarely holds more. */
#define MIN_READ	(64 * 1024)

/* Sets r->error to "FILE: what" for the current file; returns -1. */
int reader_fail(struct pf_reader *r, const char *what);

/*
 * Reads once from the current file (through its decoder when it is
 * compressed), appending to b. Returns the bytes read, 0 at the end of
 * the file (which also closes it), or -1 on error.
 */
ssize_t reader_read(struct pf_reader *r, struct pf_buf *b, size_t want);

/* Ends the current file: its decoder, then its descriptor (not stdin). */
void reader_close(struct pf_reader *r);

/*
 * Opens the next operand: knows its codec, drops its BOM and, with
 * headers, checks and drops its header (the first file's is kept).
 * Returns 1, 0 when there are no more operands, or -1 on error.
 */
int reader_open_next(struct pf_reader *r);

/*
 * --union (reader_union.c): while collecting, adds the names of header
 * (a file's header record) that are new to the union; afterwards, sets
 * the map of the file whose header it is to the union's fields.
 */
void reader_union_header(struct pf_reader *r, const struct pf_record *header);

/*
 * Writes the batch in (of a file whose map is not the identity) again
 * in the union's field order, in place; malformed records stay as they
 * are, and so do the line counts.
 */
void reader_union_batch(struct pf_reader *r, struct pf_buf *in);

#endif
