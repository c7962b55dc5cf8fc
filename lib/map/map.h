/*
 * map.h - pmap's expression mode: compute output columns per record.
 */
#ifndef PF_MAP_H
#define PF_MAP_H

#include "engine/options.h"

/* Runs pmap EXPR; returns the exit status. */
int pf_map_main(const struct pf_options *opt, const char *columns,
    char **files, int nfiles);

#endif
