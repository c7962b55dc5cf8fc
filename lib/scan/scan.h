/*
 * scan.h - pscan: each record, in input order, with new columns computed
 * from the state of its key (running sums, lag and lead, fill-down,
 * moving windows, sessions): Flow's partitioned state, SQL's window
 * functions over "partition by KEY order by input".
 */
#ifndef PF_SCAN_H
#define PF_SCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/options.h"

struct pf_scan_args {
	const char	 *keys;		/* -k KEY[,KEY...], or NULL: one key */
	char		**steps;	/* the STEP operands */
	int		  nsteps;
	const char	 *time_field;	/* --time FIELD, or NULL */
	bool		  strict;	/* --strict: a non-number is an error */
	size_t		  memory;	/* --memory: records lead may hold */
};

/* The default of --memory. */
#define PF_SCAN_MEMORY_DEFAULT	((size_t)256 << 20)

/*
 * Whether an operand is a STEP rather than a FILE: a step's name alone
 * (count, rank) or a word followed by ':'. "./count" names a file.
 */
bool pf_scan_is_step(const char *arg);

/*
 * Checks the STEP operands (names, arguments, --time where a step needs
 * it) before any input is read; reports the first bad one as a usage
 * error (status 2, through pf_usage_error with usage_text).
 */
void pf_scan_check_steps(const struct pf_scan_args *args,
    const char *usage_text);

/* Runs pscan; returns the exit status. */
int pf_scan_main(const struct pf_options *opt,
    const struct pf_scan_args *args, char **files, int nfiles);

#endif
