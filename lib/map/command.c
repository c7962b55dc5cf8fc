/*
 * command.c - pmap's command mode (see command.h): one command per
 * record, per batch or per input chunk, at most -j running at once.
 *
 * DESIGN
 *
 * Input comes from the engine in driven mode (engine.h, engine.c's
 * DESIGN): its reader cuts the input into batches at record boundaries,
 * its workers split the records, check them against the header (a
 * malformed one goes to --bad or stops the run, as in every tool) and
 * call our record() (command_records.c), which expands the templates
 * into the record's arguments, encodes its --batch-key and notes whether
 * an argument would hold a NUL byte; --pipe takes whole batches, not
 * split (a regular file's as byte ranges). Everything else happens on the
 * main thread, in one poll(2) loop over: the self-pipe of spawn.h
 * (SIGCHLD, SIGINT, SIGTERM), the engine's notification pipe (polled
 * only while the window has room, so the engine's pool fills and its
 * reader waits: back-pressure), and each running child's stdout (and
 * stdin, when it is fed records). The loop is the engine's in-order
 * stage: it takes batches in input order with pf_engine_next(), which
 * never blocks, so children are served while input is awaited. Threads
 * are the engine's; there is no thread per child.
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
 * pmap waits for them and writes everything they produced. The engine is
 * told to stop; if its reader is blocked reading a silent pipe, pmap
 * exits without waiting for it (pf_engine_close()'s abandoned).
 *
 * Counting: --stats, --progress and --bad are the engine's, as in every
 * tool; "records out" are the records of commands that succeeded. Our
 * own --stats line follows: commands run, ok, failed, and CPU time.
 *
 * FILES
 *
 * command.c (this file): set-up, the summary and the exit status.
 * command_loop.c: the poll(2) loop and children's events.
 * command_input.c: records, batches and chunks into jobs.
 * command_job.c: starting, feeding, retrying and ending jobs; --joblog.
 * command_output.c: writing output in order; --failed.
 * command_records.c: the engine's callbacks (start, record()).
 * command_template.c: {} placeholders and argv.
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

/* Frees everything a run allocated (the engine is closed). */
static void
cmd_free(struct cmd *c)
{
	size_t i;

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
	pf_buf_free(&c->scratch);
	pf_buf_free(&c->script_text);
	pf_buf_free(&c->scratch_seqs);
	pf_inputs_free(&c->inputs);
	pf_keys_free(&c->keys);
	free(c->targs);
	free(c->jobs);
	free(c->run);
	free(c->rate_ring);
	pf_resume_free(&c->resume);
	pf_splitter_free(&c->sp);
	pf_buf_free(&c->header);
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

/* --stats, after the engine's lines: what ran, and whose CPU time it was. */
static void
print_stats(const struct cmd *c)
{
	fprintf(stderr, "pmap: %llu commands (%llu ok, %llu failed), "
	    "pmap %.3fs CPU, commands %.3fs CPU",
	    (unsigned long long)(c->nok + c->nfailed),
	    (unsigned long long)c->nok, (unsigned long long)c->nfailed,
	    cpu_seconds(RUSAGE_SELF), cpu_seconds(RUSAGE_CHILDREN));
	/* Starts that waited for a running command to end (EMFILE...). */
	if (c->spawn_waits > 0)
		fprintf(stderr, ", %llu start%s waited for a free descriptor "
		    "or process", (unsigned long long)c->spawn_waits,
		    c->spawn_waits == 1 ? "" : "s");
	putc('\n', stderr);
}

/*
 * The exit status of a run that ended in c->state (see enum run_state),
 * the engine having ended with engine_status: 1 after a write error; 130
 * after SIGINT and 1 after SIGTERM, even when stdout's reader died of the
 * same signal; 0 when stdout was closed, as for any writer to head(1);
 * else 1 after --halt, a failed command, an input that could not be read
 * again or a data error of the engine's (malformed input), and 0.
 */
static int
cmd_exit_status(const struct cmd *c, int engine_status)
{
	if (c->state == RUN_WRITE_FAILED)
		return PF_FAILED;
	if (c->signal != 0)
		return c->signal == SIGINT ? 130 : PF_FAILED;
	if (c->state == RUN_OUTPUT_CLOSED)
		return 0;
	if (c->state == RUN_HALTED || c->nfailed > 0 || c->data_error ||
	    engine_status != 0)
		return PF_FAILED;
	return 0;
}

int
pf_command_main(const struct pf_options *opt,
    const struct pf_command_args *args, char **argv_cmd)
{
	struct pf_command_args a = *args;
	struct cmd c;
	const char *sname;
	int events_fd, status, engine_status;
	bool abandoned;

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
	c.splice_file = c.splice_fd = -1;

	if ((events_fd = pf_events_init()) < 0)
		err(1, "pipe");
	/* An output that is also an input: refuse before reading it. */
	pf_inputs_add(&c.inputs, a.files, a.nfiles);
	if ((status = pf_inputs_check_path(&c.inputs, a.failed_path)) != 0 ||
	    (status = pf_inputs_check_path(&c.inputs, a.joblog_path)) != 0) {
		cmd_free(&c);
		return status;
	}
	cmd_tool_init(&c);
	c.engine = pf_engine_new(opt, a.files, a.nfiles, &c.tool);
	c.reader = pf_engine_reader(c.engine);
	if ((status = pf_engine_start(c.engine)) != 0 ||
	    (status = open_outputs(&c)) != 0) {
		pf_engine_stop(c.engine);
		pf_engine_close(c.engine, &abandoned);
		if (abandoned)
			exit(status);
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

	cmd_event_loop(&c, events_fd);

	/* The engine's --bad count and --stats lines, then ours. */
	if (cmd_stopping(&c))
		pf_engine_stop(c.engine);
	engine_status = pf_engine_close(c.engine, &abandoned);
	if (pf_outfile_close(&c.failed) | pf_outfile_close(&c.joblog))
		cmd_set_state(&c, RUN_WRITE_FAILED);
	if (opt->stats)
		print_stats(&c);
	sname = c.signal == SIGINT ? "SIGINT" : "SIGTERM";
	if (c.signal != 0)
		warnx("interrupted by %s: %llu of %llu commands failed", sname,
		    (unsigned long long)c.nfailed,
		    (unsigned long long)(c.nfailed + c.nok));
	else if (cmd_output_closed(&c))
		;
	else if (c.state == RUN_HALTED)
		warnx("stopped at the first failure (--halt): %llu of %llu "
		    "commands failed", (unsigned long long)c.nfailed,
		    (unsigned long long)(c.nfailed + c.nok));
	else if (c.nfailed > 0)
		warnx("%llu of %llu commands failed",
		    (unsigned long long)c.nfailed,
		    (unsigned long long)(c.nfailed + c.nok));
	if (c.nspawn_same > 0 && !cmd_output_closed(&c))
		warnx("%llu more could not be run for the same reason: %s",
		    (unsigned long long)c.nspawn_same, strerror(c.spawn_err));
	status = cmd_exit_status(&c, engine_status);

	/* A reader still blocked reading a pipe or a terminal: end here. */
	if (abandoned)
		exit(status);
	cmd_free(&c);
	return status;
}
