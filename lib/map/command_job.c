/*
 * command_job.c - a job's life: made in the window, started (at most -j,
 * no faster than --rate, later when out of descriptors), its stdin fed
 * (header and records, or a --pipe chunk spliced from its file), and its
 * end: retried after a backoff, or final, reported and written to
 * --joblog.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "map/command_int.h"
#include "support/timeutil.h"
#include "support/xalloc.h"

/* How many commands may run now: -j, or fewer after a start failed. */
int
cmd_start_limit(const struct cmd *c)
{
	return c->spawn_limit > 0 ? c->spawn_limit : c->opt->jobs;
}

/* Whether a new job may be made now (window room, not too far ahead). */
bool
cmd_room_for_job(const struct cmd *c)
{
	return !cmd_stopping(c) && c->next_seq - c->head_seq < c->window &&
	    c->next_seq - c->start_seq < (uint64_t)c->opt->jobs + 1;
}

struct job *
cmd_job_new(struct cmd *c)
{
	struct job *j = job_at(c, c->next_seq);

	if (j->state != J_FREE)
		errx(1, "internal error: window slot in use");
	j->seq = c->next_seq++ + 1;
	j->state = J_WAIT;
	j->input.len = j->out.len = 0;
	j->nrec = j->first_rec = 0;
	j->file_offset = -1;
	j->file_len = 0;
	j->no_splice = false;
	j->attempts = 0;
	j->failed = j->skipped = false;
	j->nul_line = 0;
	j->env[0] = NULL;
	if (c->a->resume && pf_resume_done(&c->resume, j->seq)) {
		j->skipped = true;
		j->state = J_DONE;
	}
	return j;
}

/* A batch or chunk job with the substitutions of its first record. */
void
cmd_job_prepare_stdin_job(struct cmd *c, struct job *j)
{
	struct pf_record rec;
	enum pf_split_status st;
	size_t lines;
	const struct pf_record *r = NULL;

	if (c->mode == MODE_BATCH && j->input.len > 0) {
		pf_buf_reserve(&j->input, 1);
		j->input.data[j->input.len] = '\n';
		if (pf_split_next(&c->sp, &c->opt->in, j->input.data,
		    j->input.data + j->input.len, &rec, &lines, &st) != NULL)
			r = &rec;
	}
	cmd_build_argv(c, j, r);
}

static void
rate_note(struct cmd *c, long long now)
{
	if (c->rate_ring == NULL)
		return;
	c->rate_ring[c->rate_pos] = now;
	c->rate_pos = (c->rate_pos + 1) % (size_t)c->a->rate_n;
	if (c->rate_count < (size_t)c->a->rate_n)
		c->rate_count++;
}

/* 0 when a command may start now, else the time when one may. */
long long
cmd_rate_wait(const struct cmd *c, long long now)
{
	long long oldest;

	if (c->rate_ring == NULL || c->rate_count < (size_t)c->a->rate_n)
		return 0;
	oldest = c->rate_ring[c->rate_pos];
	return now - oldest >= c->a->rate_ms ? 0 : oldest + c->a->rate_ms;
}

void
cmd_run_remove(struct cmd *c, struct job *j)
{
	int i;

	for (i = 0; i < c->nrun; i++)
		if (c->run[i] == j) {
			c->run[i] = c->run[--c->nrun];
			c->spawn_limit = 0;	/* a start may succeed now */
			return;
		}
}


/*
 * The descriptor to splice operand file from, or -1. The file is opened
 * again by name (the reader may have closed it) and used only if it is
 * still the file the reader read.
 */
static int
splice_source(struct cmd *c, int file)
{
	const struct pf_file_id *id = &c->reader->ids[file];
	const char *path = c->reader->paths[file];
	struct stat st;
	int fd;

	if (file == c->splice_file)
		return c->splice_fd;
	if (c->splice_fd > STDIN_FILENO)
		close(c->splice_fd);
	c->splice_file = file;
	c->splice_fd = -1;
	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_dev == id->dev && st.st_ino == id->ino)
		c->splice_fd = fd;
	else if (fd != STDIN_FILENO)
		close(fd);
	return c->splice_fd;
}

/* The length of a job's input: a --pipe chunk may not be read in. */
static size_t
input_len(const struct job *j)
{
	return j->file_offset >= 0 ? j->file_len : j->input.len;
}

/*
 * Reads a --pipe chunk that is only a file range into the job's buffer
 * (to write it when it cannot be spliced, or for --failed). False, with a
 * warning, when the file cannot be read.
 */
