/*
 * pmap - compute new columns per record, or run a command per record.
 *
 * Option parsing and wiring only: expression mode is lib/map/map.c, command
 * mode (everything after "--") is lib/map/command.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map/command.h"
#include "map/map.h"
#include "csv/view.h"
#include "engine/options.h"
#include "map/reshape.h"
#include "support/xalloc.h"

static const char usage_text[] =
"usage: pmap [OPTIONS] EXPR [FILE...]\n"
"       pmap [OPTIONS] [-a FILE]... -- COMMAND [ARG...]\n"
"       pmap [OPTIONS] --explode FIELD [--sep S] | --melt FIELDS [FILE...]\n"
"Write one record per input record with the columns of EXPR:\n"
"a comma-separated list of `name = expr`, fields (name, {any name}, $3 or 3),\n"
"ranges (2..4, a..b), regexes on names (/^dme_/), `old as new` (in place\n"
"after `*`), `-name` or `-/re/` to remove, and `*` (the fields not named).\n"
"  --seed N                  rand() gives the same values for the same N\n"
"With --, run COMMAND per record ({} the record, {name} or {3} a field,\n"
"{#} the job number; without any, the record is the last argument):\n"
"  -a, --arg-file FILE       read records from FILE (repeatable; default stdin)\n"
"  --unordered               write outputs as commands finish\n"
"  --timeout DURATION        end a command after DURATION (TERM, then KILL)\n"
"  --retries N               run a failed command up to N more times\n"
"  --halt                    start no new command after a failure\n"
"  --failed FILE             write the records whose command failed to FILE\n"
"  --batch N                 N records per command, on its stdin (header first)\n"
"  --batch-timeout DURATION  run a partial batch after DURATION of slow input (1s)\n"
"  --batch-key KEY[,KEY...]  batch records with equal keys (fields or exprs)\n"
"  --pipe                    feed each input chunk (--chunk) to a command's stdin\n"
"  --rate N/DURATION         start at most N commands per DURATION\n"
"  --joblog FILE             one line per command (GNU parallel's format)\n"
"  --resume                  skip the jobs that succeeded in --joblog\n"
"Reshaping (no EXPR):\n"
"  --explode FIELD           one record per part of FIELD (a JSON array: per\n"
"                            element)\n"
"  --sep S                   --explode's separator (default ,)\n"
"  --melt FIELD[,FIELD...]   one record per listed field: the other fields,\n"
"                            then name and value (wide to long)\n";

enum {
	OPT_UNORDERED = PF_OPT_TOOL, OPT_TIMEOUT, OPT_RETRIES, OPT_HALT,
	OPT_FAILED, OPT_BATCH, OPT_BATCH_TIMEOUT, OPT_BATCH_KEY, OPT_PIPE,
	OPT_RATE, OPT_JOBLOG, OPT_RESUME, OPT_EXPLODE, OPT_SEP, OPT_MELT
};

static char *usage_all;

static long
parse_ms(const char *opt, const char *arg)
{
	long ms;

	if (!pf_parse_duration(arg, &ms) || ms <= 0)
		pf_usage_error(usage_all, "bad %s duration '%s' (e.g. 500ms, "
		    "10s, 2m)", opt, arg);
	return ms;
}

/* "10/1s", "10/s", "5/100ms". */
static void
parse_rate(const char *arg, struct pf_command_args *a)
{
	const char *slash = strchr(arg, '/');
	char *n, dur[64];

	if (slash == NULL || slash == arg || strlen(slash + 1) + 2 > sizeof(dur))
		pf_usage_error(usage_all, "bad --rate '%s' (e.g. 10/1s)", arg);
	n = pf_xstrndup(arg, (size_t)(slash - arg));
	a->rate_n = pf_count_arg(usage_all, "--rate", n, 1, 1000000);
	free(n);
	snprintf(dur, sizeof(dur), "%s%s",
	    slash[1] >= '0' && slash[1] <= '9' ? "" : "1", slash + 1);
	if (!pf_parse_duration(dur, &a->rate_ms) || a->rate_ms <= 0)
		pf_usage_error(usage_all, "bad --rate '%s' (e.g. 10/1s)", arg);
}

/* pmap --explode or --melt: checks the options, then runs. */
static int
reshape_main(struct pf_options *opt, const struct pf_reshape_args *r,
    char **files, int nfiles)
{
	if (r->explode != NULL && r->melt != NULL)
		pf_usage_error(usage_all, "--explode and --melt exclude each "
		    "other");
	if (r->explode == NULL && r->melt == NULL)
		pf_usage_error(usage_all, "--sep is for --explode");
	if (r->melt != NULL && strcmp(r->sep, ",") != 0)
		pf_usage_error(usage_all, "--sep is for --explode");
	if (r->sep[0] == '\0')
		pf_usage_error(usage_all, "--sep needs at least one byte");
	pf_options_inputs(opt, files, nfiles, usage_all);
	pf_options_finish(opt);
	return pf_reshape_main(opt, r, files, nfiles);
}

