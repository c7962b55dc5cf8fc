/*
 * command.c - pmap's command mode (see command.h): one command per
 * record, per batch or per input chunk, at most -j running at once.
 *
 * DESIGN
 *
 * One thread, the feeder, runs the reader (reader.h): it cuts the input
 * into batches at record boundaries and puts them in a bounded queue, then
 * writes a byte to a notification pipe. Everything else happens on the
 * main thread, in one poll(2) loop over: the self-pipe of spawn.h (SIGCHLD,
 * SIGINT, SIGTERM), the feeder's notification pipe, and each running
 * child's stdout (and stdin, when it is fed records). There is no thread
 * per child.
 *
 * Work is a sequence of jobs numbered 1, 2, ... in input order; a job is
 * a record (its arguments substituted), a batch of records (--batch, fed
 * on stdin after the header) or an input chunk (--pipe). Jobs live in a
 * ring, the window, from the oldest job whose output is not written yet
 * (head) to the newest. A job is WAIT (not started), RUN, RETRY (waiting
 * for its backoff) or DONE. Jobs start in order, at most -j at once and
 * no faster than --rate allows; a job is DONE when its child is reaped
 * and its stdout reached end of file.
 *
 * Output: each child's stdout is read into its job's buffer as it comes.
 * In input order (the default) the buffer of the head job is written as
 * soon as it fills (so a long-running first command streams), the others
 * are written when they become the head. A child whose output is not due
 * keeps buffering: its memory is its output's size. The window holds at
 * most WINDOW_PER_JOB x -j jobs: when the head is slow, pmap stops
 * starting commands once the window is full, so memory stays bounded by
 * the window times the output per command. With --pipe each job holds a
 * whole chunk, so the window is only 2 x -j + 2 (a chunk of a regular
 * file is only a range of it, spliced to the command: see feed_job()).
 * --unordered writes each job's output when it is DONE.
 *
 * Failures: a command fails when it exits non-zero, is killed by a
 * signal, times out (--timeout: SIGTERM to its process group, SIGKILL
 * GRACE_MS later) or cannot be started. A failed command is retried
 * --retries times after a backoff (BACKOFF_MS, doubling); the output of
 * failed attempts is dropped. A job that finally fails is reported on
 * stderr, its records go to --failed (in input order) and, with --halt,
 * no new command starts. SIGINT and SIGTERM stop starting commands, are
 * forwarded to the running ones (a second signal sends SIGKILL), and
 * pmap waits for them and writes everything they produced.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "map/command.h"
#include "engine/engine.h"
#include "expr/expr.h"
#include "support/outfile.h"
#include "csv/reader.h"
#include "csv/record.h"
#include "expr/report.h"
#include "process/resume.h"
#include "process/shell.h"
#include "process/spawn.h"
#include "support/timeutil.h"
#include "support/xalloc.h"

#define WINDOW_PER_JOB	16
#define WINDOW_MIN	64
#define GRACE_MS	500
#define BACKOFF_MS	100
#define BACKOFF_MAX_MS	2000
#define DEFAULT_BATCH_TIMEOUT_MS 1000
#define STREAM_AT	(256 * 1024)
#define STOP_WAIT_MS	200	/* for the feeder to end its read */

enum mode { MODE_RECORD, MODE_BATCH, MODE_PIPE };
enum job_state { J_FREE, J_WAIT, J_RUN, J_RETRY, J_DONE };

struct job {
	enum job_state	 state;
	uint64_t	 seq;		/* 1-based, in input order */
	uint64_t	 first_rec;	/* record number of its first record */
	uint64_t	 nrec;
	struct pf_buf	 input;		/* its records, raw, each + '\n' */
	struct pf_buf	 argbuf;	/* substituted arguments, NUL-separated */
	char		**argv;
	size_t		 argv_cap;
	struct pf_buf	 envbuf;	/* "PFLOW_BATCH_KEY=..." */
	char		*env[2];
	struct pf_buf	 out;		/* stdout not yet written */
	uint64_t	 received;	/* stdout bytes of the last attempt */
	struct pf_child	 child;
	int		 attempts;
	size_t		 fed;		/* header + input bytes written */
	int		 file;		/* --pipe: the operand input came from */
	off_t		 file_offset;	/* ... where in it; -1: unknown */
	size_t		 file_len;	/* ... and how long (input may be
					   empty until needed) */
	bool		 no_splice;	/* it could not be spliced */
	bool		 reaped;
	int		 wstatus;
	int		 spawn_err;
	bool		 timed_out;
	bool		 failed;
	bool		 skipped;	/* not run: --resume, or stopped */
	uint64_t	 nul_line;	/* an argument would hold a NUL byte:
					   the line of its record, else 0 */
	int		 nul_file;	/* ... and the operand it is in */
	long long	 started_ms, deadline_ms, kill_ms, retry_ms;
	double		 started_wall;
};

/* A batch being filled (--batch), one per key. */
struct open_batch {
	char		*key;
	size_t		 keylen;
	uint64_t	 hash;
	struct pf_buf	 input;
	uint64_t	 n, first_rec;
	uint64_t	 nul_line;	/* see struct job */
	int		 nul_file;
	long long	 first_ms;
	bool		 active;
	struct open_batch *prev, *next;	/* active ones, oldest first */
};

/* The reader thread and its bounded queue of filled buffers. */
struct feeder {
	pthread_t	 thread;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	struct pf_reader *reader;
	struct pf_buf	*bufs;
	int		*files;		/* the operand each buffer came from */
	off_t		*offsets;	/* where in it (reader.h batch_offset) */
	off_t		*lengths;	/* and how long (batch_len) */
	int		 nbufs;
	int		*free_stack, nfree;
	int		*fifo, fifo_head, fifo_count;
	bool		 eof, error, stop, running;
	int		 notify[2];
};

enum part_kind { P_TEXT, P_RAW, P_FIELD, P_SEQ };

struct part {
	enum part_kind	 kind;
	const char	*s;
	size_t		 len;
	long		 field;
};

struct targ {
	struct part	*parts;
	size_t		 nparts;
	bool		 shell;		/* the script of sh -c: values quoted */
};

struct cmd {
	const struct pf_options		*opt;
	const struct pf_command_args	*a;
	enum mode	 mode;
	char		**argv_cmd;
	size_t		 nargs;
	struct targ	*targs;
	bool		 append_raw;
	size_t		*argoff;

