/*
 * reader.h - input files as one stream of record batches.
 *
 * The reader owns the input side: it opens the operands in order ("-" is
 * stdin), drops a UTF-8 BOM, takes the header from the first file and
 * checks (then drops) each later file's, and cuts the bytes into batches
 * that end at record boundaries. A record longer than a batch grows the
 * batch. A batch never spans two files. On a pipe or terminal, a partial
 * batch is handed out when no input arrives for flush_ms, so slow streams
 * are not held back. A batch from a regular file is also a byte range of
 * that file (batch_offset, batch_len), so that pmap --pipe can splice(2)
 * it from the page cache instead of copying it; with ranges set, such a
 * batch is only that range, its bytes scanned in a small buffer and not
 * kept.
 *
 * Compressed input (gzip, zstd, bzip2, xz: codec.h) is known by its
 * first bytes, on files and stdin alike, and decoded ahead of the
 * reader by an inflow (inflow.h) on a thread that start_thread makes
 * (the engine sets it); its batches are never byte ranges. Binary data
 * that is no such codec is refused, named as what it looks like.
 *
 * With unite (--union), files whose headers differ are read as the union
 * of their fields by name: every header is read before any record (so
 * stdin cannot be one of them), and a file whose header is not the union
 * in order has its records written again in the union's order.
 */
#ifndef PF_READER_H
#define PF_READER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "support/buf.h"
#include "csv/inflow.h"
#include "csv/record.h"

/* Which regular file an operand was: to open it again and know it. */
struct pf_file_id {
	dev_t		  dev;
	ino_t		  ino;
};

/* Why a batch ended (pf_reader.ended; the engine's pf_batch_info.ended). */
enum pf_batch_end {
	PF_BATCH_FULL,		/* it held a batch's worth (chunk bytes): it
				   ends at its last record boundary */
	PF_BATCH_IDLE,		/* a pipe's input paused (or came slowly)
				   past flush_ms: what was complete goes */
	PF_BATCH_COUNT,		/* a count trigger: every_records records */
	PF_BATCH_TIME,		/* a time trigger: every_ms passed (the batch
				   may be empty) */
	PF_BATCH_FILE_END,	/* its operand ended */
};

/* Whether a batch ends at a trigger (every_records, every_ms). */
static inline bool
pf_batch_at_trigger(enum pf_batch_end ended)
{
	return ended == PF_BATCH_COUNT || ended == PF_BATCH_TIME;
}

struct pf_reader {
	struct pf_dialect dialect;
	char		**paths;
	int		  npaths;
	size_t		  chunk;
	size_t		  chunk_decoded;	/* a batch of compressed input:
					   chunk, unless the caller makes it
					   larger (set after pf_reader_init()) */
	long		  flush_ms;	/* <0: never flush early */
	const char	 *names;	/* without a header: "a,b,c" names the
					   fields (-H --names); NULL: "1".."n"
					   (set after pf_reader_init()) */

	int		  index;	/* current operand, -1 before the first */
	int		  fd;		/* -1 between files */
	bool		  regular;	/* the current (or last) file is regular */
	bool		  file_eof;
	struct pf_buf	  pending;	/* read, not handed out; starts at a boundary */

	struct pf_buf	  header;	/* the first file's header record, raw */
	size_t		  header_lines;	/* LFs the header spans */
	size_t		  header_line;	/* the line it starts on */
	bool		  header_crlf;	/* it ended in CR LF */
	bool		  have_header;

	/* Triggers (see pf_tool in engine.h): set after pf_reader_init(). */
	uint64_t	  every_records; /* end a batch after every N records */
	long		  every_ms;	/* ... and every so many ms of wall time */
	uint64_t	  epoch_records; /* records since the last count trigger */
	double		  deadline;	/* when the next time trigger is due */
	enum pf_batch_end ended;	/* why the last batch filled ended */

	bool		  ranges;	/* regular files: ranges, not bytes */
	off_t		  offset;	/* bytes read from the current file */
	off_t		  batch_offset;	/* where the last batch starts in its
					   file; -1: not a regular file */
	off_t		  batch_len;	/* and its length */
	struct pf_buf	  scan;		/* the block being scanned (ranges) */
	struct pf_file_id *ids;		/* each operand's, once opened */

	/* Compressed input: the current file's codec and its decoder. */
	pf_thread_start_fn *start_thread; /* set by the engine; NULL: the
					   reader decodes in line */
	enum pf_codec	  codec;
	struct pf_inflow *inflow;	/* NULL: plain, or ended */
	uint64_t	  bytes_base;	/* bytes before this file's */

	/* --union (reader_union.c): set unite after pf_reader_init(). */
	bool		  unite;
	bool		  union_collecting; /* reading every header first */
	char		**union_names;	/* the union's fields, in order */
	size_t		  union_n;
	size_t		 *union_map;	/* current file's field i -> union's */
	size_t		  union_map_n;	/* the current file's fields */
	bool		  union_identity; /* its header is the union */
	struct pf_splitter union_sp;
	struct pf_buf	  union_out;

	uint64_t	  bytes;	/* bytes read so far */
	uint64_t	  total_bytes;	/* sum of regular files' sizes, 0 if unknown */
	char		  error[512];	/* set when a fill returns -1 */
};

/* Prepares to read paths (none means stdin). Nothing is opened yet. */
void pf_reader_init(struct pf_reader *r, const struct pf_dialect *d,
    char **paths, int npaths, size_t chunk, long flush_ms);
void pf_reader_free(struct pf_reader *r);

/*
 * Opens the first file and fills *schema from its header (or, with no
 * header, from names, or else from the number of fields of its first
 * record, named "1".."n"). Returns 1, 0 when the input holds no record
 * at all (the schema is then names', or empty), or -1 on error (r->error
 * says why).
 */
int pf_reader_start(struct pf_reader *r, struct pf_schema *schema);

/*
 * Fills in with the next batch of complete records (plus a '\n' sentinel
 * after in->len) and sets *file to the operand it came from; with ranges,
 * a batch of a regular file leaves in empty and is batch_offset and
 * batch_len only. Returns 1,
 * 0 at the end of all input, or -1 on error (r->error says why). Sets
 * r->ended to why the batch ended; when several reasons meet, a trigger
 * is named before the others, and a count trigger before a time trigger.
 * A time trigger with no input yields an empty batch.
 */
int pf_reader_fill(struct pf_reader *r, struct pf_buf *in, int *file);

/* The name of operand i for messages ("-" reads as "stdin"). */
const char *pf_reader_name(const struct pf_reader *r, int i);

/*
 * Reports a data error at a record, the one way every tool does:
 * "PROG: FILE:LINE (record N): why", FILE being operand file, LINE the
 * 1-based line where the record starts, N its 1-based number.
 */
void pf_reader_report(const struct pf_reader *r, int file, uint64_t line,
    uint64_t record, const char *why);

#endif
