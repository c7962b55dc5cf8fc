/*
 * notes.h - what expressions could not compute, counted: nothing silent.
 *
 * A value that arithmetic, a number function, num() or time() cannot
 * read (a non-empty value that is not a number, or not a time), and a
 * division by zero, still give the empty string; each is also noted
 * here, per place in an expression (the operator or the call, by its
 * source text), with the first such value. Empty operands are not noted:
 * empty in, empty out is how a missing value travels.
 *
 * Evaluation notes into the set bound to its thread (pf_notes_bind());
 * with none bound it notes nothing. The engine binds one set to each
 * worker, hands each batch's notes to the in-order stage, which merges
 * them in input order (so the first value is the first in the input,
 * whatever -j), and reports the totals once at exit:
 *
 *   pmap: 3000 values of 'origin + "-"' are not numbers (first:
 *   data/flights.csv:2 'BIL'); '.' joins text
 *
 * With strict set (--strict), the first such value is an error instead:
 * the evaluation fails (pf_eval_error() says what and where in the
 * expression), and the tool stops at that record, status 1.
 */
#ifndef PF_NOTES_H
#define PF_NOTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csv/reader.h"

enum pf_note_kind {
	PF_NOTE_NUMBER,		/* not a number */
	PF_NOTE_TIME,		/* not a time */
	PF_NOTE_ZERO,		/* division by zero */
	PF_NOTE_RANGE,		/* a number out of a function's range */
	PF_NOTE_ZONE,		/* not a time zone */
};

/* One place in one expression. */
struct pf_note {
	const void	*site;		/* the compiled expression */
	uint32_t	 node;		/* the place in it */
	enum pf_note_kind kind;
	bool		 joins_text;	/* + on text: hint at '.' */
	uint64_t	 count;
	const char	*text;		/* its source text; owned (malloc'd)
					   only in a merged set */
	size_t		 text_len;
	char		 value[64];	/* the first value, shortened */
	/* Where the first was: in a worker's set, within its batch ... */
	uint64_t	 lines_before, in_batch;
	/* ... and once merged, in its file. */
	int		 file;
	uint64_t	 line, record;
};

struct pf_notes {
	struct pf_note	*v;
	size_t		 n, cap;
	bool		 strict;	/* --strict: an error, not a note */
	bool		 merged;	/* positions resolved; owns texts */
};

/* This thread's evaluations note into notes (NULL: nowhere). */
void pf_notes_bind(struct pf_notes *notes);

/*
 * Adds a batch's notes (positions within the batch) to the merged set
 * dst, counts summed; a place dst has not seen yet takes its first from
 * the batch, resolved as line line_base + lines_before + 1 and record
 * record_base + in_batch of file. Empties src (its memory kept).
 * Call in input order.
 */
void pf_notes_merge(struct pf_notes *dst, struct pf_notes *src, int file,
    uint64_t line_base, uint64_t record_base);

/* Empties notes without freeing its memory. */
void pf_notes_reset(struct pf_notes *notes);

/* One line per place on stderr, "PROG: N values of 'TEXT' are not ...". */
void pf_notes_report(const struct pf_notes *notes, const struct pf_reader *r);

void pf_notes_free(struct pf_notes *notes);

#endif