	struct pf_reader reader;
	struct pf_schema schema;
	struct pf_buf	 header;	/* raw header + '\n', or empty */
	struct feeder	 feed;
	struct pf_splitter sp;
	int		 cur;		/* feeder buffer being split, or -1 */
	int		 splice_file;	/* operand splice_fd reads, or -1 */
	int		 splice_fd;	/* -1: that operand cannot be spliced */
	int		 cur_file;
	const char	*cur_p, *cur_end;
	uint64_t	 base_line;	/* lines before the current buffer */
	uint64_t	 recno;
	bool		 input_done;

	struct pf_expr	*key_expr;
	struct pf_eval	*eval;
	struct open_batch **table;
	size_t		 table_cap, table_used;
	struct open_batch *oldest, *newest;

	struct job	*jobs;
	uint64_t	 window;
	uint64_t	 next_seq, head_seq, start_seq;
	struct job	**run;
	int		 nrun;
	int		 nretry;
	int		 spawn_limit;	/* out of descriptors or processes with
					   this many running: start no more
					   until one ends; 0: -j */
	uint64_t	 spawn_waits;	/* starts put off for that */

	long long	*rate_ring;
	size_t		 rate_pos, rate_count;

	bool		 stopping, halted, epipe, data_error;
	bool		 write_error;	/* stdout or a file failed (not EPIPE) */
	int		 signal;
	uint64_t	 nok, nfailed;
	int		 spawn_err;	/* the "cannot run" said once */
	uint64_t	 nspawn_same;	/* failures like it, not repeated */
	struct pf_outfile failed, joblog, bad;	/* f NULL: not asked for */
	struct pf_inputs inputs;	/* -a files, for "input is output" */
	uint64_t	 nbad;
	struct pf_resume resume;	/* --resume: jobs that succeeded */
};

static void feeder_free(struct feeder *f);

/* Frees everything a run allocated (the feeder thread is joined). */
static void
cmd_free(struct cmd *c)
{
	size_t i;

	feeder_free(&c->feed);
	if (c->splice_fd > STDIN_FILENO)
		close(c->splice_fd);
	for (i = 0; c->jobs != NULL && i < c->window; i++) {
		pf_buf_free(&c->jobs[i].input);
		pf_buf_free(&c->jobs[i].out);
		pf_buf_free(&c->jobs[i].argbuf);
		pf_buf_free(&c->jobs[i].envbuf);
		free(c->jobs[i].argv);
	}
	for (i = 0; c->targs != NULL && i < c->nargs; i++)
		free(c->targs[i].parts);
	for (i = 0; i < c->table_cap; i++)
		if (c->table[i] != NULL) {
			pf_buf_free(&c->table[i]->input);
			free(c->table[i]->key);
			free(c->table[i]);
		}
	free(c->table);
	pf_inputs_free(&c->inputs);
	if (c->key_expr != NULL)
		pf_expr_free(c->key_expr);
	if (c->eval != NULL)
		pf_eval_free(c->eval);
	free(c->targs);
	free(c->argoff);
	free(c->jobs);
	free(c->run);
	free(c->rate_ring);
	pf_resume_free(&c->resume);
	pf_splitter_free(&c->sp);
	pf_schema_free(&c->schema);
	pf_buf_free(&c->header);
	pf_reader_free(&c->reader);
}

static struct job *
job_at(struct cmd *c, uint64_t seq)
{
	return &c->jobs[seq % c->window];
}

/* ---- the feeder thread ------------------------------------------------ */

/* Frees the feeder's buffers, once its thread has been joined. */
static void
feeder_free(struct feeder *f)
{
	int i;

	if (f->bufs == NULL)
		return;
	for (i = 0; i < f->nbufs; i++)
		pf_buf_free(&f->bufs[i]);
	free(f->bufs);
	free(f->files);
	free(f->offsets);
	free(f->lengths);
	free(f->free_stack);
	free(f->fifo);
	close(f->notify[0]);
	close(f->notify[1]);
	pthread_mutex_destroy(&f->mu);
	pthread_cond_destroy(&f->cv);
}

static void *
feeder_main(void *arg)
{
	struct feeder *f = arg;
	int idx, rc, file = 0;
	char b = 'x';

	for (;;) {
		pthread_mutex_lock(&f->mu);
		while (f->nfree == 0 && !f->stop)
			pthread_cond_wait(&f->cv, &f->mu);
		if (f->stop) {
			pthread_mutex_unlock(&f->mu);
			break;
		}
		idx = f->free_stack[--f->nfree];
		pthread_mutex_unlock(&f->mu);

		rc = pf_reader_fill(f->reader, &f->bufs[idx], &file);

		pthread_mutex_lock(&f->mu);
		if (rc <= 0) {
			f->eof = true;
			f->error = rc < 0;
			f->free_stack[f->nfree++] = idx;
		} else {
			f->files[idx] = file;
			f->offsets[idx] = f->reader->batch_offset;
			f->lengths[idx] = f->reader->batch_len;
			f->fifo[(f->fifo_head + f->fifo_count++) % f->nbufs] = idx;
		}
		pthread_mutex_unlock(&f->mu);
		(void)!write(f->notify[1], &b, 1);
		if (rc <= 0)
			break;
	}
	return NULL;
}

static void
feeder_start(struct feeder *f, struct pf_reader *r, int nbufs)
{
	int i;

	f->reader = r;
	f->nbufs = nbufs;
	f->bufs = pf_xcalloc((size_t)nbufs, sizeof(*f->bufs));
	f->files = pf_xcalloc((size_t)nbufs, sizeof(int));
	f->offsets = pf_xcalloc((size_t)nbufs, sizeof(off_t));
	f->lengths = pf_xcalloc((size_t)nbufs, sizeof(off_t));
	f->free_stack = pf_xcalloc((size_t)nbufs, sizeof(int));
	f->fifo = pf_xcalloc((size_t)nbufs, sizeof(int));
	for (i = 0; i < nbufs; i++)
		f->free_stack[f->nfree++] = i;
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	if (pipe2(f->notify, O_CLOEXEC | O_NONBLOCK) != 0)
		err(1, "pipe");
	if ((errno = pthread_create(&f->thread, NULL, feeder_main, f)) != 0)
		err(1, "pthread_create");
	f->running = true;
}

