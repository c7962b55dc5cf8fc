/*
 * reshape.h - pmap's reshaping modes: --explode (one record per part of
 * a field: Flow.flat_map) and --melt (wide to long: one record per
 * listed field, with its name and value).
 */
#ifndef PF_RESHAPE_H
#define PF_RESHAPE_H

#include "engine/options.h"

struct pf_reshape_args {
	const char	*explode;	/* --explode FIELD, or NULL */
	const char	*sep;		/* --sep S (default ",") */
	const char	*melt;		/* --melt FIELD[,FIELD...], or NULL */
};

/* Runs pmap --explode or --melt; returns the exit status. */
int pf_reshape_main(const struct pf_options *opt,
    const struct pf_reshape_args *args, char **files, int nfiles);

#endif
