/*
 * join.h - pjoin: a hash join of a stream with a table held in memory
 * (Flow's bounded_join).
 */
#ifndef PF_JOIN_H
#define PF_JOIN_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/options.h"

enum pf_join_kind { PF_JOIN_INNER, PF_JOIN_LEFT, PF_JOIN_ANTI, PF_JOIN_SEMI };

struct pf_join_args {
	const char	*keys;		/* -k KEY[,KEY...] or A=B,... */
	const char	*table;		/* TABLE, the side held in memory */
	enum pf_join_kind kind;
	bool		 ignore_case;	/* keys compare with ASCII case folded */
	size_t		 memory;	/* --memory: TABLE's bytes at most */
	bool		 table_format_set;
	enum pf_format	 table_format;	/* --table-csv, --table-tsv */
};

/* Runs pjoin; returns the exit status. */
int pf_join_main(const struct pf_options *opt,
    const struct pf_join_args *args, char **files, int nfiles);

#endif