/* Takes the oldest filled buffer: its index, or -1 (then *eof says why). */
static int
feeder_take(struct feeder *f, bool *eof)
{
	int idx = -1;

	pthread_mutex_lock(&f->mu);
	if (f->fifo_count > 0) {
		idx = f->fifo[f->fifo_head];
		f->fifo_head = (f->fifo_head + 1) % f->nbufs;
		f->fifo_count--;
	}
	*eof = idx < 0 && f->eof;
	pthread_mutex_unlock(&f->mu);
	return idx;
}

static bool
feeder_has_data(struct feeder *f)
{
	bool has;

	pthread_mutex_lock(&f->mu);
	has = f->fifo_count > 0;
	pthread_mutex_unlock(&f->mu);
	return has;
}

static void
feeder_give_back(struct feeder *f, int idx)
{
	pthread_mutex_lock(&f->mu);
	f->free_stack[f->nfree++] = idx;
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

/*
 * Stops the thread and joins it. A thread blocked reading a pipe or a
 * terminal may not come back: after STOP_WAIT_MS it is left to end with
 * the process (then false).
 */
static bool
feeder_stop(struct feeder *f)
{
	struct timespec until;

	if (!f->running)
		return true;
	pthread_mutex_lock(&f->mu);
	f->stop = true;
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mu);
	f->running = false;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += STOP_WAIT_MS * 1000000L;
	until.tv_sec += until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	return pthread_timedjoin_np(f->thread, NULL, &until) == 0;
}

/* ---- argument templates ------------------------------------------------ */

/*
 * Cuts each argument into text and {} placeholders: {} is the raw record,
 * {#} the job number, {name} or {3} a field. Braces around anything else
 * (awk '{print $1}') are text.
 */
static void
compile_templates(struct cmd *c)
{
	const char *s, *open, *close;
	struct targ *t;
	struct part *p;
	size_t i;
	long field;
	int script;
	bool any = false;

	c->targs = pf_xcalloc(c->nargs, sizeof(*c->targs));
	for (i = 0; i < c->nargs; i++) {
		t = &c->targs[i];
		s = c->argv_cmd[i];
		t->parts = pf_xcalloc(strlen(s) + 1, sizeof(*t->parts));
		while (*s != '\0') {
			p = &t->parts[t->nparts];
			open = strchr(s, '{');
			close = open != NULL ? strchr(open + 1, '}') : NULL;
			if (open == NULL || close == NULL) {
				*p = (struct part){ P_TEXT, s, strlen(s), -1 };
				t->nparts++;
				break;
			}
			field = -1;
			if (c->mode == MODE_PIPE &&
			    !(close == open + 2 && open[1] == '#')) {
				/* No record: only {#} is a placeholder. */
				*p = (struct part){ P_TEXT, s,
				    (size_t)(open + 1 - s), -1 };
				t->nparts++;
				s = open + 1;
				continue;
			}
			if (close == open + 1)
				p->kind = P_RAW;
			else if (close == open + 2 && open[1] == '#')
				p->kind = P_SEQ;
			else if ((field = pf_schema_find(&c->schema, open + 1,
			    (size_t)(close - open - 1))) >= 0)
				p->kind = P_FIELD;
			else {
				/* Not a placeholder: text up to the brace. */
				*p = (struct part){ P_TEXT, s,
				    (size_t)(open + 1 - s), -1 };
				t->nparts++;
				s = open + 1;
				continue;
			}
			if (open > s) {
				*p = (struct part){ P_TEXT, s,
				    (size_t)(open - s), -1 };
				p = &t->parts[++t->nparts];
				p->kind = close == open + 1 ? P_RAW :
				    close == open + 2 && open[1] == '#' ? P_SEQ :
				    P_FIELD;
			}
			p->field = field;
			t->nparts++;
			any = true;
			s = close + 1;
		}
	}
	c->append_raw = c->mode == MODE_RECORD && !any;
	c->argoff = pf_xcalloc(c->nargs + 2, sizeof(size_t));
	/* sh -c SCRIPT parses SCRIPT: values go into it quoted. */
	if ((script = pf_shell_script_arg(c->argv_cmd, c->nargs)) >= 0)
		c->targs[script].shell = true;
}

/* Appends a value to an argument: quoted when the argument is a script. */
static void
add_value(struct pf_buf *b, const struct targ *t, const char *s, size_t len)
{
	if (t->shell)
		pf_shell_quote(b, s, len);
	else
		pf_buf_add(b, s, len);
}

/* Fills j->argv from the templates, with rec's fields (rec may be NULL). */
static void
build_argv(struct cmd *c, struct job *j, const struct pf_record *rec)
{
	struct pf_buf *b = &j->argbuf;
	const struct part *p;
	size_t i, k, n;
	char num[24];

	b->len = 0;
	for (i = 0; i < c->nargs; i++) {
		c->argoff[i] = b->len;
		for (k = 0; k < c->targs[i].nparts; k++) {
			p = &c->targs[i].parts[k];
			switch (p->kind) {
			case P_TEXT:
				pf_buf_add(b, p->s, p->len);
				break;
			case P_RAW:
				if (rec != NULL)
					add_value(b, &c->targs[i], rec->raw,
					    rec->raw_len);
				break;
			case P_SEQ:
				n = (size_t)snprintf(num, sizeof(num), "%llu",
				    (unsigned long long)j->seq);
				pf_buf_add(b, num, n);
				break;
			case P_FIELD:
				if (rec != NULL && (size_t)p->field < rec->nfields)
					add_value(b, &c->targs[i],
					    rec->fields[p->field].ptr,
					    rec->fields[p->field].len);
				else if (c->targs[i].shell)
					pf_buf_add(b, "''", 2);
				break;
			}
		}
		pf_buf_addc(b, '\0');
	}
	n = c->nargs;
	if (c->append_raw && rec != NULL) {
		c->argoff[n++] = b->len;
		pf_buf_add(b, rec->raw, rec->raw_len);
		pf_buf_addc(b, '\0');
	}
	if (j->argv_cap < n + 1) {
		j->argv_cap = n + 1;
		j->argv = pf_xrealloc(j->argv, j->argv_cap * sizeof(char *));
	}
	for (i = 0; i < n; i++)
		j->argv[i] = b->data + c->argoff[i];
	j->argv[n] = NULL;
}

/*
 * Whether a value that goes into an argument holds a NUL byte: the
 * argument would end there, so the command is not run (xargs warns).
 * Fields are cut from the raw record, so a record without a NUL (nearly
 * all) costs one memchr().
 */
