/*
 * partition_cmd.c - ppartition's command mode: N copies of a command,
 * each fed one partition on its stdin, their outputs merged on our stdout
 * in whole records (see partition.h). Processes and pipes are spawn.c's.
 *
 * DESIGN
 *
 * Two threads move bytes, so that neither direction can block the other
 * into a deadlock:
 *
 * - The engine's writer thread feeds: pf_partition_cmd_feed() writes each
 *   copy's share of a batch to its stdin pipe (non-blocking), and polls
 *   for the copies whose pipes are full. A slow copy therefore holds the
 *   router (and through the engine's bounded pool, our reader and our
 *   upstream) once its pipe is full: memory stays bounded. A copy whose
 *   stdin is closed (EPIPE) is reported at once and gets nothing more.
 *
 * - The collector thread (started here) polls the copies' stdout pipes
 *   and writes to our stdout only whole records: after each read it
 *   writes a copy's bytes up to its last record boundary (the last LF;
 *   with CSV records, the last LF outside quotes by chunk.h's rule) with
 *   one write(2), and keeps the partial record for the next read. It is
 *   the only writer of our stdout, so records of different copies never
 *   interleave. Under
 *   --header-once, each copy's first record is its header: the first one
 *   seen is written, the others must be equal. When our stdout is closed,
 *   the collector goes on reading and dropping the output, so the copies
 *   never block, and feed() tells the engine to stop (EPIPE).
 *
 * At the end, the copies' stdins are closed (end of file), the collector
 * runs until every copy has closed its stdout, and the copies are reaped;
 * any that failed is named on stderr.
 */
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
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
	size_t		 off;		/* feed(): bytes of its share written */
};

struct pf_partition_cmd {
	char		**argv;
	int		  n;
	struct copy	 *copies;
	struct pf_dialect records;	/* how outputs split into records */
	bool		  header_once;
	pthread_t	  collector;
	bool		  collecting;
	atomic_bool	  stdout_closed;
	atomic_bool	  failed;
	atomic_bool	  write_error;	/* our stdout failed (not a closed pipe) */
	struct pf_buf	  header;	/* --header-once: the one written */
	int		  header_from;	/* the copy it came from */
	struct pollfd	 *pfd;		/* feed()'s */
};

/* ---- collecting outputs (collector thread) ---- */

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
	if (len == 0 || atomic_load(&cmd->stdout_closed))
		return;
	if (pf_write_all(STDOUT_FILENO, s, len) < 0) {
		if (errno != EPIPE) {
			warn("write error");
			atomic_store(&cmd->write_error, true);
		}
		atomic_store(&cmd->stdout_closed, true);
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
		atomic_store(&cmd->failed, true);
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

static void *
collector_main(void *arg)
{
	struct pf_partition_cmd *cmd = arg;
	struct pollfd *pfd = pf_xcalloc((size_t)cmd->n, sizeof(*pfd));
	int *who = pf_xcalloc((size_t)cmd->n, sizeof(*who));
	int i, k, n, rc;

	for (;;) {
		for (n = 0, i = 0; i < cmd->n; i++) {
			if (cmd->copies[i].child.out_fd < 0)
				continue;
			pfd[n].fd = cmd->copies[i].child.out_fd;
			pfd[n].events = POLLIN;
			who[n++] = i;
		}
		if (n == 0)
			break;
		if (poll(pfd, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			err(1, "poll");
		}
		for (k = 0; k < n; k++) {
			if (pfd[k].revents == 0)
				continue;
			i = who[k];
			rc = pf_child_collect(&cmd->copies[i].child,
			    &cmd->copies[i].out);
			if (rc == 1)
				deliver(cmd, i, false);
			else if (rc == 0)
				deliver(cmd, i, true);
			else if (errno != EAGAIN) {
				warn("reading the output of copy %d", i);
				atomic_store(&cmd->failed, true);
				pf_child_close(&cmd->copies[i].child);
			}
		}
	}
	free(pfd);
	free(who);
	return NULL;
}

/* ---- starting, feeding, finishing (the engine's threads) ---- */

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
			atomic_store(&cmd->failed, true);
		} else if (WIFSIGNALED(st)) {
			warnx("%s (PFLOW_PARTITION=%d) was killed by "
			    "signal %d (%s)", cmd->argv[0], i, WTERMSIG(st),
			    strsignal(WTERMSIG(st)));
			atomic_store(&cmd->failed, true);
		}
	}
}

