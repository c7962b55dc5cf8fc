/*
 * reduce.h - preduce: group-by aggregation with mergeable partial state.
 */
#ifndef PF_REDUCE_H
#define PF_REDUCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/options.h"

enum pf_window_kind {
	PF_WINDOW_NONE, PF_WINDOW_COUNT, PF_WINDOW_TIME, PF_WINDOW_EVENT
};

struct pf_reduce_args {
	const char	 *keys;		/* -k KEY[,KEY...], or NULL */
	char		**aggs;		/* the AGG operands */
	int		  naggs;
	bool		  partial;	/* --partial: write mergeable state */
	bool		  merge;	/* --merge: read partial state */
	bool		  strict;	/* --strict: a non-number is an error */
	const char	 *pivot;	/* --pivot F: one column per value */

	/* Endless input (reduce_stream.c). */
	uint64_t	  every;	/* --every N: snapshot every N records */
	long		  interval_ms;	/* --interval: snapshot every so often */
	enum pf_window_kind window;	/* --window KIND:... */
	uint64_t	  window_records; /* count:N */
	long		  window_ms;	/* time:D, event:D */
	const char	 *time_field;	/* --time FIELD */
	long		  lateness_ms;	/* --lateness D */
};

/*
 * Parses --window's argument ("count:N", "time:DURATION",
 * "event:DURATION") into args; returns false with a message in err.
 */
bool pf_reduce_parse_window(const char *spec, struct pf_reduce_args *args,
    char *err, size_t errlen);

/*
 * Checks the combination of the endless-input options; returns false
 * with a message in err.
 */
bool pf_reduce_check_stream(const struct pf_reduce_args *args, char *err,
    size_t errlen);

/*
 * Checks --pivot against the other options and its one AGG; returns
 * false with a message in err.
 */
bool pf_reduce_check_pivot(const struct pf_reduce_args *args, char *err,
    size_t errlen);

/* Whether snapshots or windows are asked for. */
bool pf_reduce_streaming(const struct pf_reduce_args *args);

/*
 * Whether an operand is an AGG rather than a FILE: "count", a function
 * name alone, or a word followed by ':' (checked later). Files never
 * count: "./count" names a file.
 */
bool pf_reduce_is_agg(const char *arg);

/*
 * Checks the AGG operands; on an unknown function or a malformed one,
 * prints why with the list of functions and exits 2.
 */
void pf_reduce_check_aggs(char **aggs, int naggs);

/* --memory's default for --summary: the bytes of distinct values kept. */
#define PF_SUMMARY_MEMORY_DEFAULT	((size_t)256 << 20)

/*
 * Runs preduce --summary (summary.c): one row per input column, exact
 * while the columns' distinct values fit in memory bytes, else an error
 * naming --memory. Returns the exit status.
 */
int pf_reduce_summary_main(const struct pf_options *opt, size_t memory,
    char **files, int nfiles);

/* Runs preduce; returns the exit status. */
int pf_reduce_main(const struct pf_options *opt,
    const struct pf_reduce_args *args, char **files, int nfiles);

#endif