static bool
args_hold_nul(const struct cmd *c, const struct pf_record *rec)
{
	const struct part *p;
	const struct pf_field *f;
	size_t i, k;

	if (rec->raw_len == 0 || memchr(rec->raw, '\0', rec->raw_len) == NULL)
		return false;
	if (c->append_raw)
		return true;
	for (i = 0; i < c->nargs; i++)
		for (k = 0; k < c->targs[i].nparts; k++) {
			p = &c->targs[i].parts[k];
			if (p->kind == P_RAW)
				return true;
			if (p->kind != P_FIELD || (size_t)p->field >=
			    rec->nfields)
				continue;
			f = &rec->fields[p->field];
			if (f->len > 0 && memchr(f->ptr, '\0', f->len) != NULL)
				return true;
		}
	return false;
}

/* ---- jobs ---------------------------------------------------------------- */

/* How many commands may run now: -j, or fewer after a start failed. */
static int
start_limit(const struct cmd *c)
{
	return c->spawn_limit > 0 ? c->spawn_limit : c->opt->jobs;
}

/* Whether a new job may be made now (window room, not too far ahead). */
static bool
room_for_job(const struct cmd *c)
{
	return !c->stopping && c->next_seq - c->head_seq < c->window &&
	    c->next_seq - c->start_seq < (uint64_t)c->opt->jobs + 1;
}

static struct job *
job_new(struct cmd *c)
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
static void
job_prepare_stdin_job(struct cmd *c, struct job *j)
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
	build_argv(c, j, r);
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
static long long
rate_wait(const struct cmd *c, long long now)
{
	long long oldest;

	if (c->rate_ring == NULL || c->rate_count < (size_t)c->a->rate_n)
		return 0;
	oldest = c->rate_ring[c->rate_pos];
	return now - oldest >= c->a->rate_ms ? 0 : oldest + c->a->rate_ms;
}

static void
run_remove(struct cmd *c, struct job *j)
{
	int i;

	for (i = 0; i < c->nrun; i++)
		if (c->run[i] == j) {
			c->run[i] = c->run[--c->nrun];
			c->spawn_limit = 0;	/* a start may succeed now */
			return;
		}
}

static void job_final(struct cmd *c, struct job *j, long long now);

/*
 * The descriptor to splice operand file from, or -1. The file is opened
 * again by name (the reader may have closed it) and used only if it is
 * still the file the reader read.
 */
