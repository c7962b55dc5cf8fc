/*
 * peek.h - a first look at a file for the front command: `pflow head`,
 * `pflow tail` and `pflow headers`, read by the engine (quotes, CRLF,
 * compressed input and every reader option as in every tool).
 */
#ifndef PF_PEEK_H
#define PF_PEEK_H

#include "engine/options.h"

enum pf_peek_mode {
	PF_PEEK_HEAD,		/* the header and the first n records */
	PF_PEEK_TAIL,		/* the header and the last n records */
	PF_PEEK_HEADERS,	/* position, name, type of each field */
};

/*
 * Runs the look over files (none: stdin) and writes it to stdout.
 * head stops reading once it has n records; tail keeps only the last n
 * in memory. headers suggests a type per field from the first n
 * records: integer, decimal, date, text (each value as pf_value_kind()
 * classifies it), or empty (no value).
 * Returns the exit status.
 */
int pf_peek_main(const struct pf_options *opt, enum pf_peek_mode mode,
    long n, char **files, int nfiles);

#endif
