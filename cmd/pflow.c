/*
 * pflow - the front command: "pflow map ARGS" runs pmap ARGS, and so on
 * for every tool, so that pflow can be installed without its short names
 * (pmap is also procps's process-map command) or with a prefix on them
 * (meson's -Dprogram_prefix=).
 *
 * It finds the tool beside itself: the installed name (the prefix, then
 * "p" and the tool) first, then the plain name (the build directory).
 */
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

static const struct tool {
	const char	*name;
	const char	*what;
} tools[] = {
	{ "filter",	"write the records for which an expression is true" },
	{ "map",	"compute columns per record, or run a command per record" },
	{ "reduce",	"group records and aggregate them" },
	{ "takesort",	"the first N records in key order, or a whole sort" },
	{ "partition",	"split records by a key's hash into files or commands" },
	{ "join",	"join records with a table by key" },
};
#define NTOOLS (sizeof(tools) / sizeof(tools[0]))

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: pflow TOOL [ARG...]\n"
	    "       pflow view [-n N] [FILE...] [OPTION...]\n"
	    "       pflow help [TOOL]\n"
	    "       pflow --version\n"
	    "Run a pflow tool: \"pflow map ARGS\" is \"%spmap ARGS\".\n"
	    "Tools:\n", PF_PROGRAM_PREFIX);
	for (i = 0; i < NTOOLS; i++)
		fprintf(f, "  %-10s %s\n", tools[i].name, tools[i].what);
	fprintf(f, "  %-10s %s\n", "view", "the first N records (20) as a "
	    "table, through less -S on a terminal");
	fprintf(f, "\"pflow help TOOL\" shows a tool's options, "
	    "\"man %spmap\" and so on its manual.\n", PF_PROGRAM_PREFIX);
}

/* The tool called name ("map" or "pmap"), or NULL. */
static const struct tool *
find_tool(const char *name)
{
	size_t i;

	if (name[0] == 'p')
		for (i = 0; i < NTOOLS; i++)
			if (strcmp(name + 1, tools[i].name) == 0)
				return &tools[i];
	for (i = 0; i < NTOOLS; i++)
		if (strcmp(name, tools[i].name) == 0)
			return &tools[i];
	return NULL;
}

/* Runs the tool with argv (argv[0] is replaced); returns only on failure. */
static void
run_tool(const struct tool *t, char **argv)
{
	char self[PATH_MAX], path[PATH_MAX + 64], *slash;
	ssize_t n;
	int tries;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		err(1, "/proc/self/exe");
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) != NULL)
		*slash = '\0';
	for (tries = 0; tries < 2; tries++) {
		snprintf(path, sizeof(path), "%s/%sp%s", self,
		    tries == 0 ? PF_PROGRAM_PREFIX : "", t->name);
		argv[0] = strrchr(path, '/') + 1;
		execv(path, argv);
		if (errno != ENOENT)
			err(1, "%s", path);
	}
	errx(1, "cannot find %sp%s beside %s", PF_PROGRAM_PREFIX, t->name,
	    self);
}

/*
 * pflow view [-n N] ARG...: pfilter --otable 'nr() <= N' ARG..., its
 * output through the pager when stdout is a terminal (as git does:
 * PFLOW_PAGER, else PAGER, else less; LESS=FRSX unless LESS is set;
 * "cat" or "" for none). Returns pfilter's status.
 */
static int
view(int argc, char **argv)
{
	const struct tool *filter = find_tool("filter");
	const char *pager = getenv("PFLOW_PAGER"), *n = "20";
	char expr[64], **args;
	int fds[2], status, i, nargs = 0;
	pid_t tool, pg = -1;

	args = calloc((size_t)argc + 4, sizeof(char *));
	if (args == NULL)
		err(1, NULL);
	args[nargs++] = NULL;	/* run_tool() sets argv[0] */
	args[nargs++] = "--otable";
	args[nargs++] = expr;
	for (i = 1; i < argc; i++) {
		if ((strcmp(argv[i], "-n") == 0 ||
		    strcmp(argv[i], "--count") == 0) && i + 1 < argc)
			n = argv[++i];
		else if (strncmp(argv[i], "-n", 2) == 0 && argv[i][2] != '\0')
			n = argv[i] + 2;
		else
			args[nargs++] = argv[i];
	}
	if (n[strspn(n, "0123456789")] != '\0' || strlen(n) > 18 ||
	    *n == '\0') {
		warnx("view: -n takes a number of records: '%s'", n);
		free(args);
		return 2;
	}
	snprintf(expr, sizeof(expr), "nr() <= %s", n);
	if (pager == NULL)
		pager = getenv("PAGER");
	if (pager == NULL)
		pager = "less";
	if (!isatty(STDOUT_FILENO) || *pager == '\0' ||
	    strcmp(pager, "cat") == 0)
		run_tool(filter, args);
	if (pipe(fds) < 0)
		err(1, "pipe");
	if ((tool = fork()) < 0)
		err(1, "fork");
	if (tool == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		run_tool(filter, args);
	}
	if ((pg = fork()) < 0)
		err(1, "fork");
	if (pg == 0) {
		dup2(fds[0], STDIN_FILENO);
		close(fds[0]);
		close(fds[1]);
		setenv("LESS", "FRSX", 0);
		execl("/bin/sh", "sh", "-c", pager, (char *)NULL);
		err(1, "/bin/sh");
	}
	close(fds[0]);
	close(fds[1]);
	while (waitpid(tool, &status, 0) < 0 && errno == EINTR)
		;
	while (waitpid(pg, NULL, 0) < 0 && errno == EINTR)
		;
	free(args);
	/* The pager quit before the end: as a closed stdout, status 0. */
	if (WIFSIGNALED(status))
		return WTERMSIG(status) == SIGPIPE ? 0 : 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int
main(int argc, char *argv[])
{
	const struct tool *t;
	char *help[] = { NULL, "--help", NULL };

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("pflow %s\n", PF_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		if (argc < 3) {
			usage(stdout);
			return 0;
		}
		if ((t = find_tool(argv[2])) == NULL) {
			warnx("unknown tool '%s'", argv[2]);
			usage(stderr);
			return 2;
		}
		run_tool(t, help);
	}
	if (strcmp(argv[1], "view") == 0)
		return view(argc - 1, argv + 1);
	if ((t = find_tool(argv[1])) == NULL) {
		warnx("unknown tool '%s'", argv[1]);
		usage(stderr);
		return 2;
	}
	run_tool(t, argv + 1);
	return 1;
}