/* The index of a "--" with words after it, or 0 (expression mode). */
static int
find_command(int argc, char *argv[])
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0)
			return i + 1 < argc ? i : 0;
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		PF_COMMON_LONGOPTS,
		{ "arg-file",	   required_argument, NULL, 'a' },
		{ "unordered",	   no_argument,	      NULL, OPT_UNORDERED },
		{ "timeout",	   required_argument, NULL, OPT_TIMEOUT },
		{ "retries",	   required_argument, NULL, OPT_RETRIES },
		{ "halt",	   no_argument,	      NULL, OPT_HALT },
		{ "failed",	   required_argument, NULL, OPT_FAILED },
		{ "batch",	   required_argument, NULL, OPT_BATCH },
		{ "batch-timeout", required_argument, NULL, OPT_BATCH_TIMEOUT },
		{ "batch-key",	   required_argument, NULL, OPT_BATCH_KEY },
		{ "pipe",	   no_argument,	      NULL, OPT_PIPE },
		{ "rate",	   required_argument, NULL, OPT_RATE },
		{ "joblog",	   required_argument, NULL, OPT_JOBLOG },
		{ "resume",	   no_argument,	      NULL, OPT_RESUME },
		{ "explode",	   required_argument, NULL, OPT_EXPLODE },
		{ "sep",	   required_argument, NULL, OPT_SEP },
		{ "melt",	   required_argument, NULL, OPT_MELT },
		PF_SEED_LONGOPT,
		{ NULL, 0, NULL, 0 }
	};
	struct pf_command_args a = { 0 };
	struct pf_reshape_args reshape = { .sep = "," };
	const char *reshape_opt = NULL;
	struct pf_options opt;
	char command_opt[32] = "";
	int ch, cmd_at, nopts, longindex, status;

	usage_all = pf_options_begin_expr(&opt, usage_text);
	pf_options_words(&opt, argv, longopts);
	cmd_at = find_command(argc, argv);
	nopts = cmd_at > 0 ? cmd_at : argc;
	a.files = pf_xcalloc((size_t)argc, sizeof(char *));
	while ((ch = getopt_long(nopts, argv, PF_COMMON_SHORTOPTS "a:",
	    longopts, &longindex)) != -1) {
		if (ch == 'a')
			snprintf(command_opt, sizeof(command_opt), "-a");
		else if (ch == OPT_EXPLODE || ch == OPT_SEP || ch == OPT_MELT)
			reshape_opt = longopts[longindex].name;
		else if (ch >= PF_OPT_TOOL)
			snprintf(command_opt, sizeof(command_opt), "--%s",
			    longopts[longindex].name);
		switch (ch) {
		case 'a':
			a.files[a.nfiles++] = optarg;
			break;
		case OPT_UNORDERED:
			a.unordered = true;
			break;
		case OPT_TIMEOUT:
			a.timeout_ms = parse_ms("--timeout", optarg);
			break;
		case OPT_RETRIES:
			a.retries = (int)pf_count_arg(usage_all, "--retries",
			    optarg, 0, 1000);
			break;
		case OPT_HALT:
			a.halt = true;
			break;
		case OPT_FAILED:
			a.failed_path = optarg;
			break;
		case OPT_BATCH:
			a.batch = (size_t)pf_count_arg(usage_all, "--batch",
			    optarg, 1, 100000000);
			break;
		case OPT_BATCH_TIMEOUT:
			a.batch_timeout_ms = parse_ms("--batch-timeout", optarg);
			break;
		case OPT_BATCH_KEY:
			a.batch_key = optarg;
			break;
		case OPT_PIPE:
			a.pipe = true;
			break;
		case OPT_RATE:
			parse_rate(optarg, &a);
			break;
		case OPT_JOBLOG:
			a.joblog_path = optarg;
			break;
		case OPT_RESUME:
			a.resume = true;
			break;
		case OPT_EXPLODE:
			reshape.explode = optarg;
			break;
		case OPT_SEP:
			reshape.sep = optarg;
			break;
		case OPT_MELT:
			reshape.melt = optarg;
			break;
		default:
			pf_options_common(&opt, ch, optarg, usage_all);
		}
	}
	if (cmd_at == 0) {
		/* Expression mode, exactly as before. */
		if (command_opt[0] != '\0')
			pf_usage_error(usage_all, "%s is for command mode: "
			    "pmap [OPTIONS] -- COMMAND [ARG...]", command_opt);
		argc -= optind;
		argv += optind;
		if (argc >= 1 && strcmp(argv[0], "--") == 0) {
			argc--;
			argv++;
		}
		if (reshape_opt != NULL) {
			free(a.files);
			return reshape_main(&opt, &reshape, argv, argc);
		}
		if (argc < 1)
			pf_usage_error(usage_all, "missing EXPR");
		free(a.files);
		pf_options_inputs(&opt, argv + 1, argc - 1, usage_all);
		pf_options_finish(&opt);
		pf_check_operand_order(usage_all, argv[0], argv + 1, argc - 1);
		return pf_map_main(&opt, argv[0], argv + 1, argc - 1);
	}
	if (reshape_opt != NULL)
		pf_usage_error(usage_all, "--%s is not for command mode",
		    reshape_opt);
	if (optind < cmd_at)
		pf_usage_error(usage_all, "unexpected '%s' before --: input "
		    "files come with -a FILE in command mode", argv[optind]);
	if (a.pipe && (a.batch > 0 || a.batch_key != NULL))
		pf_usage_error(usage_all, "--pipe and --batch/--batch-key "
		    "exclude each other");
	if (a.batch_timeout_ms > 0 && a.batch == 0 && a.batch_key == NULL)
		pf_usage_error(usage_all, "--batch-timeout needs --batch or "
		    "--batch-key");
	if (a.resume && a.joblog_path == NULL)
		pf_usage_error(usage_all, "--resume needs --joblog FILE");
	pf_options_inputs(&opt, a.files, a.nfiles, usage_all);
	pf_options_finish(&opt);
	if (pf_format_is_view(opt.out_format))
		pf_usage_error(usage_all, "%s shows records; command mode "
		    "writes its commands' output as it is",
		    pf_format_option(opt.out_format));
	status = pf_command_main(&opt, &a, argv + cmd_at + 1);
	free(a.files);
	return status;
}
