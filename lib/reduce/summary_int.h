/*
 * summary_int.h - preduce --summary's state, shared by summary.c (the
 * engine's side) and summary_write.c (the rows). Not a public interface.
 */
#ifndef PF_SUMMARY_INT_H
#define PF_SUMMARY_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"
#include "support/buf.h"
#include "support/table.h"

/* How many most common values the top column lists. */
#define PF_SUMMARY_TOP	5

struct summary {
	const struct pf_options	*opt;
	size_t		 memory;	/* --memory: bytes of values kept */
	size_t		 spill;		/* a worker's table that spills */
	size_t		 ncols;
	char		**names;	/* the input's column names */
	bool		 has_header;
	bool		 started;
	bool		 over;		/* the final table passed --memory */
	uint64_t	*empty;		/* per column, merged at the end */

	pthread_mutex_t	 lock;		/* guards arena and values */
	struct pf_arena	 arena;
	struct pf_values values;	/* column (the group) -> value */
	struct pf_tool	*tool;
};

/*
 * Appends the output (header, then one row per column in input order)
 * to out, from s->values and s->empty; writes out to stdout whenever it
 * passes 1 MiB.
 */
void pf_summary_write(struct summary *s, struct pf_buf *out);

#endif
