/*
 * pflow - the front command: "pflow map ARGS" runs pmap ARGS, and so on
 * for every tool, so that pflow can be installed without its short names
 * (pmap is also procps's process-map command) or with a prefix on them
 * (meson's -Dprogram_prefix=).
 *
 * It finds the tool beside itself: the installed name (the prefix, then
 * "p" and the tool) first, then the plain name (the build directory).
 *
 * It also has commands of its own (a table: head, tail, headers, in
 * lib/front), answers the verbs Miller and xsv users bring with the
 * pflow command that does the job, and suggests the nearest name for a
 * near miss.
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
#include "expr/expr.h"
#include "support/compat.h"
#include "engine/options.h"
#include "front/peek.h"
#include "support/suggest.h"

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
	{ "scan",	"each record with running values of its key" },
};
#define NTOOLS (sizeof(tools) / sizeof(tools[0]))

static int run_peek(int argc, char **argv);
static int view(int argc, char **argv);
static int stats(int argc, char **argv);

/* pflow's own commands. */
static const struct command {
	const char	*name;
	int		 (*run)(int argc, char **argv);
	const char	*usage;
	const char	*what;
} commands[] = {
	{ "head",	run_peek, "head [-n N] [OPTIONS] [FILE...]",
	    "the header and the first N records (10), quotes respected" },
	{ "tail",	run_peek, "tail [-n N] [OPTIONS] [FILE...]",
	    "the header and the last N records (10), in bounded memory" },
	{ "headers",	run_peek, "headers [-n N] [OPTIONS] [FILE...]",
	    "position, name and type (of the first N records: 1000)" },
	{ "view",	view, "view [-n N] [FILE...] [OPTION...]",
	    "the first N records (20) as a table, through less -S on a terminal" },
	{ "stats",	stats, "stats [OPTIONS] [FILE...]",
	    "one row per column: type, counts, min, max, mean, quartiles, top" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* The words of Miller and xsv, answered with what does it here. */
static const struct verb {
	const char	*word;
	const char	*answer;
} verbs[] = {
	{ "sort",	"ptakesort -k KEY[:desc][,KEY...] FILE  (-n N: the first N)" },
	{ "top",	"ptakesort -n N -k FIELD:desc [-g GROUP] FILE" },
	{ "stats1",	"preduce [-k KEY] mean:FIELD sum:FIELD p90:FIELD ... FILE" },
	{ "count-distinct", "preduce -k FIELD[,FIELD...] count FILE" },
	{ "frequency",	"preduce -k FIELD count FILE | ptakesort -k count:desc" },
	{ "count",	"pfilter -c true FILE" },
	{ "cut",	"pmap 'a, b, 2..4, /^re/' FILE  (cut -x: pmap '*, -a')" },
	{ "select",	"pmap 'a, b, 2..4, /^re/' FILE  (!a: pmap '*, -a')" },
	{ "reorder",	"pmap 'a, *' FILE  (to the end: pmap '*, a')" },
	{ "rename",	"pmap '*, old as new' FILE" },
	{ "put",	"pmap '*, x = EXPR' FILE" },
	{ "uniq",	"pfilter --unique KEY true FILE  (counts: preduce -k KEY count)" },
	{ "dedup",	"pfilter --unique KEY true FILE" },
	{ "search",	"pfilter 'FIELD =~ /re/' FILE" },
	{ "grep",	"pfilter '/re/' FILE" },
	{ "split",	"ppartition -k KEY -n N -o 'part-{}.csv' FILE  (--by-value: a file per value)" },
	{ "cat",	"pmap '*' FILE...  (one header; --union for different ones)" },
	{ "sample",	"ptakesort --sample -n N FILE" },
	{ "step",	"pscan" },
	{ "summary",	"pflow stats FILE  (preduce --summary)" },
};
#define NVERBS (sizeof(verbs) / sizeof(verbs[0]))

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: pflow TOOL [ARG...]\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "       pflow %s\n", commands[i].usage);
	fprintf(f, "       pflow help [TOOL | expressions]\n"
	    "       pflow --version\n"
	    "Run a pflow tool: \"pflow map ARGS\" is \"%spmap ARGS\".\n"
	    "Tools:\n", PF_PROGRAM_PREFIX);
	for (i = 0; i < NTOOLS; i++)
		fprintf(f, "  %-10s %s\n", tools[i].name, tools[i].what);
	fprintf(f, "Commands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].what);
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

static const struct command *
find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	return NULL;
}

/* head, tail, headers: the common reader options, and -n N. */
static int
run_peek(int argc, char **argv)
{
	static const struct option longopts[] = {
		PF_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const struct command *c = find_command(argv[0]);
	enum pf_peek_mode mode = argv[0][0] == 'h' ? (argv[0][4] == '\0' ?
	    PF_PEEK_HEAD : PF_PEEK_HEADERS) : PF_PEEK_TAIL;
	struct pf_options opt;
	char usage_text[256], *usage_all;
	long n = mode == PF_PEEK_HEADERS ? 1000 : 10;
	int ch;

	snprintf(usage_text, sizeof(usage_text), "usage: pflow %s\n%s\n"
	    "  -n N                      records (default %ld)\n", c->usage,
	    c->what, n);
	usage_all = pf_options_begin(&opt, usage_text);
	pf_options_words(&opt, argv, longopts);
	while ((ch = getopt_long(argc, argv, PF_COMMON_SHORTOPTS "n:",
	    longopts, NULL)) != -1) {
		if (ch == 'n')
			n = pf_count_arg(usage_all, "-n", optarg, 0, 1000000000L);
		else
			pf_options_common(&opt, ch, optarg, usage_all);
	}
	pf_options_inputs(&opt, argv + optind, argc - optind, usage_all);
	pf_options_finish(&opt);
	return pf_peek_main(&opt, mode, n, argv + optind, argc - optind);
}

/*
 * An unknown word: a Miller or xsv verb gets the pflow command that does
 * it, a near miss the nearest name. Returns 2.
 */
static int
unknown_word(const char *word)
{
	const char *names[NTOOLS + NCOMMANDS + NVERBS];
	size_t i, n = 0;
	long near;

	for (i = 0; i < NVERBS; i++)
		if (strcmp(word, verbs[i].word) == 0) {
			warnx("'%s' is a Miller/xsv verb; in pflow: %s", word,
			    verbs[i].answer);
			return 2;
		}
	for (i = 0; i < NTOOLS; i++)
		names[n++] = tools[i].name;
	for (i = 0; i < NCOMMANDS; i++)
		names[n++] = commands[i].name;
	for (i = 0; i < NVERBS; i++)
		names[n++] = verbs[i].word;
	near = pf_suggest(word, strlen(word), names, n);
	if (near >= 0)
		warnx("unknown tool '%s'; did you mean '%s'?", word,
		    names[near]);
	else
		warnx("unknown tool '%s'", word);
	usage(stderr);
	return 2;
}

/* Runs the tool with argv (argv[0] is replaced); returns only on failure. */
static void
run_tool(const struct tool *t, char **argv)
{
	char self[PATH_MAX], path[PATH_MAX + 64], *slash;
	int tries;

	if (pf_self_exe(self, sizeof(self)) != 0)
		err(1, "cannot find the pflow executable's own path");
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

/* pflow stats ARG...: preduce --summary ARG... */
static int
stats(int argc, char **argv)
{
	char **args = calloc((size_t)argc + 2, sizeof(char *));
	int i;

	if (args == NULL)
		err(1, NULL);
	args[1] = "--summary";
	for (i = 1; i < argc; i++)
		args[i + 1] = argv[i];
	run_tool(find_tool("reduce"), args);
	free(args);
	return 1;
}

int
main(int argc, char *argv[])
{
	const struct command *c;
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
		if (strcmp(argv[2], "expressions") == 0) {
			pf_expr_help(stdout);
			return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
		}
		if ((c = find_command(argv[2])) != NULL) {
			char *args[] = { argv[2], "--help", NULL };

			optind = 1;
			return c->run(2, args);
		}
		if ((t = find_tool(argv[2])) == NULL)
			return unknown_word(argv[2]);
		run_tool(t, help);
	}
	if ((c = find_command(argv[1])) != NULL) {
		optind = 1;
		return c->run(argc - 1, argv + 1);
	}
	if ((t = find_tool(argv[1])) == NULL)
		return unknown_word(argv[1]);
	run_tool(t, argv + 1);
	return 1;
}
