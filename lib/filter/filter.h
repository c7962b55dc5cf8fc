/*
 * filter.h - pfilter: keep the records for which an expression holds.
 */
#ifndef PF_FILTER_H
#define PF_FILTER_H

#include <stdbool.h>

#include "engine/options.h"

struct pf_filter_args {
	const char	*expr;
	bool		 invert;	/* -v: keep those for which it fails */
	bool		 count;		/* -c: print only the count */
	const char	*unique;	/* --unique KEYS: first of each key */
};

/* Runs pfilter; returns the exit status. */
int pf_filter_main(const struct pf_options *opt,
    const struct pf_filter_args *args, char **files, int nfiles);

#endif
