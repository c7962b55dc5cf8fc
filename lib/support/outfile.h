/*
 * outfile.h - the files a tool writes besides its output stream (--bad,
 * pmap's --failed and --joblog, ppartition's -o files): opened
 * close-on-exec, refused when one is also an input (as cat(1) refuses),
 * and checked for write errors at every write and at close.
 */
#ifndef PF_OUTFILE_H
#define PF_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

/* The regular files among a tool's inputs, by (device, inode). */
struct pf_inputs {
	struct pf_input_id {
		dev_t		 dev;
		ino_t		 ino;
		const char	*name;	/* as given, or "stdin" */
	}	*ids;
	size_t	 n;
};

/*
 * Notes the inputs files[0..nfiles) ("-", or none at all, is stdin).
 * Files that cannot be opened are left for the reader to report.
 */
void pf_inputs_add(struct pf_inputs *in, char *const *files, int nfiles);
void pf_inputs_free(struct pf_inputs *in);

/*
 * 0, or 2 after "PROG: INPUT: input file is output file" when the file
 * open on fd is a regular file among the inputs (an output to refuse
 * before reading, as cat(1) refuses).
 */
int pf_inputs_check_fd(const struct pf_inputs *in, int fd);
/* The same for the file at path, if there is one (path may be NULL). */
int pf_inputs_check_path(const struct pf_inputs *in, const char *path);

/*
 * Opens path for writing, close-on-exec: flags are open(2)'s (O_WRONLY
 * and O_CREAT implied; O_TRUNC happens only once the file is known not
 * to be an input). Returns the descriptor, or -1 with *status set: 2 for
 * an input (reported), 1 when it cannot be opened (reported as
 * "PROG: path: why").
 */
int pf_outfile_open_fd(const char *path, int flags,
    const struct pf_inputs *in, int *status);
/* A stdio stream to write, and whether a write to it has failed. */
struct pf_outfile {
	FILE		*f;		/* NULL: not open */
	const char	*path;
	bool		 failed;	/* reported */
};

/*
 * pf_outfile_open_fd() as o->f, truncated or appended to. Returns 0 or
 * the status to stop with (reported).
 */
int pf_outfile_open(struct pf_outfile *o, const char *path, bool append,
    const struct pf_inputs *in);
/*
 * After writing to o->f: flushes it (so a full disk shows at once, not
 * at close), and returns false once a write has failed, reported the
 * first time as "PROG: path: why". The files written this way get a
 * write per batch or per failed command, never per record of output.
 */
bool pf_outfile_ok(struct pf_outfile *o);
/* Closes o (if open). Returns 0, or 1 after a write error (reported). */
int pf_outfile_close(struct pf_outfile *o);

/*
 * At exit (registered by pf_options_begin): flushes and closes stdout,
 * turning a write error other than a closed pipe into
 * "PROG: write error: why" and status 1 (--help > /dev/full).
 */
void pf_close_stdout(void);

#endif
