/*
 * partition_cmd.c - ppartition's command mode: N copies of a command,
 * each fed one partition on its stdin, their outputs merged on our stdout
 * in whole records (see partition.h). Processes and pipes are spawn.c's.
 *
 * DESIGN
 *
 * The engine runs driven (engine.h): its reader and workers route the
 * records as for -o, and one poll(2) loop on the main thread is the
 * in-order stage. It moves bytes both ways, so that neither direction
 * can block the other into a deadlock:
 *
 * - Feeding: each batch's frames are routed into one pending buffer per
 *   copy, written to the copies' stdin pipes (non-blocking) as they take
 *   them. The next batch is taken from the engine only once every copy
 *   has all of the last one, so a slow copy holds the router (and through
 *   the engine's bounded pool, our reader and our upstream) once its pipe
 *   is full: memory stays bounded. A copy whose stdin is closed (EPIPE) is
 *   reported at once and gets nothing more.
 *
 * - Collecting: the same loop polls the copies' stdout pipes, always, and
 *   writes to our stdout only whole records: after each read it writes a
 *   copy's bytes up to its last record boundary (the last LF; with CSV
 *   records, the last LF outside quotes by chunk.h's rule) with one
 *   write(2), and keeps the partial record for the next read. Records of
 *   different copies therefore never interleave. Under --header-once,
 *   each copy's first record is its header: the first one seen is
 *   written, the others must be equal. When our stdout is closed, the
 *   outputs are still read and dropped, so the copies never block, and
 *   the engine is told to stop (as for a broken pipe: status 0).
 *
 * At the end, the copies' stdins are closed (end of file), the loop runs
 * until every copy has closed its stdout, and the copies are reaped; any
 * that failed is named on stderr.
 */
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv/chunk.h"
#include "engine/engine.h"
#include "partition/partition.h"
#include "process/spawn.h"
#include "support/xalloc.h"

struct copy {
	struct pf_child	 child;
	struct pf_buf	 out;		/* output not yet written */
	size_t		 scanned;	/* bytes of out with no boundary */
	enum pf_scan_state state;	/* CSV: where the scan stands after
					   scanned */
	bool		 header_seen;	/* --header-once: first record taken */
	bool		 stopped;	/* closed its stdin early (EPIPE) */
	size_t		 off;		/* bytes of its pending share written */
};

struct pf_partition_cmd {
	char		**argv;
	int		  n;
	struct copy	 *copies;
	struct pf_dialect records;	/* how outputs split into records */
	bool		  header_once;
	bool		  stdout_closed;
	bool		  failed;
	bool		  write_error;	/* our stdout failed (not a closed pipe) */
	struct pf_buf	  header;	/* --header-once: the one written */
	int		  header_from;	/* the copy it came from */
	struct pollfd	 *pfd;		/* the loop's: engine, stdins, stdouts */
	int		 *who;		/* the copy of each pfd, -1: the engine */
};

/* ---- collecting outputs ---- */

/*
 * The end of the last complete record in c->out, or 0 if there is none
 * yet; scans only the bytes not scanned before.
 */
static size_t
last_boundary(struct pf_partition_cmd *cmd, struct copy *c)
{
	size_t at;

	at = pf_chunk_scan(&cmd->records, c->out.data + c->scanned,
	    c->out.len - c->scanned, &c->state);
	at = at > 0 ? c->scanned + at : 0;
	c->scanned = c->out.len;
	return at;
}

/* The end of the first record in s[0..len), which holds one. */
static size_t
first_boundary(const struct pf_partition_cmd *cmd, const char *s, size_t len)
{
	const char *lf;
	bool open;

	lf = pf_chunk_record_end(&cmd->records, s, s + len, &open);
	return lf < s + len ? (size_t)(lf - s) + 1 : len;
}

static void
write_out(struct pf_partition_cmd *cmd, const char *s, size_t len)
{
	if (len == 0 || cmd->stdout_closed)
		return;
	if (pf_write_all(STDOUT_FILENO, s, len) < 0) {
		if (errno != EPIPE) {
			warn("write error");
			cmd->write_error = true;
		}
		cmd->stdout_closed = true;
	}
}