bool
cmd_load_input(struct cmd *c, struct job *j)
{
	size_t got = 0;
	ssize_t n;
	int src;

	if (j->file_offset < 0 || j->input.len == j->file_len)
		return true;
	if ((src = splice_source(c, j->file)) < 0) {
		warnx("%s: cannot open it again", pf_reader_name(c->reader,
		    j->file));
		return false;
	}
	pf_buf_reserve(&j->input, j->file_len);
	while (got < j->file_len) {
		n = pread(src, j->input.data + got, j->file_len - got,
		    j->file_offset + (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			warnx("%s: %s", pf_reader_name(c->reader, j->file),
			    n < 0 ? strerror(errno) : "file got shorter");
			return false;
		}
		got += (size_t)n;
	}
	j->input.len = got;
	return true;
}

/*
 * Feeds a job's stdin: the header, then its input. A --pipe chunk of a
 * regular file is spliced from the file (no copy through our memory);
 * anything else, or a file that cannot be spliced, is written from the
 * job's buffer.
 */
void
cmd_feed_job(struct cmd *c, struct job *j)
{
	size_t hl = c->header.len, len = input_len(j), off;
	off_t pos;
	int rc = 1, src;

	if (j->child.in_fd < 0)
		return;
	if (j->fed < hl) {
		off = j->fed;
		rc = pf_child_feed(&j->child, c->header.data, hl, &off);
		j->fed = off;
	}
	if (rc == 1 && j->file_offset >= 0 && !j->no_splice &&
	    (src = splice_source(c, j->file)) >= 0) {
		pos = j->file_offset + (off_t)(j->fed - hl);
		rc = pf_child_splice(&j->child, src, &pos,
		    j->file_offset + (off_t)len);
		j->fed = hl + (size_t)(pos - j->file_offset);
		if (rc == -2) {		/* write the rest from the buffer */
			j->no_splice = true;
			rc = 1;
		}
	}
	if (rc == 1 && j->fed < hl + len) {
		if (!cmd_load_input(c, j)) {
			c->data_error = true;
			rc = -1;
		} else {
			off = j->fed - hl;
			rc = pf_child_feed(&j->child, j->input.data,
			    j->input.len, &off);
			j->fed = hl + off;
		}
	}
	if (rc != 0)
		pf_child_close_in(&j->child);
}

/* Errors that say "not now": too many open files, or processes. */
static bool
spawn_busy(int e)
{
	return e == EMFILE || e == ENFILE || e == EAGAIN;
}

/*
 * Starts a job's command, or fails the job when it cannot be started.
 * False when it must wait instead: we are out of descriptors or processes
 * and a running command will free some when it ends.
 */
static bool
job_start(struct cmd *c, struct job *j, long long now)
{
	struct pf_spawn_opts so = {
		.in = c->mode == MODE_RECORD ? PF_STDIO_NULL : PF_STDIO_PIPE,
		.out = PF_STDIO_PIPE,
		.env_add = j->env,
		.own_group = true,
		/* Whole chunks in one write: fewer wake-ups per megabyte. */
		.pipe_size = c->mode == MODE_RECORD ? 0 : 1 << 20,
	};
	int rc = EINVAL;	/* an argument with a NUL is not run */

	if (j->nul_line != 0)
		j->child = (struct pf_child){ .in_fd = -1, .out_fd = -1 };
	else {
		rc = pf_spawn(&j->child, j->argv, &so);
		if (spawn_busy(rc) && c->nrun > 0) {
			c->spawn_limit = c->nrun;
			c->spawn_waits++;
			return false;
		}
	}
	if (j->state == J_RETRY)
		c->nretry--;
	j->attempts++;
	j->out.len = 0;
	j->received = 0;
	j->fed = 0;
	j->reaped = j->timed_out = false;
	j->kill_ms = 0;
	j->started_ms = now;
	j->started_wall = pf_wall_seconds();
	j->deadline_ms = c->a->timeout_ms > 0 ? now + c->a->timeout_ms : 0;
	rate_note(c, now);
	if ((j->spawn_err = rc) != 0) {
		j->state = J_RUN;
		cmd_job_final(c, j, now);
		return true;
	}
	j->state = J_RUN;
	c->run[c->nrun++] = j;
	cmd_feed_job(c, j);
	return true;
}

void
cmd_start_jobs(struct cmd *c, long long now)
{
	struct job *j;
	uint64_t s;

	if (cmd_stopping(c))
		return;
	/* Retries first: they hold back the output of later jobs. */
	for (s = c->head_seq; c->nretry > 0 && s < c->next_seq; s++) {
		j = job_at(c, s);
		if (c->nrun >= cmd_start_limit(c))
			return;
		if (j->state == J_RETRY && j->retry_ms <= now &&
		    cmd_rate_wait(c, now) == 0 && !job_start(c, j, now))
			return;
	}
	while (c->nrun < cmd_start_limit(c) && !cmd_stopping(c)) {
		while (c->start_seq < c->next_seq &&
		    job_at(c, c->start_seq)->state != J_WAIT)
			c->start_seq++;
		if (c->start_seq == c->next_seq || cmd_rate_wait(c, now) != 0 ||
		    !job_start(c, job_at(c, c->start_seq), now))
			break;
		c->start_seq++;
	}
}

static void
what_job(const struct cmd *c, const struct job *j, char *s, size_t n)
{
	if (c->mode == MODE_RECORD)
		snprintf(s, n, "record %llu", (unsigned long long)j->first_rec);
	else if (c->mode == MODE_BATCH)
		snprintf(s, n, "batch %llu", (unsigned long long)j->seq);
	else
		snprintf(s, n, "chunk %llu", (unsigned long long)j->seq);
}


/* After a write to o: false, and all stopped, when it failed (reported). */
bool
cmd_check_written(struct cmd *c, struct pf_outfile *o)
{
	if (pf_outfile_ok(o))
		return true;
	cmd_close_output(c, RUN_WRITE_FAILED);
	return false;
}

static void
write_joblog(struct cmd *c, struct job *j, long long now, int exitval, int sig)
{
	char **a;
	const char *p;

	if (c->joblog.f == NULL || c->joblog.failed)
		return;
	fprintf(c->joblog.f, "%llu\t:\t%.3f\t%.3f\t%zu\t%llu\t%d\t%d\t",
	    (unsigned long long)j->seq, j->started_wall,
	    (double)(now - j->started_ms) / 1000.0,
	    c->mode == MODE_RECORD ? 0 : c->header.len + input_len(j),
	    (unsigned long long)j->received, exitval, sig);
	for (a = j->argv; *a != NULL; a++) {
		if (a != j->argv)
			putc(' ', c->joblog.f);
		for (p = *a; *p != '\0'; p++)
			putc(*p == '\n' || *p == '\t' || *p == '\r' ? ' ' : *p,
			    c->joblog.f);
	}
	putc('\n', c->joblog.f);
	cmd_check_written(c, &c->joblog);
}

void
cmd_job_final(struct cmd *c, struct job *j, long long now)
{
	char what[64];
	int exitval = 0, sig = 0;
	long long backoff;
	bool ok;

	if (j->spawn_err != 0)
		exitval = 127;
	else if (WIFEXITED(j->wstatus))
		exitval = WEXITSTATUS(j->wstatus);
	else if (WIFSIGNALED(j->wstatus)) {
		exitval = -1;
		sig = WTERMSIG(j->wstatus);
	}
	ok = exitval == 0 && sig == 0 && !j->timed_out;
	if (!ok && j->spawn_err == 0 && j->attempts <= c->a->retries &&
	    !cmd_stopping(c)) {
		backoff = (long long)BACKOFF_MS << (j->attempts - 1 < 5 ?
		    j->attempts - 1 : 5);
		j->retry_ms = now + (backoff < BACKOFF_MAX_MS ? backoff :
		    BACKOFF_MAX_MS);
		j->state = J_RETRY;
		c->nretry++;
		return;
	}
	j->state = J_DONE;
	write_joblog(c, j, now, exitval, sig);
	if (ok) {
		c->nok++;
		c->tool.written += j->nrec;	/* --stats' records out */
		return;
	}
	j->failed = true;
	c->nfailed++;
	if (cmd_output_closed(c))
		return;		/* killed by us: stdout is gone */
	what_job(c, j, what, sizeof(what));
	if (j->nul_line != 0)
		pf_reader_report(c->reader, j->nul_file, j->nul_line,
		    j->first_rec, "an argument would hold a NUL byte: not run");
	else if (j->spawn_err != 0 && j->spawn_err == c->spawn_err)
		c->nspawn_same++;	/* said once, counted at the end */
	else if (j->spawn_err != 0) {
		warnx("%s: cannot run %s: %s", what, j->argv[0],
		    strerror(j->spawn_err));
		c->spawn_err = j->spawn_err;
	}
	else if (j->timed_out)
		warnx("%s: timed out after %.3gs%s", what,
		    c->a->timeout_ms / 1000.0,
		    j->attempts > 1 ? " (last of the attempts)" : "");
	else if (sig != 0)
		warnx("%s: killed by signal %d%s", what, sig,
		    j->attempts > 1 ? " (last of the attempts)" : "");
	else
		warnx("%s: exit status %d%s", what, exitval,
		    j->attempts > 1 ? " (last of the attempts)" : "");
	if (c->a->halt)
		cmd_set_state(c, RUN_HALTED);
}
