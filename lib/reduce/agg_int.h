/*
 * agg_int.h - the layout of preduce's fixed-size aggregation states,
 * shared by agg.c (update, merge, final value) and agg_partial.c (their
 * partial form). Not a public interface: others go through agg.h.
 */
#ifndef PF_AGG_INT_H
#define PF_AGG_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "support/decimal.h"

/* A string kept in the arena, reused while new values fit. */
struct slot {
	char		*str;		/* NULL: no value yet */
	uint32_t	 len, cap;
};

struct count_state {			/* as pf_agg_count_record() has it */
	uint64_t	 n;
};

struct sum_state {			/* sum and mean */
	uint64_t	 n;
	struct pf_dec	 s;		/* the exact sum */
};

struct var_state {			/* var and stdev */
	uint64_t	 n;
	struct pf_dec	 s, q;		/* sum and sum of squares */
};

struct minmax_state {
	struct slot	 num;		/* the numeric extreme, as written */
	struct slot	 str;		/* byte-wise extreme of all values */
	uint64_t	 num_order;	/* num's order: ties keep the first */
	double		 num_d;		/* num's value, to compare quickly */
	int64_t		 num_i;		/* and when num_is_int, exactly */
	bool		 num_is_int;
	bool		 nonnum;	/* some value was not a number */
};

struct pick_state {			/* first and last */
	uint64_t	 order;
	struct slot	 str;
};

#endif