/* --header-once: takes copy i's first record, s[0..len). */
static void
take_header(struct pf_partition_cmd *cmd, int i, const char *s, size_t len)
{
	if (cmd->header_from < 0) {
		pf_buf_add(&cmd->header, s, len);
		cmd->header_from = i;
		write_out(cmd, s, len);
	} else if (len != cmd->header.len ||
	    memcmp(s, cmd->header.data, len) != 0) {
		warnx("--header-once: the header of PFLOW_PARTITION=%d differs "
		    "from that of PFLOW_PARTITION=%d: %.*s", i, cmd->header_from, (int)(len > 0 && s[len - 1] == '\n' ?
		    len - 1 : len), s);
		cmd->failed = true;
	}
}

/* Writes copy i's complete records; at eof, the rest too. */
static void
deliver(struct pf_partition_cmd *cmd, int i, bool eof)
{
	struct copy *c = &cmd->copies[i];
	size_t end = last_boundary(cmd, c), start = 0;

	if (eof && end < c->out.len) {
		pf_buf_addc(&c->out, '\n');	/* a last record without LF */
		end = c->scanned = c->out.len;
	}
	if (end == 0)
		return;
	if (cmd->header_once && !c->header_seen) {
		start = first_boundary(cmd, c->out.data, end);
		take_header(cmd, i, c->out.data, start);
		c->header_seen = true;
	}
	write_out(cmd, c->out.data + start, end - start);
	memmove(c->out.data, c->out.data + end, c->out.len - end);
	c->out.len -= end;
	c->scanned -= end;
	if (c->out.cap > 1024 * 1024 && c->out.len < 65536) {
		struct pf_buf keep = { 0 };

		pf_buf_add(&keep, c->out.data, c->out.len);
		pf_buf_free(&c->out);
		c->out = keep;
	}
}

/* Reads what copy i wrote, and writes its whole records. */
static void
collect_copy(struct pf_partition_cmd *cmd, int i)
{
	int rc = pf_child_collect(&cmd->copies[i].child, &cmd->copies[i].out);

	if (rc == 1)
		deliver(cmd, i, false);
	else if (rc == 0)
		deliver(cmd, i, true);
	else if (errno != EAGAIN) {
		warn("reading the output of copy %d", i);
		cmd->failed = true;
		pf_child_close(&cmd->copies[i].child);
	}
}

/* ---- starting, feeding, finishing ---- */

static void
reap_all(struct pf_partition_cmd *cmd, bool report)
{
	struct copy *c;
	int i, st;
	pid_t pid;

	for (i = 0; i < cmd->n; i++) {
		c = &cmd->copies[i];
		if (c->child.pid <= 0)
			continue;
		do
			pid = waitpid(c->child.pid, &st, 0);
		while (pid < 0 && errno == EINTR);
		c->child.pid = 0;
		if (!report || pid < 0)
			continue;
		if (WIFEXITED(st) && WEXITSTATUS(st) != 0) {
			warnx("%s (PFLOW_PARTITION=%d) exited with "
			    "status %d", cmd->argv[0], i, WEXITSTATUS(st));
			cmd->failed = true;
		} else if (WIFSIGNALED(st)) {
			warnx("%s (PFLOW_PARTITION=%d) was killed by "
			    "signal %d (%s)", cmd->argv[0], i, WTERMSIG(st),
			    strsignal(WTERMSIG(st)));
			cmd->failed = true;
		}
	}
}

/* The copies' process groups, for pass_signal_on() below. */
static pid_t *signal_groups;
static int signal_ngroups;
static bool signal_caught[2];	/* SIGINT, SIGTERM: not ignored at start */

static void
cmd_free(struct pf_partition_cmd *cmd)
{
	if (signal_groups != NULL) {
		if (signal_caught[0])
			signal(SIGINT, SIG_DFL);
		if (signal_caught[1])
			signal(SIGTERM, SIG_DFL);
		signal_ngroups = 0;
		free(signal_groups);
		signal_groups = NULL;
	}
	int i;

	for (i = 0; i < cmd->n; i++) {
		pf_child_close(&cmd->copies[i].child);
		pf_buf_free(&cmd->copies[i].out);
	}
	pf_buf_free(&cmd->header);
	free(cmd->copies);
	free(cmd->pfd);
	free(cmd->who);
	free(cmd);
}

