/*
 * runs.h - the whole sort's sorted runs: temporary files, writing runs to
 * them, and the k-way merge of runs (on disk or in memory) into one
 * sorted stream.
 *
 * A temporary file is made with mkstemp(3) in the -T directory and
 * unlinked at once: it has no name while it is used, so nothing is left
 * behind whatever ends the process (a signal handler covers the moment
 * between mkstemp and unlink). Several runs may be appended to one file;
 * a file is closed, and its space freed, when its last run is merged
 * and its writer is done with it.
 */
#ifndef PF_TAKESORT_RUNS_H
#define PF_TAKESORT_RUNS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "support/buf.h"
#include "takesort/takesort_int.h"

struct tmpfile {
	int		 fd;
	off_t		 size;		/* bytes written */
	int		 live;		/* its creator, and runs not merged */
};

/* A sorted run in a temporary file. */
struct run {
	struct tmpfile	*file;
	off_t		 off;		/* where it starts in file */
	off_t		 len;
	uint64_t	 count;		/* records */
	size_t		 mem;		/* bytes it took in memory */
	unsigned	 strmask;	/* the outcome it was sorted under */
};

/* Appends records to a run, through a buffer. */
struct run_writer {
	const struct takesort	*ts;
	struct tmpfile		*file;
	struct run		 run;
	struct pf_buf		 buf;
};

/*
 * Installs the SIGINT, SIGTERM and SIGHUP handlers that remove the
 * temporary files still named.
 */
void	 tmp_signals(void);
/* Whether a temporary file can be made in dir; errno says why not. */
bool	 tmp_probe(const char *dir);
/*
 * A new, unlinked temporary file in dir, or NULL with errno set. The
 * caller holds a reference to it, and each run written to it another.
 */
struct tmpfile *tmp_create(const char *dir);
/* Drops a reference to f (a run merged); closes f after the last. */
void	 tmp_release(struct tmpfile *f);

/* The bytes of blob b (as laid in memory and on disk; 8-aligned). */
size_t	 blob_bytes(const struct takesort *ts, const struct blob *b);

/* Starts a run at the end of file (which holds it until tmp_release). */
void	 run_begin(struct run_writer *rw, const struct takesort *ts,
	    struct tmpfile *file, unsigned strmask);
/* Appends an item. Returns 0, or -1 with errno set. */
int	 run_put(struct run_writer *rw, const struct sort_item *it);
/*
 * Ends the run into *run. Returns 0, or -1 with errno set (the writer
 * is then freed, as by run_abandon).
 */
int	 run_end(struct run_writer *rw, struct run *run);
/* Frees a writer after a failure. */
void	 run_abandon(struct run_writer *rw);

/*
 * A run to merge: sorted items in memory, or a run in a file. The
 * sources of a merge are read in order: each item written to put() is
 * only valid during the call.
 */
struct source {
	const struct sort_item	*items;		/* in memory, or NULL */
	size_t			 n, next;
	const struct run	*run;		/* on disk */
	char			*buf;		/* read buffer */
	size_t			 cap, start, end;
	off_t			 pos, left;	/* next byte to read, bytes */
	char			*blob;		/* the current record, rebuilt */
	size_t			 blob_cap;
	struct sort_item	 cur;
};

typedef int (*merge_put)(void *arg, const struct sort_item *it);

/*
 * Merges the sources (sorted under strmask) into put(arg, item), in
 * order. Returns 0; -1 with errno set after a failed read (*read_failed
 * set) or when put() fails (its errno).
 */
int	 merge_runs(const struct takesort *ts, unsigned strmask,
	    struct source *src, size_t nsrc, merge_put put, void *arg,
	    bool *read_failed);
/* Frees a source's buffer. */
void	 source_free(struct source *s);

/*
 * Reads run's records, one by one, into fn(arg, item); for the whole
 * sort's reloading of a run. Returns 0, or -1 with errno set.
 */
int	 run_read(const struct takesort *ts, const struct run *run,
	    int (*fn)(void *arg, const struct sort_item *it), void *arg);

#endif
