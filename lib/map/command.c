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
 * file is only a range of it, spliced to the command: see cmd_feed_job()
 * in command_job.c).
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
 *
 * FILES
 *
 * command.c (this file): set-up, the summary and the exit status.
 * command_loop.c: the poll(2) loop and children's events.
 * command_input.c: records, batches and chunks into jobs.
 * command_job.c: starting, feeding, retrying and ending jobs; --joblog.
 * command_output.c: writing output in order; --failed.
 * command_template.c: {} placeholders and argv.
 * command_feeder.c: the reader thread.
 * command_int.h: the structures they share.
 */
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "map/command_int.h"
#include "engine/engine.h"
#include "expr/report.h"
#include "support/status.h"
#include "support/timeutil.h"
#include "support/xalloc.h"

/* Frees everything a run allocated (the feeder thread is joined). */
static void
cmd_free(struct cmd *c)
{
	size_t i;

	cmd_feeder_free(&c->feed);
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
	for (i = 0; c->batches.slots != NULL && i < c->batches.count; i++)
		pf_buf_free(&((struct open_batch *)PF_GROUP_STATE(
		    pf_groups_at(&c->batches, (uint32_t)i)))->input);
	if (c->batches.slots != NULL)
		pf_groups_free(&c->batches);
	pf_arena_free(&c->arena);
	pf_buf_free(&c->key);
	pf_inputs_free(&c->inputs);
	pf_keys_free(&c->keys);
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
	int got, status;

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
		if ((status = pf_keys_compile(&c->keys, c->a->batch_key,
		    &c->schema)) != 0)
			return status;
		c->keyed = true;
		if (c->keys.uses_eval)
			c->eval = pf_eval_new();
	}
	if (c->mode == MODE_BATCH)
		pf_groups_init(&c->batches, &c->arena,
		    sizeof(struct open_batch));
	cmd_compile_templates(c);
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
		cmd_feeder_start(&c.feed, &c.reader, opt->queue);

	t0 = (long long)pf_monotonic_ms();
	cmd_event_loop(&c, events_fd);

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
		status = PF_FAILED;
	else if (c.epipe)
		status = 0;
	else if (c.signal == SIGINT)
		status = 130;
	else if (c.signal != 0 || c.halted || c.nfailed > 0 || c.data_error)
		status = PF_FAILED;

	/*
	 * A feeder still blocked reading a pipe or a terminal uses c: end
	 * the process here rather than return from under it.
	 */
	if (c.feed.running && !cmd_feeder_stop(&c.feed))
		exit(status);
	cmd_free(&c);
	return status;
}