/*
 * SIGINT and SIGTERM end ppartition; the copies run in process groups of
 * their own, so the signal is passed on to them first, or they would be
 * left running. A signal ignored at start stays ignored. The handler reads only this array, filled before it is
 * installed.
 */

static void
pass_signal_on(int sig)
{
	int i;

	for (i = 0; i < signal_ngroups; i++)
		if (signal_groups[i] > 0)
			kill(-signal_groups[i], sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
forward_signals(struct pf_partition_cmd *cmd)
{
	struct sigaction sa;
	int i;

	signal_groups = pf_xcalloc((size_t)cmd->n, sizeof(*signal_groups));
	for (i = 0; i < cmd->n; i++)
		signal_groups[i] = cmd->copies[i].child.pid;
	signal_ngroups = cmd->n;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = pass_signal_on;
	sigemptyset(&sa.sa_mask);
	/* One ignored at start (a job started with &) stays ignored. */
	if ((signal_caught[0] = !pf_signal_ignored(SIGINT)))
		sigaction(SIGINT, &sa, NULL);
	if ((signal_caught[1] = !pf_signal_ignored(SIGTERM)))
		sigaction(SIGTERM, &sa, NULL);
}

struct pf_partition_cmd *
pf_partition_cmd_start(char **argv, int ncopies, char csv_delim,
    bool header_once)
{
	struct pf_partition_cmd *cmd = pf_xcalloc(1, sizeof(*cmd));
	char part[48], parts[48];
	char *env[] = { part, parts, NULL };
	struct pf_spawn_opts o = {
		.in = PF_STDIO_PIPE,
		.out = PF_STDIO_PIPE,
		.env_add = env,
		.own_group = true,
	};
	int i, rc;

	cmd->argv = argv;
	cmd->n = ncopies;
	cmd->records.format = csv_delim != '\0' ? PF_CSV : PF_LINES;
	cmd->records.delim = csv_delim;
	cmd->header_once = header_once;
	cmd->header_from = -1;
	cmd->copies = pf_xcalloc((size_t)ncopies, sizeof(*cmd->copies));
	cmd->pfd = pf_xcalloc((size_t)ncopies * 2 + 1, sizeof(*cmd->pfd));
	cmd->who = pf_xcalloc((size_t)ncopies * 2 + 1, sizeof(*cmd->who));
	for (i = 0; i < ncopies; i++)
		cmd->copies[i].child.in_fd = cmd->copies[i].child.out_fd = -1;
	snprintf(parts, sizeof(parts), "PFLOW_PARTITIONS=%d", ncopies);
	for (i = 0; i < ncopies; i++) {
		snprintf(part, sizeof(part), "PFLOW_PARTITION=%d", i);
		if ((rc = pf_spawn(&cmd->copies[i].child, argv, &o)) != 0) {
			warnx("%s: %s", argv[0], strerror(rc));
			while (--i >= 0) {
				pf_child_close(&cmd->copies[i].child);
				pf_child_kill(&cmd->copies[i].child, SIGTERM);
			}
			reap_all(cmd, false);
			cmd_free(cmd);
			return NULL;
		}
	}
	forward_signals(cmd);
	return cmd;
}

/* Copy i closed its stdin: reported now, fed nothing more. */
static void
copy_stopped(struct pf_partition_cmd *cmd, int i)
{
	struct copy *c = &cmd->copies[i];

	c->stopped = true;
	pf_child_close_in(&c->child);
	cmd->failed = true;
	warnx("%s (PFLOW_PARTITION=%d) stopped reading its input before "
	    "its end; the rest of partition %d is dropped", cmd->argv[0], i, i);
}

/* Writes what it can of copy i's pending bytes; true when all went. */
static bool
feed_copy(struct pf_partition_cmd *cmd, int i, struct pf_buf *pending)
{
	struct copy *c = &cmd->copies[i];
	int rc;

	if (pending->len == 0)
		return true;
	rc = c->stopped ? -1 : pf_child_feed(&c->child, pending->data,
	    pending->len, &c->off);
	if (rc == 0)
		return false;
	if (rc < 0 && !c->stopped)
		copy_stopped(cmd, i);
	pending->len = 0;
	c->off = 0;
	return true;
}

/*
 * One turn of the loop: polls the engine's descriptor (engine_fd >= 0),
 * the stdins of copies with pending bytes and every open stdout, and
 * moves what is ready. Returns the number of descriptors polled.
 */
static int
poll_once(struct pf_partition_cmd *cmd, struct pf_buf *pending, int engine_fd)
{
	int i, k, n = 0;

	if (engine_fd >= 0) {
		cmd->pfd[n] = (struct pollfd){ .fd = engine_fd, .events = POLLIN };
		cmd->who[n++] = -1;
	}
	for (i = 0; i < cmd->n; i++) {
		if (pending != NULL && pending[i].len > 0 &&
		    cmd->copies[i].child.in_fd >= 0) {
			cmd->pfd[n] = (struct pollfd){
			    .fd = cmd->copies[i].child.in_fd, .events = POLLOUT };
			cmd->who[n++] = i;
		}
		if (cmd->copies[i].child.out_fd >= 0) {
			cmd->pfd[n] = (struct pollfd){
			    .fd = cmd->copies[i].child.out_fd, .events = POLLIN };
			cmd->who[n++] = i;
		}
	}
	if (n == 0)
		return 0;
	if (poll(cmd->pfd, (nfds_t)n, -1) < 0) {
		if (errno == EINTR)
			return n;
		err(1, "poll");
	}
	for (k = 0; k < n; k++) {
		if (cmd->pfd[k].revents == 0 || (i = cmd->who[k]) < 0)
			continue;
		if (cmd->pfd[k].events == POLLOUT)
			(void)feed_copy(cmd, i, &pending[i]);
		else
			collect_copy(cmd, i);
	}
	return n;
}

/*
 * After a batch went out: with our stdout closed, or no copy left
 * reading (endless input would otherwise be read forever), the run ends
 * like a broken pipe. A copy that got nothing this time may have gone:
 * its stdin then polls as an error. True when the run must end.
 */
static bool
nobody_left(struct pf_partition_cmd *cmd)
{
	int i, n;

	for (n = 0, i = 0; i < cmd->n; i++)
		if (!cmd->copies[i].stopped) {
			cmd->pfd[n].fd = cmd->copies[i].child.in_fd;
			cmd->pfd[n].events = POLLOUT;
			cmd->pfd[n++].revents = 0;
		}
	if (n > 0 && poll(cmd->pfd, (nfds_t)n, 0) > 0)
		for (n = 0, i = 0; i < cmd->n; i++)
			if (!cmd->copies[i].stopped &&
			    (cmd->pfd[n++].revents & POLLERR))
				copy_stopped(cmd, i);
	for (i = 0; i < cmd->n && cmd->copies[i].stopped; i++)
		;
	return cmd->stdout_closed || i == cmd->n;
}

void
pf_partition_cmd_run(struct pf_partition_cmd *cmd, struct pf_engine *e,
    struct pf_buf *pending,
    void (*route)(void *ctx, const struct pf_buf *frames), void *ctx)
{
	struct pf_batch_info info;
	const struct pf_buf *frames;
	bool all_fed, batch_out = false;
	int i, got;

	for (;;) {
		for (all_fed = true, i = 0; i < cmd->n; i++)
			all_fed &= feed_copy(cmd, i, &pending[i]);
		if (cmd->stdout_closed) {
			pf_engine_stop(e);
			return;
		}
		if (!all_fed) {
			poll_once(cmd, pending, -1);
			continue;
		}
		if (batch_out) {
			batch_out = false;
			if (nobody_left(cmd)) {
				pf_engine_stop(e);
				return;
			}
		}
		if ((got = pf_engine_next(e, &info, &frames)) < 0)
			return;
		if (got > 0) {
			route(ctx, frames);
			batch_out = true;
			continue;
		}
		poll_once(cmd, pending, pf_engine_fd(e));
	}
}

int
pf_partition_cmd_finish(struct pf_partition_cmd *cmd, bool abort)
{
	int i, status;

	abort = abort || cmd->stdout_closed;
	for (i = 0; i < cmd->n; i++) {
		pf_child_close_in(&cmd->copies[i].child);
		if (abort)
			pf_child_kill(&cmd->copies[i].child, SIGTERM);
	}
	while (poll_once(cmd, NULL, -1) > 0)
		;
	reap_all(cmd, !abort);
	status = cmd->write_error || (cmd->failed && !cmd->stdout_closed) ?
	    1 : 0;
	cmd_free(cmd);
	return status;
}
