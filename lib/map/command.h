/*
 * command.h - pmap's command mode: run a command per record, per batch of
 * records or per input chunk, at most -j at a time (Task.async_stream,
 * Broadway batching, GNU parallel).
 */
#ifndef PF_COMMAND_H
#define PF_COMMAND_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/options.h"

struct pf_command_args {
	char		**files;	/* -a FILE..., none means stdin */
	int		  nfiles;
	bool		  unordered;
	long		  timeout_ms;	/* 0: none */
	int		  retries;
	bool		  halt;
	const char	 *failed_path;
	size_t		  batch;	/* records per command; 0: one, as args */
	long		  batch_timeout_ms;
	const char	 *batch_key;	/* expression, or NULL */
	bool		  pipe;
	long		  rate_n;	/* 0: no limit */
	long		  rate_ms;
	const char	 *joblog_path;
	bool		  resume;
};

/*
 * Runs the command argv_cmd (NULL-terminated) over the input. Returns the
 * exit status: 0, 1 when a command failed or on a data or I/O error
 * (messages printed), 2 on a usage error, 130 after SIGINT.
 */
int pf_command_main(const struct pf_options *opt,
    const struct pf_command_args *args, char **argv_cmd);

#endif