/* The copies' process groups, for pass_signal_on() below. */
static pid_t *signal_groups;
static int signal_ngroups;

static void
cmd_free(struct pf_partition_cmd *cmd)
{
	if (signal_groups != NULL) {
		signal(SIGINT, SIG_DFL);
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
	free(cmd);
}

/*
 * SIGINT and SIGTERM end ppartition; the copies run in process groups of
 * their own, so the signal is passed on to them first, or they would be
 * left running. The handler reads only this array, filled before it is
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
	sigaction(SIGINT, &sa, NULL);
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
	cmd->pfd = pf_xcalloc((size_t)ncopies, sizeof(*cmd->pfd));
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
	if (pthread_create(&cmd->collector, NULL, collector_main, cmd) != 0)
		errx(1, "cannot start the output collector thread");
	cmd->collecting = true;
	return cmd;
}

/* Copy i closed its stdin: reported now, fed nothing more. */
static void
copy_stopped(struct pf_partition_cmd *cmd, int i)
{
	struct copy *c = &cmd->copies[i];

	c->stopped = true;
	pf_child_close_in(&c->child);
	atomic_store(&cmd->failed, true);
	warnx("%s (PFLOW_PARTITION=%d) stopped reading its input before "
	    "its end; the rest of partition %d is dropped", cmd->argv[0], i, i);
}

int
pf_partition_cmd_feed(struct pf_partition_cmd *cmd, struct pf_buf *pending)
{
	struct copy *c;
	int i, n, rc;

	for (i = 0; i < cmd->n; i++)
		cmd->copies[i].off = 0;
	for (;;) {
		for (n = 0, i = 0; i < cmd->n; i++) {
			c = &cmd->copies[i];
			if (pending[i].len == 0)
				continue;
			rc = c->stopped ? -1 : pf_child_feed(&c->child,
			    pending[i].data, pending[i].len, &c->off);
			if (rc == 0) {
				cmd->pfd[n].fd = c->child.in_fd;
				cmd->pfd[n].events = POLLOUT;
				n++;
				continue;
			}
			if (rc < 0 && !c->stopped)
				copy_stopped(cmd, i);
			pending[i].len = 0;
		}
		if (n == 0)
			break;
		if (poll(cmd->pfd, (nfds_t)n, -1) < 0 && errno != EINTR)
			err(1, "poll");
	}
	/*
	 * With our stdout closed, or no copy left reading (endless input
	 * would otherwise be read forever), the run ends like a broken pipe.
	 * A copy that got nothing this time may have gone: its stdin then
	 * polls as an error.
	 */
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
	if (atomic_load(&cmd->stdout_closed) || i == cmd->n) {
		errno = EPIPE;
		return -1;
	}
	return 0;
}

int
pf_partition_cmd_finish(struct pf_partition_cmd *cmd, bool abort)
{
	int i, status;

	abort = abort || atomic_load(&cmd->stdout_closed);
	for (i = 0; i < cmd->n; i++) {
		pf_child_close_in(&cmd->copies[i].child);
		if (abort)
			pf_child_kill(&cmd->copies[i].child, SIGTERM);
	}
	if (cmd->collecting)
		pthread_join(cmd->collector, NULL);
	reap_all(cmd, !abort);
	status = atomic_load(&cmd->write_error) ||
	    (atomic_load(&cmd->failed) && !atomic_load(&cmd->stdout_closed)) ?
	    1 : 0;
	cmd_free(cmd);
	return status;
}
