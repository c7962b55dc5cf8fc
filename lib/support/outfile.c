/*
 * outfile.c - the files a tool writes besides its output stream (see
 * outfile.h), and the check of stdout at exit.
 *
 * A write error is noted in the stream (ferror) with errno at the time:
 * pf_outfile_ok() reports it once, so callers check after every write
 * and stop, and pf_outfile_close() reports what only the last flush or
 * close(2) finds.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support/outfile.h"
#include "support/status.h"
#include "support/xalloc.h"

static void
add_id(struct pf_inputs *in, const struct stat *st, const char *name)
{
	if (!S_ISREG(st->st_mode))
		return;
	in->ids = pf_xrealloc(in->ids, (in->n + 1) * sizeof(*in->ids));
	in->ids[in->n].dev = st->st_dev;
	in->ids[in->n].ino = st->st_ino;
	in->ids[in->n].name = name;
	in->n++;
}

void
pf_inputs_add(struct pf_inputs *in, char *const *files, int nfiles)
{
	struct stat st;
	int i;

	if (nfiles == 0 && fstat(STDIN_FILENO, &st) == 0)
		add_id(in, &st, "stdin");
	for (i = 0; i < nfiles; i++) {
		if (strcmp(files[i], "-") == 0) {
			if (fstat(STDIN_FILENO, &st) == 0)
				add_id(in, &st, "stdin");
		} else if (stat(files[i], &st) == 0)
			add_id(in, &st, files[i]);
	}
}

void
pf_inputs_free(struct pf_inputs *in)
{
	free(in->ids);
	in->ids = NULL;
	in->n = 0;
}

/* 0, or 2 after naming the input that st is, as cat(1) does. */
static int
check(const struct pf_inputs *in, const struct stat *st)
{
	size_t i;

	if (!S_ISREG(st->st_mode))
		return 0;
	for (i = 0; i < in->n; i++)
		if (in->ids[i].dev == st->st_dev &&
		    in->ids[i].ino == st->st_ino) {
			warnx("%s: input file is output file", in->ids[i].name);
			return PF_USAGE;
		}
	return 0;
}

int
pf_inputs_check_fd(const struct pf_inputs *in, int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? check(in, &st) : 0;
}

int
pf_inputs_check_path(const struct pf_inputs *in, const char *path)
{
	struct stat st;

	return path != NULL && stat(path, &st) == 0 ? check(in, &st) : 0;
}

int
pf_outfile_open_fd(const char *path, int flags, const struct pf_inputs *in,
    int *status)
{
	int fd;

	fd = open(path, (flags & ~O_TRUNC) | O_WRONLY | O_CREAT | O_CLOEXEC,
	    0666);
	if (fd < 0) {
		warn("%s", path);
		*status = PF_FAILED;
		return -1;
	}
	if ((*status = pf_inputs_check_fd(in, fd)) != 0) {
		close(fd);
		return -1;
	}
	if ((flags & O_TRUNC) && ftruncate(fd, 0) < 0) {
		struct stat st;

		/* A device or a FIFO (--bad /dev/stderr) cannot be truncated. */
		if (fstat(fd, &st) < 0 || S_ISREG(st.st_mode)) {
			warn("%s", path);
			close(fd);
			*status = PF_FAILED;
			return -1;
		}
	}
	return fd;
}

int
pf_outfile_open(struct pf_outfile *o, const char *path, bool append,
    const struct pf_inputs *in)
{
	int fd, status;

	o->f = NULL;
	o->path = path;
	o->failed = false;
	fd = pf_outfile_open_fd(path, append ? O_APPEND : O_TRUNC, in, &status);
	if (fd < 0)
		return status;
	if ((o->f = fdopen(fd, append ? "a" : "w")) == NULL)
		err(1, "%s", path);
	return 0;
}

bool
pf_outfile_ok(struct pf_outfile *o)
{
	if (o->failed)
		return false;
	if (fflush(o->f) == 0 && !ferror(o->f))
		return true;
	/* errno is still the failed write's: callers check right after. */
	warn("%s", o->path);
	o->failed = true;
	return false;
}

int
pf_outfile_close(struct pf_outfile *o)
{
	bool failed;

	if (o->f == NULL)
		return 0;
	failed = !pf_outfile_ok(o);
	if (fclose(o->f) != 0 && !failed) {
		warn("%s", o->path);
		failed = true;
	}
	o->f = NULL;
	return failed ? 1 : 0;
}

void
pf_close_stdout(void)
{
	bool failed = ferror(stdout) != 0;

	if (fclose(stdout) != 0) {
		if (errno == EPIPE)
			return;
		warn("write error");
		_exit(1);
	}
	if (failed) {
		warnx("write error");
		_exit(1);
	}
}
