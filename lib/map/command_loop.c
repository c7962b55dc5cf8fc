/*
 * command_loop.c - the one poll(2) loop of command mode: signals and
 * reaped children, the engine's notifications (a batch is ready), the
 * children's stdout and stdin, timeouts; each turn takes input, starts
 * jobs, writes output.
 */
#include <err.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "map/command_int.h"
#include "support/timeutil.h"
#include "support/xalloc.h"

static void
forward_signal(struct cmd *c, int sig)
{
	int i;

	if (c->signal != 0)
		sig = SIGKILL;	/* a second signal: no more waiting */
	else
		c->signal = sig;
	cmd_set_state(c, RUN_INTERRUPTED);
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
			cmd_job_final(c, j, now);
		}
	}
	c->start_seq = c->next_seq;
}

/*
 * How often a child whose output has ended is looked for with waitpid()
 * while it is not yet reaped. SIGCHLD is the wake-up for its exit, but a
 * signal can come late or not at all (ThreadSanitizer's runtime held one
 * back, 1 run in a few hundred): the loop must not rely on it alone.
 */
#define REAP_CHECK_MS	10

/* Whether a running child has closed its output and is not reaped yet. */
static bool
child_ending(const struct cmd *c)
{
	int i;

	for (i = 0; i < c->nrun; i++)
		if (c->run[i]->child.out_fd < 0 && !c->run[i]->reaped)
			return true;
	return false;
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
			cmd_put_out(c, &j->out);
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
		cmd_run_remove(c, j);
		cmd_job_final(c, j, now);
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
	/*
	 * Records of a batch already taken, and room for them: no waiting.
	 * (The engine's next batch makes its descriptor readable.)
	 */
	if (cmd_room_for_job(c) && !c->input_done && c->have_batch)
		EARLIER(now);
	if (cmd_stopping(c) || c->nrun >= cmd_start_limit(c))
		return t;	/* nothing can start: wait for children */
	if (c->nretry > 0)
		for (s = c->head_seq; s < c->next_seq; s++)
			if ((j = job_at(c, s))->state == J_RETRY)
				EARLIER(j->retry_ms < now ? now : j->retry_ms);
	if ((c->start_seq < c->next_seq || c->nretry > 0) &&
	    (w = cmd_rate_wait(c, now)) > 0)
		EARLIER(w);
	if (c->oldest != NULL && cmd_room_for_job(c))
		EARLIER(c->oldest->first_ms + c->a->batch_timeout_ms);
#undef EARLIER
	return t;
}

static bool
all_done(const struct cmd *c)
{
	return (c->input_done || cmd_stopping(c)) && c->oldest == NULL &&
	    c->nrun == 0 && c->head_seq == c->next_seq;
}

void
cmd_event_loop(struct cmd *c, int events_fd)
{
	struct pollfd *pfd;
	struct job **pjob;
	long long now, t;
	int i, n, nfd, sig, timeout, notify_idx;

	pfd = pf_xcalloc((size_t)c->opt->jobs * 2 + 2, sizeof(*pfd));
	pjob = pf_xcalloc((size_t)c->opt->jobs * 2 + 2, sizeof(*pjob));
	for (;;) {
		now = (long long)pf_monotonic_ms();
		cmd_take_input(c, now);
		if (cmd_stopping(c))
			drop_unstarted(c, now);
		cmd_start_jobs(c, now);
		cmd_write_output(c);
		if (cmd_stopping(c)) {
			/* Writing may have found stdout closed. */
			drop_unstarted(c, now);
			cmd_write_output(c);
			pf_engine_stop(c->engine);
		}
		if (all_done(c))
			break;

		nfd = 0;
		pfd[nfd++] = (struct pollfd){ .fd = events_fd, .events = POLLIN };
		notify_idx = -1;
		if (!c->input_done && cmd_room_for_job(c)) {
			notify_idx = nfd;
			pfd[nfd++] = (struct pollfd){
			    .fd = pf_engine_fd(c->engine), .events = POLLIN };
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
		if (child_ending(c) && (timeout < 0 || timeout > REAP_CHECK_MS))
			timeout = REAP_CHECK_MS;
		n = poll(pfd, (nfds_t)nfd, timeout);
		if (n < 0 && errno != EINTR)
			err(1, "poll");
		now = (long long)pf_monotonic_ms();
		if (n > 0) {
			for (i = 1; i < nfd; i++) {
				if (pfd[i].revents == 0)
					continue;
				if (i == notify_idx)
					;	/* cmd_take_input() looks */
				else if (pfd[i].events == POLLIN) {
					collect(c, pjob[i]);
				} else {
					cmd_feed_job(c, pjob[i]);
				}
			}
			if (pfd[0].revents != 0) {
				if ((sig = pf_events_take()) != 0)
					forward_signal(c, sig);
				reap_children(c);
			}
		}
		if (child_ending(c))
			reap_children(c);	/* without a SIGCHLD: see above */
		check_timers(c, now);
		finish_children(c, now);
	}
	free(pfd);
	free(pjob);
}
