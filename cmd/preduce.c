/*
 * preduce - group records by keys and aggregate each group, in parallel,
 * with mergeable partial state.
 *
 * Option parsing and wiring only; the work is in lib/reduce/reduce.c.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "engine/options.h"
#include "reduce/reduce.h"

static const char usage_text[] =
"usage: preduce [OPTIONS] [-k KEY[,KEY...]] AGG... [FILE...]\n"
"       preduce [OPTIONS] --merge [--partial] [FILE...]\n"
"       preduce [OPTIONS] --summary [--memory SIZE] [FILE...]\n"
"Write one record per group: the keys, then one column per AGG.\n"
"AGG is count or FUNC:FIELD[:NAME], FUNC one of count sum mean min max\n"
"first last distinct stdev var median mode, or pN for a percentile (p90,\n"
"p99.9). AGGs come first; the first operand that is not one starts the\n"
"files (./count is a file named count).\n"
"  -k, --key(s) KEY[,KEY...] group by these fields or expressions\n"
"  --partial                 write mergeable partial state\n"
"  --merge                   read partial state (from --partial) and merge\n"
"  --pivot FIELD             long to wide: one column per value of FIELD,\n"
"                            holding the one AGG, one record per key\n"
"  --every N                 write a snapshot after every N records\n"
"  --interval DURATION       write a snapshot every DURATION (e.g. 5s)\n"
"  --window count:N|time:DURATION|event:DURATION\n"
"                            reset the groups at each window's end\n"
"  --time FIELD              event time of a record (event windows)\n"
"  --lateness DURATION       how late an event may come (default 0)\n"
"  --summary                 one row per column: type, count, empty,\n"
"                            distinct, min, max, mean, stdev, p25, median,\n"
"                            p75, minlen, maxlen, top, approx (pflow stats)\n"
"  --memory SIZE             --summary: exact while the distinct values fit\n"
"                            in SIZE (256M), then sketches (approx says)\n";

enum {
	OPT_PARTIAL = PF_OPT_TOOL, OPT_MERGE, OPT_EVERY,
	OPT_INTERVAL, OPT_WINDOW, OPT_TIME, OPT_LATENESS, OPT_PIVOT,
	OPT_SUMMARY, OPT_MEMORY
};

/* --summary: no -k, AGG or other mode; every operand is a file. */
static int
summary_main(struct pf_options *opt, const struct pf_reduce_args *args,
    size_t memory, char **files, int nfiles, const char *usage_all)
{
	if (args->keys != NULL || args->merge || args->partial ||
	    args->pivot != NULL || pf_reduce_streaming(args) ||
	    args->time_field != NULL)
		pf_usage_error(usage_all, "--summary takes no -k, --merge, "
		    "--partial, --pivot or window options");
	if (nfiles > 0 && pf_reduce_is_agg(files[0]))
		pf_usage_error(usage_all, "--summary takes no AGG: '%s' (it "
		    "summarizes every column)", files[0]);
	pf_options_inputs(opt, files, nfiles, usage_all);
	pf_options_finish(opt);
	return pf_reduce_summary_main(opt, memory != 0 ? memory :
	    PF_SUMMARY_MEMORY_DEFAULT, files, nfiles);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		PF_COMMON_LONGOPTS,
		PF_KEY_LONGOPTS,
		{ "partial",	no_argument,	   NULL, OPT_PARTIAL },
		{ "merge",	no_argument,	   NULL, OPT_MERGE },
		{ "every",	required_argument, NULL, OPT_EVERY },
		{ "interval",	required_argument, NULL, OPT_INTERVAL },
		{ "window",	required_argument, NULL, OPT_WINDOW },
		{ "time",	required_argument, NULL, OPT_TIME },
		{ "lateness",	required_argument, NULL, OPT_LATENESS },
		{ "pivot",	required_argument, NULL, OPT_PIVOT },
		{ "summary",	no_argument,	   NULL, OPT_SUMMARY },
		{ "memory",	required_argument, NULL, OPT_MEMORY },
		{ NULL, 0, NULL, 0 }
	};
	struct pf_reduce_args args = { 0 };
	struct pf_options opt;
	char *usage_all, *end, msg[256];
	unsigned long long every;
	size_t memory = 0;
	bool summary = false;
	int ch, n;

	usage_all = pf_options_begin(&opt, usage_text);
	pf_options_words(&opt, argv, longopts);
	while ((ch = getopt_long(argc, argv, PF_COMMON_SHORTOPTS "k:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'k':
			args.keys = optarg;
			break;
		case OPT_PARTIAL:
			args.partial = true;
			break;
		case OPT_MERGE:
			args.merge = true;
			break;
		case OPT_EVERY:
			errno = 0;
			every = strtoull(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end != '\0' ||
			    every == 0 || errno != 0)
				pf_usage_error(usage_all, "bad --every '%s' (a "
				    "number of records > 0)", optarg);
			args.every = every;
			break;
		case OPT_INTERVAL:
			if (!pf_parse_duration(optarg, &args.interval_ms) ||
			    args.interval_ms <= 0)
				pf_usage_error(usage_all, "bad --interval '%s' "
				    "(a duration > 0, e.g. 5s)", optarg);
			break;
		case OPT_WINDOW:
			if (!pf_reduce_parse_window(optarg, &args, msg,
			    sizeof(msg)))
				pf_usage_error(usage_all, "%s", msg);
			break;
		case OPT_TIME:
			args.time_field = optarg;
			break;
		case OPT_PIVOT:
			args.pivot = optarg;
			break;
		case OPT_SUMMARY:
			summary = true;
			break;
		case OPT_MEMORY:
			if (!pf_parse_size(optarg, &memory) || memory == 0)
				pf_usage_error(usage_all, "bad --memory '%s' "
				    "(a size > 0, e.g. 512M)", optarg);
			break;
		case OPT_LATENESS:
			if (!pf_parse_duration(optarg, &args.lateness_ms) ||
			    args.lateness_ms < 0)
				pf_usage_error(usage_all, "bad --lateness '%s' "
				    "(a duration, e.g. 10m)", optarg);
			break;
		default:
			pf_options_common(&opt, ch, optarg, usage_all);
		}
	}
	argc -= optind;
	argv += optind;
	if (summary)
		return summary_main(&opt, &args, memory, argv, argc,
		    usage_all);
	if (memory != 0)
		pf_usage_error(usage_all, "--memory goes with --summary");
	for (n = 0; n < argc && pf_reduce_is_agg(argv[n]); n++)
		;
	if (args.merge && (n > 0 || args.keys != NULL))
		pf_usage_error(usage_all, "--merge takes no -k or AGG: the "
		    "partial header names them");
	if (!args.merge && n == 0 && argc > 0 && access(argv[0], F_OK) == 0)
		pf_usage_error(usage_all, "missing AGG before the file '%s' "
		    "(count or FUNC:FIELD): preduce%s%s count %s", argv[0],
		    args.keys != NULL ? " -k " : "",
		    args.keys != NULL ? args.keys : "", argv[0]);
	if (!args.merge && n == 0 && argc > 0 && args.keys != NULL)
		pf_usage_error(usage_all, "'%s' is not an AGG (count or "
		    "FUNC:FIELD): preduce -k %s AGG... [FILE...]", argv[0],
		    args.keys);
	if (!args.merge && n == 0 && argc > 0)
		pf_usage_error(usage_all, "'%s' is not an AGG (count or "
		    "FUNC:FIELD); to group by it: preduce -k %s AGG...",
		    argv[0], argv[0]);
	if (!args.merge && n == 0)
		pf_usage_error(usage_all, "missing AGG");
	if (!pf_reduce_check_stream(&args, msg, sizeof(msg)))
		pf_usage_error(usage_all, "%s", msg);
	pf_reduce_check_aggs(argv, n);
	args.aggs = argv;
	args.naggs = n;
	if (!pf_reduce_check_pivot(&args, msg, sizeof(msg)))
		pf_usage_error(usage_all, "%s", msg);
	pf_options_inputs(&opt, argv + n, argc - n, usage_all);
	pf_options_finish(&opt);
	args.strict = opt.strict;
	args.aggs = argv;
	args.naggs = n;
	return pf_reduce_main(&opt, &args, argv + n, argc - n);
}
