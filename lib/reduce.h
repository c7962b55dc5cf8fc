/*
 * reduce.h - preduce: group-by aggregation with mergeable partial state.
 */
#ifndef PF_REDUCE_H
#define PF_REDUCE_H

#include <stdbool.h>

#include "options.h"

struct pf_reduce_args {
	const char	 *keys;		/* -k KEY[,KEY...], or NULL */
	char		**aggs;		/* the AGG operands */
	int		  naggs;
	bool		  partial;	/* --partial: write mergeable state */
	bool		  merge;	/* --merge: read partial state */
	bool		  strict;	/* --strict: a non-number is an error */
};

/*
 * Whether an operand is an AGG rather than a FILE: "count", or a function
 * name alone or followed by ':', and not the name of an existing file.
 */
bool pf_reduce_is_agg(const char *arg);

/*
 * Checks the AGG operands; on an unknown function or a malformed one,
 * prints why with the list of functions and exits 2.
 */
void pf_reduce_check_aggs(char **aggs, int naggs);

/* Runs preduce; returns the exit status. */
int pf_reduce_main(const struct pf_options *opt,
    const struct pf_reduce_args *args, char **files, int nfiles);

#endif
