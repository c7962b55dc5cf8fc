/*
 * test_compat.c - the stand-ins of lib/support/compat.c, built here
 * whatever the system has (PF_COMPAT_FALLBACKS), against what the
 * Linux and glibc calls they replace do.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/compat.h"
#include "unit.h"

static int
by_value(const void *a, const void *b, void *calls)
{
	int x = *(const int *)a, y = *(const int *)b;

	++*(int *)calls;
	return (x > y) - (x < y);
}

static void
test_qsort_r(void)
{
	int v[500], i, n, calls = 0;
	bool sorted = true;

	for (n = 0; n <= 500; n += 167) {
		for (i = 0; i < n; i++)
			v[i] = (i * 7919) % 101 - 50;
		pf_qsort_r(v, (size_t)n, sizeof(v[0]), by_value, &calls);
		for (i = 1; i < n; i++)
			sorted &= v[i - 1] <= v[i];
	}
	CHECK(sorted);
	CHECK(calls > 0);	/* the context reaches the comparison */
}

static void
test_memrchr(void)
{
	const char *s = "a,b,c";

	CHECK(memrchr(s, ',', 5) == s + 3);
	CHECK(memrchr(s, 'a', 5) == s);
	CHECK(memrchr(s, 'z', 5) == NULL);
	CHECK(memrchr(s, 'a', 0) == NULL);
}

static void
test_pipe2_splice(void)
{
	int p[2];

	CHECK(pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0);
	CHECK(fcntl(p[0], F_GETFD) & FD_CLOEXEC);
	CHECK(fcntl(p[1], F_GETFD) & FD_CLOEXEC);
	CHECK(fcntl(p[0], F_GETFL) & O_NONBLOCK);
	CHECK(splice(p[0], NULL, p[1], NULL, 1, SPLICE_F_NONBLOCK) == -1 &&
	    errno == EINVAL);
	close(p[0]);
	close(p[1]);
}

static void *
give_back(void *arg)
{
	return arg;
}

static void
test_timedjoin(void)
{
	struct timespec until = { 0, 0 };
	pthread_t t;
	void *got = NULL;
	int x;

	CHECK(pthread_create(&t, NULL, give_back, &x) == 0);
	CHECK(pthread_timedjoin_np(t, &got, &until) == 0);
	CHECK(got == &x);
}

static void
test_execvpe(void)
{
	char *argv[] = { "sh", "-c", "test \"$PF_X\" = yes", NULL };
	char *envp[] = { "PF_X=yes", NULL };
	char *missing[] = { "pf-no-such-program", NULL };
	pid_t pid;
	int status;

	if ((pid = fork()) == 0) {
		execvpe("sh", argv, envp);
		_exit(127);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0);
	CHECK(execvpe("pf-no-such-program", missing, envp) == -1 &&
	    errno == ENOENT);
}

static void
test_names(void)
{
	char self[4096];

	CHECK(pf_self_exe(self, sizeof(self)) == 0);
	CHECK(strstr(self, "test_compat") != NULL);
	CHECK(program_invocation_short_name != NULL);
	CHECK(pf_self_exe(self, 4) == -1 && errno == ENAMETOOLONG);
}

int
main(void)
{
	UNIT_RUN(test_qsort_r);
	UNIT_RUN(test_memrchr);
	UNIT_RUN(test_pipe2_splice);
	UNIT_RUN(test_timedjoin);
	UNIT_RUN(test_execvpe);
	UNIT_RUN(test_names);
	return UNIT_DONE();
}
