/*
 * test_spawn.c - unit tests of lib/process/spawn.c: start, feed, collect, reap,
 * kill, environment additions.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "process/spawn.h"
#include "unit.h"

/* Waits for pid through the event pipe; returns its wait status. */
static int
wait_child(int events_fd, pid_t pid)
{
	struct pollfd pfd = { .fd = events_fd, .events = POLLIN };
	pid_t got;
	int ws;

	for (;;) {
		while ((got = pf_reap(&ws)) > 0)
			if (got == pid)
				return ws;
		poll(&pfd, 1, 1000);
		pf_events_take();
	}
}

/* Feeds in to the child and collects its stdout until end of file. */
static void
converse(struct pf_child *c, const char *in, struct pf_buf *out)
{
	struct pollfd pfd[2];
	size_t off = 0, len = strlen(in);
	int n;

	while (c->out_fd >= 0) {
		n = 0;
		pfd[n++] = (struct pollfd){ .fd = c->out_fd, .events = POLLIN };
		if (c->in_fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = c->in_fd,
			    .events = POLLOUT };
		poll(pfd, (nfds_t)n, 1000);
		if (c->in_fd >= 0 && pf_child_feed(c, in, len, &off) != 0)
			pf_child_close_in(c);
		while (pf_child_collect(c, out) > 0)
			;
	}
}

static int events_fd;

static void
test_pipe_both_ways(void)
{
	struct pf_spawn_opts o = { .in = PF_STDIO_PIPE, .out = PF_STDIO_PIPE };
	char *argv[] = { "tr", "a-z", "A-Z", NULL };
	struct pf_child c;
	struct pf_buf out = { 0 };
	int ws;

	CHECK(pf_spawn(&c, argv, &o) == 0);
	converse(&c, "hello\nworld\n", &out);
	ws = wait_child(events_fd, c.pid);
	CHECK(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
	CHECK_BYTES(out.data, out.len, "HELLO\nWORLD\n");
	pf_child_close(&c);
	pf_buf_free(&out);
}

static void
test_big_feed(void)
{
	struct pf_spawn_opts o = { .in = PF_STDIO_PIPE, .out = PF_STDIO_PIPE,
	    .pipe_size = 1 << 16 };
	char *argv[] = { "wc", "-c", NULL };
	struct pf_child c;
	struct pf_buf out = { 0 };
	char *big = malloc(3000001);

	memset(big, 'x', 3000000);
	big[3000000] = '\0';
	CHECK(pf_spawn(&c, argv, &o) == 0);
	converse(&c, big, &out);
	wait_child(events_fd, c.pid);
	CHECK_BYTES(out.data, out.len, "3000000\n");
	pf_child_close(&c);
	pf_buf_free(&out);
	free(big);
}

static void
test_env_add(void)
{
	char *env[] = { "PFLOW_TEST_A=one", "HOME=/nowhere", NULL };
	struct pf_spawn_opts o = { .in = PF_STDIO_NULL, .out = PF_STDIO_PIPE,
	    .env_add = env };
	char *argv[] = { "sh", "-c", "echo $PFLOW_TEST_A $HOME", NULL };
	struct pf_child c;
	struct pf_buf out = { 0 };

	CHECK(pf_spawn(&c, argv, &o) == 0);
	converse(&c, "", &out);
	wait_child(events_fd, c.pid);
	CHECK_BYTES(out.data, out.len, "one /nowhere\n");
	pf_child_close(&c);
	pf_buf_free(&out);
}

static void
test_no_such_command(void)
{
	struct pf_spawn_opts o = { .in = PF_STDIO_NULL, .out = PF_STDIO_PIPE };
	char *argv[] = { "no-such-command-pflow", NULL };
	struct pf_child c;

	CHECK(pf_spawn(&c, argv, &o) == ENOENT);
	CHECK(c.pid == 0 && c.in_fd == -1 && c.out_fd == -1);
}

static void
test_kill_group(void)
{
	struct pf_spawn_opts o = { .in = PF_STDIO_NULL, .out = PF_STDIO_PIPE,
	    .own_group = true };
	char *argv[] = { "sh", "-c", "sleep 30; echo never", NULL };
	struct pf_child c;
	struct pf_buf out = { 0 };
	int ws;

	CHECK(pf_spawn(&c, argv, &o) == 0);
	pf_child_kill(&c, SIGTERM);
	/* End of file comes only when sleep, the grandchild, is gone too. */
	converse(&c, "", &out);
	ws = wait_child(events_fd, c.pid);
	CHECK(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGTERM);
	CHECK(out.len == 0);
	pf_child_close(&c);
	pf_buf_free(&out);
}

static void
test_child_gets_default_sigpipe(void)
{
	struct pf_spawn_opts o = { .in = PF_STDIO_NULL, .out = PF_STDIO_PIPE };
	/* yes dies of SIGPIPE (141) only when SIGPIPE is not ignored. */
	char *argv[] = { "sh", "-c",
	    "exec 3>&1; { yes; echo \"st=$?\" >&3; } | head -1 >/dev/null", NULL };
	struct pf_child c;
	struct pf_buf out = { 0 };

	CHECK(pf_spawn(&c, argv, &o) == 0);
	converse(&c, "", &out);
	wait_child(events_fd, c.pid);
	CHECK_BYTES(out.data, out.len, "st=141\n");
	pf_child_close(&c);
	pf_buf_free(&out);
}

int
main(void)
{
	events_fd = pf_events_init();
	UNIT_RUN(test_pipe_both_ways);
	UNIT_RUN(test_big_feed);
	UNIT_RUN(test_env_add);
	UNIT_RUN(test_no_such_command);
	UNIT_RUN(test_kill_group);
	UNIT_RUN(test_child_gets_default_sigpipe);
	return UNIT_DONE();
}
