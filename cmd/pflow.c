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
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
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
};
#define NTOOLS (sizeof(tools) / sizeof(tools[0]))

static int run_peek(int argc, char **argv);

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
};
#define NVERBS (sizeof(verbs) / sizeof(verbs[0]))

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: pflow TOOL [ARG...]\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "       pflow %s\n", commands[i].usage);
	fprintf(f, "       pflow help [TOOL]\n"
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
	while ((ch = getopt_long(argc, argv, PF_COMMON_SHORTOPTS "n:",
	    longopts, NULL)) != -1) {
		if (ch == 'n')
			n = pf_count_arg(usage_all, "-n", optarg, 0, 1000000000L);
		else
			pf_options_common(&opt, ch, optarg, usage_all);
	}
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
