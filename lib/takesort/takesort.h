/*
 * takesort.h - ptakesort: the first N records in the order of some keys,
 * or, without -n, every record in that order (a whole sort in bounded
 * memory).
 */
#ifndef PF_TAKESORT_H
#define PF_TAKESORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/options.h"

struct pf_takesort_args {
	size_t		 limit;		/* -n N */
	const char	*keys;		/* -k KEY[:num|:str][:desc],... */
	const char	*groups;	/* -g KEY[,KEY...]: N per group */
	bool		 sample;	/* --sample: N at random */
	uint64_t	 seed;		/* --seed */
	bool		 seeded;	/* --seed given; else drawn */
	bool		 whole;		/* no -n: sort everything */
	size_t		 memory;	/* --memory: records held in memory */
	const char	*tmpdir;	/* -T DIR: where runs are spilled */
};

/* Runs ptakesort; returns the exit status. */
int pf_takesort_main(const struct pf_options *opt,
    const struct pf_takesort_args *args, char **files, int nfiles);

#endif