static int
splice_source(struct cmd *c, int file)
{
	const struct pf_file_id *id = &c->reader.ids[file];
	const char *path = c->reader.paths[file];
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
static bool
load_input(struct cmd *c, struct job *j)
{
	size_t got = 0;
	ssize_t n;
	int src;

	if (j->file_offset < 0 || j->input.len == j->file_len)
		return true;
	if ((src = splice_source(c, j->file)) < 0) {
		warnx("%s: cannot open it again", pf_reader_name(&c->reader,
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
			warnx("%s: %s", pf_reader_name(&c->reader, j->file),
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
static void
feed_job(struct cmd *c, struct job *j)
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
		if (!load_input(c, j)) {
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
		job_final(c, j, now);
		return true;
	}
	j->state = J_RUN;
	c->run[c->nrun++] = j;
	feed_job(c, j);
	return true;
}

static void
start_jobs(struct cmd *c, long long now)
{
	struct job *j;
	uint64_t s;

	if (c->stopping)
		return;
	/* Retries first: they hold back the output of later jobs. */
	for (s = c->head_seq; c->nretry > 0 && s < c->next_seq; s++) {
		j = job_at(c, s);
		if (c->nrun >= start_limit(c))
			return;
		if (j->state == J_RETRY && j->retry_ms <= now &&
		    rate_wait(c, now) == 0 && !job_start(c, j, now))
			return;
	}
	while (c->nrun < start_limit(c) && !c->stopping) {
		while (c->start_seq < c->next_seq &&
		    job_at(c, c->start_seq)->state != J_WAIT)
			c->start_seq++;
		if (c->start_seq == c->next_seq || rate_wait(c, now) != 0 ||
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

static void stop_quietly(struct cmd *);

/* After a write to o: false, and all stopped, when it failed (reported). */
static bool
check_written(struct cmd *c, struct pf_outfile *o)
{
	if (pf_outfile_ok(o))
		return true;
	c->write_error = true;
	stop_quietly(c);
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
	check_written(c, &c->joblog);
}

static void
job_final(struct cmd *c, struct job *j, long long now)
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
	    !c->stopping) {
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
		return;
	}
	j->failed = true;
	c->nfailed++;
	if (c->epipe)
		return;		/* killed by us: stdout is gone */
	what_job(c, j, what, sizeof(what));
	if (j->nul_line != 0)
		warnx("%s:%llu (record %llu): an argument would hold a NUL "
		    "byte: not run", pf_reader_name(&c->reader, j->nul_file),
		    (unsigned long long)j->nul_line,
		    (unsigned long long)j->first_rec);
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
	if (c->a->halt && !c->stopping) {
		c->halted = true;
		c->stopping = true;
	}
}

/* ---- output ---------------------------------------------------------------- */

static void
stop_quietly(struct cmd *c)
{
	int i;

	c->epipe = true;
	c->stopping = true;
	for (i = 0; i < c->nrun; i++)
		pf_child_kill(&c->run[i]->child, SIGTERM);
}

static void
put_out(struct cmd *c, struct pf_buf *b)
{
	if (b->len == 0)
		return;
	if (!c->epipe && pf_write_all(STDOUT_FILENO, b->data, b->len) != 0) {
		if (errno != EPIPE) {
			warn("write error");
			c->write_error = true;
		}
		stop_quietly(c);
	}
	b->len = 0;
}

/* Writes a DONE job's output and --failed records, frees its slot. */
static void
emit_job(struct cmd *c, struct job *j)
{
	put_out(c, &j->out);
	if (j->failed && c->failed.f != NULL) {
		if (load_input(c, j)) {
			fwrite(j->input.data, 1, j->input.len, c->failed.f);
			check_written(c, &c->failed);
		} else
			c->data_error = true;
	}
	j->state = J_FREE;
	if (j->out.cap > 4 * STREAM_AT)
		pf_buf_free(&j->out);
	if (j->input.cap > 4 * c->opt->chunk)
		pf_buf_free(&j->input);
}

static void
write_output(struct cmd *c)
{
	struct job *j;
	uint64_t s;

	if (c->a->unordered) {
		for (s = c->head_seq; s < c->next_seq; s++) {
			j = job_at(c, s);
			if (j->state == J_DONE)
				emit_job(c, j);
		}
		while (c->head_seq < c->next_seq &&
		    job_at(c, c->head_seq)->state == J_FREE)
			c->head_seq++;
		return;
	}
	while (c->head_seq < c->next_seq &&
	    (j = job_at(c, c->head_seq))->state == J_DONE) {
		emit_job(c, j);
		c->head_seq++;
	}
	/* The head streams, unless a retry may still drop its output. */
	if (c->head_seq < c->next_seq && c->a->retries == 0 &&
	    (j = job_at(c, c->head_seq))->state == J_RUN)
		put_out(c, &j->out);
}

/* ---- input ------------------------------------------------------------------ */

/* Moves to the next feeder buffer; false when none is there yet. */
static bool
next_buffer(struct cmd *c)
{
	struct feeder *f = &c->feed;
	bool eof;
	int idx;

	if (c->cur >= 0) {
		feeder_give_back(f, c->cur);
		c->cur = -1;
	}
	if ((idx = feeder_take(f, &eof)) < 0) {
		if (eof) {
			if (f->error) {
				warnx("%s", c->reader.error);
				c->data_error = true;
			}
			c->input_done = true;
		}
		return false;
	}
	if (f->files[idx] != c->cur_file) {
		c->cur_file = f->files[idx];
		c->base_line = c->reader.header_lines;
	}
	c->cur = idx;
	c->cur_p = f->bufs[idx].data;
	c->cur_end = f->bufs[idx].data + f->bufs[idx].len;
	return true;
}

static uint64_t
count_lines(const char *p, const char *end)
{
	uint64_t n = 0;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

/* The line where rec, just split from the current buffer, starts. */
static uint64_t
record_line(const struct cmd *c, const struct pf_record *rec)
{
	return c->base_line + count_lines(c->feed.bufs[c->cur].data,
	    rec->raw) + 1;
}

/* Notes where rec is when its values cannot be arguments, else 0. */
static void
check_args(const struct cmd *c, const struct pf_record *rec, uint64_t *line,
    int *file)
{
	*line = args_hold_nul(c, rec) ? record_line(c, rec) : 0;
	*file = c->cur_file;
}

/* A data error at rec, the record just read: reported, and reading stops. */
static void
record_failed(struct cmd *c, const struct pf_record *rec, const char *why)
{
	warnx("%s:%llu (record %llu): %s",
	    pf_reader_name(&c->reader, c->cur_file),
	    (unsigned long long)record_line(c, rec),
	    (unsigned long long)c->recno, why);
	/* Records before it still run; no more input is read. */
	c->data_error = true;
	c->input_done = true;
}

/*
 * The next well-formed record, or false when none is ready. A malformed
 * record goes to --bad, or stops pmap with status 1.
 */
static bool
next_record(struct cmd *c, struct pf_record *rec)
{
	const struct pf_dialect *d = &c->opt->in;
	enum pf_split_status st;
	const char *why, *next;
	size_t lines;

	for (;;) {
		if (c->cur < 0 && !next_buffer(c))
			return false;
		st = PF_SPLIT_OK;
		next = pf_split_next(&c->sp, d, c->cur_p, c->cur_end, rec,
		    &lines, &st);
		if (next == NULL) {
			c->base_line += count_lines(c->feed.bufs[c->cur].data,
			    c->cur_end);
			if (!next_buffer(c))
				return false;
			continue;
		}
		c->cur_p = next;
		c->recno++;
		why = st == PF_SPLIT_BAD_QUOTE ? "malformed quoting" :
		    st == PF_SPLIT_UNTERMINATED ? "unterminated quoted field" :
		    d->header && rec->nfields != c->schema.nfields ?
		    (rec->nfields < c->schema.nfields ? "too few fields" :
		    "too many fields") : NULL;
		if (why == NULL)
			return true;
		if (c->bad.f != NULL) {
			fwrite(rec->raw, 1, rec->raw_len, c->bad.f);
			putc('\n', c->bad.f);
			c->nbad++;
			if (!check_written(c, &c->bad))
				return false;
			continue;
		}
		record_failed(c, rec, why);
		return false;
	}
}

static void
take_record_job(struct cmd *c, const struct pf_record *rec)
{
	struct job *j = job_new(c);

	j->first_rec = c->recno;
	j->nrec = 1;
	pf_buf_add(&j->input, rec->raw, rec->raw_len);
	pf_buf_addc(&j->input, '\n');
	if (j->state == J_WAIT) {
		build_argv(c, j, rec);
		check_args(c, rec, &j->nul_line, &j->nul_file);
	}
}

/* Turns an open batch into a job (the caller checked room_for_job). */
static void
flush_batch(struct cmd *c, struct open_batch *b)
{
	struct job *j = job_new(c);
	struct pf_buf tmp;

	tmp = j->input;
	j->input = b->input;
	b->input = tmp;
	b->input.len = 0;
	j->first_rec = b->first_rec;
	j->nrec = b->n;
	j->nul_line = b->nul_line;	/* its first record is the arguments' */
	j->nul_file = b->nul_file;
	if (c->key_expr != NULL) {
		j->envbuf.len = 0;
		pf_buf_adds(&j->envbuf, "PFLOW_BATCH_KEY=");
		pf_buf_add(&j->envbuf, b->key, b->keylen);
		pf_buf_addc(&j->envbuf, '\0');
		j->env[0] = j->envbuf.data;
		j->env[1] = NULL;
	}
	if (j->state == J_WAIT)
		job_prepare_stdin_job(c, j);
	b->active = false;
	b->n = 0;
	if (b->prev != NULL)
		b->prev->next = b->next;
	else
		c->oldest = b->next;
	if (b->next != NULL)
		b->next->prev = b->prev;
	else
		c->newest = b->prev;
	b->prev = b->next = NULL;
}

static struct open_batch *
find_batch(struct cmd *c, const char *key, size_t len)
{
	uint64_t h = XXH3_64bits(key, len);
	struct open_batch **t, *b;
	size_t i, mask, cap;

	if (c->table_used * 2 >= c->table_cap) {
		cap = c->table_cap ? c->table_cap * 2 : 64;
		t = pf_xcalloc(cap, sizeof(*t));
		for (i = 0; i < c->table_cap; i++) {
			if ((b = c->table[i]) == NULL)
				continue;
			mask = cap - 1;
			size_t k = b->hash & mask;
			while (t[k] != NULL)
				k = (k + 1) & mask;
			t[k] = b;
		}
		free(c->table);
		c->table = t;
		c->table_cap = cap;
	}
	mask = c->table_cap - 1;
	for (i = h & mask; (b = c->table[i]) != NULL; i = (i + 1) & mask)
		if (b->hash == h && b->keylen == len &&
		    memcmp(b->key, key, len) == 0)
			return b;
	b = pf_xcalloc(1, sizeof(*b));
	b->key = pf_xstrndup(key, len);
	b->keylen = len;
	b->hash = h;
	c->table[i] = b;
	c->table_used++;
	return b;
}

static void
take_batch_record(struct cmd *c, const struct pf_record *rec, long long now)
{
	struct open_batch *b;
	struct pf_value v;
	const char *key = "";
	size_t keylen = 0;

	if (c->key_expr != NULL) {
		pf_eval_reset(c->eval);
		pf_eval(c->eval, c->key_expr, rec, &v);
		if (pf_eval_error(c->eval) != NULL) {	/* a regex */
			record_failed(c, rec, pf_eval_error(c->eval));
			return;
		}
		pf_value_text(c->eval, &v, &key, &keylen);
	}
	b = find_batch(c, key, keylen);
	if (!b->active) {
		b->active = true;
		b->first_rec = c->recno;
		check_args(c, rec, &b->nul_line, &b->nul_file);
		b->first_ms = now;
		b->prev = c->newest;
		b->next = NULL;
		if (c->newest != NULL)
			c->newest->next = b;
		else
			c->oldest = b;
		c->newest = b;
	}
	pf_buf_add(&b->input, rec->raw, rec->raw_len);
	pf_buf_addc(&b->input, '\n');
	if (++b->n >= c->a->batch)
		flush_batch(c, b);
}

static bool
take_chunk(struct cmd *c)
{
	struct job *j;
	struct pf_buf tmp;

	if (c->cur < 0 && !next_buffer(c))
		return false;
	j = job_new(c);
	j->file = c->feed.files[c->cur];
	j->file_offset = c->feed.offsets[c->cur];
	j->file_len = (size_t)c->feed.lengths[c->cur];
	tmp = j->input;
	j->input = c->feed.bufs[c->cur];
	c->feed.bufs[c->cur] = tmp;
	c->feed.bufs[c->cur].len = 0;
	feeder_give_back(&c->feed, c->cur);
	c->cur = -1;
	if (j->state == J_WAIT)
		build_argv(c, j, NULL);
	return true;
}

static void
take_input(struct cmd *c, long long now)
{
	struct pf_record rec;

	while (!c->input_done && room_for_job(c)) {
		if (c->mode == MODE_PIPE) {
			if (!take_chunk(c))
				break;
			continue;
		}
		if (!next_record(c, &rec))
			break;
		if (c->mode == MODE_RECORD)
			take_record_job(c, &rec);
		else
			take_batch_record(c, &rec, now);
	}
	if (c->mode != MODE_BATCH)
		return;
	if (c->stopping) {
		/* Records in open batches are not run. */
		while (c->oldest != NULL) {
			c->oldest->active = false;
			c->oldest->n = 0;
			c->oldest->input.len = 0;
			c->oldest = c->oldest->next;
		}
		c->newest = NULL;
		return;
	}
	/* At the end, the partial batches go in order of their first record. */
	if (c->input_done) {
		while (c->oldest != NULL && room_for_job(c))
			flush_batch(c, c->oldest);
		return;
	}
	/* Slow input: flush a partial batch that waited long enough. */
	while (c->oldest != NULL && room_for_job(c) && c->cur < 0 &&
	    !feeder_has_data(&c->feed) &&
	    now - c->oldest->first_ms >= c->a->batch_timeout_ms)
		flush_batch(c, c->oldest);
}

/* ---- events ------------------------------------------------------------- */

static void
forward_signal(struct cmd *c, int sig)
{
	int i;

	if (c->signal != 0)
		sig = SIGKILL;	/* a second signal: no more waiting */
	else
		c->signal = sig;
	c->stopping = true;
	for (i = 0; i < c->nrun; i++)
		pf_child_kill(&c->run[i]->child, sig);
}

/* After --halt, a signal or an error: drop what has not started. */
static void
drop_unstarted(struct cmd *c, long long now)
{
	struct job *j;
	uint64_t s;

	for (s = c->head_seq; s < c->next_seq; s++) {
		j = job_at(c, s);
		if (j->state == J_WAIT) {
			j->state = J_DONE;
			j->skipped = true;
		} else if (j->state == J_RETRY) {
			c->nretry--;
			j->attempts = c->a->retries + 1;
			job_final(c, j, now);
		}
	}
	c->start_seq = c->next_seq;
}

static void
reap_children(struct cmd *c)
{
	pid_t pid;
	int ws, i;

	while ((pid = pf_reap(&ws)) > 0) {
		for (i = 0; i < c->nrun; i++)
			if (c->run[i]->child.pid == pid) {
				c->run[i]->reaped = true;
				c->run[i]->wstatus = ws;
				break;
			}
	}
}

static void
collect(struct cmd *c, struct job *j)
{
	size_t before;
	int rc, rounds = 0;

	while (j->child.out_fd >= 0 && rounds++ < 16) {
		before = j->out.len;
		rc = pf_child_collect(&j->child, &j->out);
		if (rc < 0) {
			if (errno != EAGAIN)
				pf_child_close(&j->child);
			break;
		}
		j->received += j->out.len - before;
		if (rc == 0)
			break;
		if (j->out.len >= STREAM_AT && !c->a->unordered &&
		    c->a->retries == 0 && c->head_seq + 1 == j->seq)
			put_out(c, &j->out);
	}
}

static void
check_timers(struct cmd *c, long long now)
{
	struct job *j;
	int i;

	for (i = 0; i < c->nrun; i++) {
		j = c->run[i];
		if (j->deadline_ms != 0 && now >= j->deadline_ms &&
		    !j->timed_out) {
			j->timed_out = true;
			pf_child_kill(&j->child, SIGTERM);
			j->kill_ms = now + GRACE_MS;
		} else if (j->kill_ms != 0 && now >= j->kill_ms) {
			pf_child_kill(&j->child, SIGKILL);
			j->kill_ms = 0;
		}
	}
}

static void
finish_children(struct cmd *c, long long now)
{
	struct job *j;
	int i;

	for (i = 0; i < c->nrun; ) {
		j = c->run[i];
		if (!j->reaped || j->child.out_fd >= 0) {
			i++;
			continue;
		}
		pf_child_close(&j->child);
		j->child.pid = 0;
		run_remove(c, j);
		job_final(c, j, now);
	}
}

static long long
next_deadline(struct cmd *c, long long now)
{
	long long t = -1, w;
	struct job *j;
	uint64_t s;
	int i;

#define EARLIER(x) do { if ((x) > 0 && (t < 0 || (x) < t)) t = (x); } while (0)
	for (i = 0; i < c->nrun; i++) {
		j = c->run[i];
		if (!j->timed_out)
			EARLIER(j->deadline_ms);
		EARLIER(j->kill_ms);
	}
	if (c->stopping || c->nrun >= start_limit(c))
		return t;	/* nothing can start: wait for children */
	if (c->nretry > 0)
		for (s = c->head_seq; s < c->next_seq; s++)
			if ((j = job_at(c, s))->state == J_RETRY)
				EARLIER(j->retry_ms < now ? now : j->retry_ms);
	if ((c->start_seq < c->next_seq || c->nretry > 0) &&
	    (w = rate_wait(c, now)) > 0)
		EARLIER(w);
	if (c->oldest != NULL && room_for_job(c))
		EARLIER(c->oldest->first_ms + c->a->batch_timeout_ms);
	/* Input already read, and room for it: no waiting. */
	if (room_for_job(c) && !c->input_done &&
	    (c->cur >= 0 || feeder_has_data(&c->feed)))
		EARLIER(now);
#undef EARLIER
	return t;
}

static bool
all_done(const struct cmd *c)
{
	return (c->input_done || c->stopping) && c->oldest == NULL &&
	    c->nrun == 0 && c->head_seq == c->next_seq;
}

static void
event_loop(struct cmd *c, int events_fd)
{
	struct pollfd *pfd;
	struct job **pjob;
	long long now, t;
	int i, n, nfd, sig, timeout, notify_idx;
	char drain[256];

	pfd = pf_xcalloc((size_t)c->opt->jobs * 2 + 2, sizeof(*pfd));
	pjob = pf_xcalloc((size_t)c->opt->jobs * 2 + 2, sizeof(*pjob));
	for (;;) {
		now = (long long)pf_monotonic_ms();
		take_input(c, now);
		if (c->stopping)
			drop_unstarted(c, now);
		start_jobs(c, now);
		write_output(c);
		if (c->stopping) {
			/* Writing may have found stdout closed. */
			drop_unstarted(c, now);
			write_output(c);
		}
		if (all_done(c))
			break;

		nfd = 0;
		pfd[nfd++] = (struct pollfd){ .fd = events_fd, .events = POLLIN };
		notify_idx = -1;
		if (!c->input_done && room_for_job(c)) {
			notify_idx = nfd;
			pfd[nfd++] = (struct pollfd){ .fd = c->feed.notify[0],
			    .events = POLLIN };
		}
		for (i = 0; i < c->nrun; i++) {
			if (c->run[i]->child.out_fd >= 0) {
				pjob[nfd] = c->run[i];
				pfd[nfd++] = (struct pollfd){
				    .fd = c->run[i]->child.out_fd,
				    .events = POLLIN };
			}
			if (c->run[i]->child.in_fd >= 0) {
				pjob[nfd] = c->run[i];
				pfd[nfd++] = (struct pollfd){
				    .fd = c->run[i]->child.in_fd,
				    .events = POLLOUT };
			}
		}
		t = next_deadline(c, now);
		timeout = t < 0 ? -1 : t <= now ? 0 : (int)(t - now);
		n = poll(pfd, (nfds_t)nfd, timeout);
		if (n < 0 && errno != EINTR)
			err(1, "poll");
		now = (long long)pf_monotonic_ms();
		if (n > 0) {
			for (i = 1; i < nfd; i++) {
				if (pfd[i].revents == 0)
					continue;
				if (i == notify_idx) {
					while (read(pfd[i].fd, drain,
					    sizeof(drain)) > 0)
						;
				} else if (pfd[i].events == POLLIN) {
					collect(c, pjob[i]);
				} else {
					feed_job(c, pjob[i]);
				}
			}
			if (pfd[0].revents != 0) {
				if ((sig = pf_events_take()) != 0)
					forward_signal(c, sig);
				reap_children(c);
			}
		}
		check_timers(c, now);
		finish_children(c, now);
	}
	free(pfd);
	free(pjob);
}

/* ---- set-up ------------------------------------------------------------- */

static int
open_outputs(struct cmd *c)
{
	const struct pf_command_args *a = c->a;
	long pos;
	int status;

	if (a->failed_path != NULL) {
		if ((status = pf_outfile_open(&c->failed, a->failed_path, false,
		    &c->inputs)) != 0)
			return status;
		if (c->header.len > 0)	/* --lines has none */
			fwrite(c->header.data, 1, c->header.len, c->failed.f);
		if (!pf_outfile_ok(&c->failed))
			return 1;
	}
	if (a->joblog_path != NULL) {
		if (a->resume && pf_resume_load(&c->resume,
		    a->joblog_path) != 0)
			return 1;
		if ((status = pf_outfile_open(&c->joblog, a->joblog_path,
		    a->resume, &c->inputs)) != 0)
			return status;
		fseek(c->joblog.f, 0, SEEK_END);
		pos = ftell(c->joblog.f);
		if (pos <= 0)
			fputs("Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive"
			    "\tExitval\tSignal\tCommand\n", c->joblog.f);
		if (!pf_outfile_ok(&c->joblog))
			return 1;
	}
	if (c->opt->bad_path != NULL)
		return pf_outfile_open(&c->bad, c->opt->bad_path, false,
		    &c->inputs);
	return 0;
}

static int
setup(struct cmd *c)
{
	struct pf_expr_error e;
	int got;

	pf_reader_init(&c->reader, &c->opt->in, c->a->files, c->a->nfiles,
	    c->opt->chunk, c->opt->flush_ms);
	/* --pipe splices regular files: their chunks need not be read in. */
	c->reader.ranges = c->mode == MODE_PIPE;
	if ((got = pf_reader_start(&c->reader, &c->schema)) < 0) {
		warnx("%s", c->reader.error);
		return 1;
	}
	if (got == 0)
		c->input_done = true;
	if (c->reader.have_header) {
		pf_buf_add(&c->header, c->reader.header.data,
		    c->reader.header.len);
		/* --pipe chunks are the raw bytes: end the header as they do. */
		if (c->mode == MODE_PIPE && c->reader.header_crlf)
			pf_buf_addc(&c->header, '\r');
		pf_buf_addc(&c->header, '\n');
	}
	if (c->a->batch_key != NULL) {
		c->key_expr = pf_expr_compile(c->a->batch_key, &c->schema, &e);
		if (c->key_expr == NULL) {
			pf_report_expr_error(c->a->batch_key, &e);
			return 2;
		}
		c->eval = pf_eval_new();
	}
	compile_templates(c);
	return 0;
}

static double
cpu_seconds(int who)
{
	struct rusage ru;

	getrusage(who, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* --stats: what ran, and whose CPU time it was. */
static void
print_stats(const struct cmd *c, long long elapsed_ms)
{
	fprintf(stderr, "pmap: %llu records in, %llu commands (%llu ok, %llu "
	    "failed), %.3fs elapsed, pmap %.3fs CPU, commands %.3fs CPU",
	    (unsigned long long)c->recno,
	    (unsigned long long)(c->nok + c->nfailed),
	    (unsigned long long)c->nok, (unsigned long long)c->nfailed,
	    elapsed_ms / 1000.0, cpu_seconds(RUSAGE_SELF),
	    cpu_seconds(RUSAGE_CHILDREN));
	/* Starts that waited for a running command to end (EMFILE...). */
	if (c->spawn_waits > 0)
		fprintf(stderr, ", %llu start%s waited for a free descriptor "
		    "or process", (unsigned long long)c->spawn_waits,
		    c->spawn_waits == 1 ? "" : "s");
	putc('\n', stderr);
}

int
pf_command_main(const struct pf_options *opt,
    const struct pf_command_args *args, char **argv_cmd)
{
	struct pf_command_args a = *args;
	struct cmd c;
	const char *sname;
	int events_fd, status;
	long long t0;

	memset(&c, 0, sizeof(c));
	c.opt = opt;
	c.a = &a;
	c.argv_cmd = argv_cmd;
	while (argv_cmd[c.nargs] != NULL)
		c.nargs++;
	c.mode = a.pipe ? MODE_PIPE : a.batch > 0 || a.batch_key != NULL ?
	    MODE_BATCH : MODE_RECORD;
	if (c.mode == MODE_BATCH && a.batch == 0)
		a.batch = (size_t)-1;	/* --batch-key alone: one batch per key */
	if (a.batch_timeout_ms == 0)
		a.batch_timeout_ms = DEFAULT_BATCH_TIMEOUT_MS;
	c.cur = -1;
	c.cur_file = -1;
	c.splice_file = c.splice_fd = -1;

	if ((events_fd = pf_events_init()) < 0)
		err(1, "pipe");
	/* An output that is also an input: refuse before reading it. */
	pf_inputs_add(&c.inputs, a.files, a.nfiles);
	if ((status = pf_inputs_check_path(&c.inputs, a.failed_path)) != 0 ||
	    (status = pf_inputs_check_path(&c.inputs, a.joblog_path)) != 0 ||
	    (status = pf_inputs_check_path(&c.inputs, opt->bad_path)) != 0 ||
	    (status = pf_inputs_check_fd(&c.inputs, STDOUT_FILENO)) != 0 ||
	    (status = setup(&c)) != 0 || (status = open_outputs(&c)) != 0) {
		cmd_free(&c);
		return status;
	}
	c.window = (uint64_t)opt->jobs * WINDOW_PER_JOB;
	if (c.window < WINDOW_MIN)
		c.window = WINDOW_MIN;
	/* --pipe jobs each hold a whole chunk: keep only a few in flight. */
	if (c.mode == MODE_PIPE)
		c.window = (uint64_t)opt->jobs * 2 + 2;
	c.jobs = pf_xcalloc(c.window, sizeof(*c.jobs));
	c.run = pf_xcalloc((size_t)opt->jobs, sizeof(*c.run));
	if (a.rate_n > 0)
		c.rate_ring = pf_xcalloc((size_t)a.rate_n, sizeof(long long));
	if (!c.input_done)
		feeder_start(&c.feed, &c.reader, opt->queue);

	t0 = (long long)pf_monotonic_ms();
	event_loop(&c, events_fd);

	status = 0;
	if (pf_outfile_close(&c.failed) | pf_outfile_close(&c.joblog))
		c.write_error = true;
	if (c.bad.f != NULL) {
		if (pf_outfile_close(&c.bad) != 0)
			c.write_error = true;
		else if (c.nbad > 0)
			warnx("%llu malformed record%s written to %s",
			    (unsigned long long)c.nbad, c.nbad == 1 ? "" : "s",
			    opt->bad_path);
	}
	if (opt->stats)
		print_stats(&c, (long long)pf_monotonic_ms() - t0);
	sname = c.signal == SIGINT ? "SIGINT" : "SIGTERM";
	if (c.epipe)
		;
	else if (c.signal != 0)
		warnx("interrupted by %s: %llu of %llu commands failed", sname,
		    (unsigned long long)c.nfailed,
		    (unsigned long long)(c.nfailed + c.nok));
	else if (c.halted)
		warnx("stopped at the first failure (--halt): %llu of %llu "
		    "commands failed", (unsigned long long)c.nfailed,
		    (unsigned long long)(c.nfailed + c.nok));
	else if (c.nfailed > 0)
		warnx("%llu of %llu commands failed",
		    (unsigned long long)c.nfailed,
		    (unsigned long long)(c.nfailed + c.nok));
	if (c.nspawn_same > 0 && !c.epipe)
		warnx("%llu more could not be run for the same reason: %s",
		    (unsigned long long)c.nspawn_same, strerror(c.spawn_err));
	if (c.write_error)
		status = 1;
	else if (c.epipe)
		status = 0;
	else if (c.signal == SIGINT)
		status = 130;
	else if (c.signal != 0 || c.halted || c.nfailed > 0 || c.data_error)
		status = 1;

	/*
	 * A feeder still blocked reading a pipe or a terminal uses c: end
	 * the process here rather than return from under it.
	 */
	if (c.feed.running && !feeder_stop(&c.feed))
		exit(status);
	cmd_free(&c);
	return status;
}
