/*
 * spawn_loop.c - the floor for running many commands: starts COMMAND
 * [ARG...] N times, one after another, with posix_spawn(3) and waits for
 * each, doing nothing else. bench/run.sh runs two of these side by side
 * beside pmap -j2, so that the cost of process creation itself is seen.
 *
 *	spawn_loop N COMMAND [ARG...]
 */
#include <err.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

int
main(int argc, char *argv[])
{
	long i, n;
	pid_t pid;
	int rc, status;

	if (argc < 3)
		errx(2, "usage: spawn_loop N COMMAND [ARG...]");
	n = strtol(argv[1], NULL, 10);
	for (i = 0; i < n; i++) {
		if ((rc = posix_spawnp(&pid, argv[2], NULL, NULL, argv + 2,
		    environ)) != 0)
			errx(1, "%s: %s", argv[2], strerror(rc));
		if (waitpid(pid, &status, 0) < 0)
			err(1, "waitpid");
	}
	return 0;
}
