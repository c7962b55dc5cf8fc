/*
 * ptakesort - write the first N records in the order of some keys, or
 * every record in that order.
 *
 * Option parsing and wiring only; the work is in lib/takesort/.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/options.h"
#include "takesort/takesort.h"

static char *usage_all;

static const char usage_text[] =
"usage: ptakesort [OPTIONS] [-n N] -k KEY[:num|:str][:desc][,KEY...] [FILE...]\n"
"Write the first N records (header first) in the order of the keys, or\n"
"without -n every record (a stable sort); ties keep input order.\n"
"  -n, --count N             how many records to write\n"
"  -k, --key(s) KEYS         fields or expressions, each with optional\n"
"                            :num or :str (comparison) and :desc or :asc\n"
"  -g, --group KEY[,KEY...]  the first N records of each group, groups in\n"
"                            order of first appearance\n"
"  --sample                  a uniform random sample of N records instead\n"
"                            (no -k), in input order\n"
"  --seed S                  the sample's seed (default: a new one each\n"
"                            run, which --stats prints)\n"
"  --memory SIZE             without -n: records sorted in memory before\n"
"                            runs are spilled to disk (default 256M)\n"
"  -T, --temporary-directory DIR\n"
"                            where spilled runs go (default $TMPDIR or /tmp)\n";

enum { OPT_SAMPLE = PF_OPT_TOOL, OPT_SEED, OPT_MEMORY };

/* Parses --seed: a 64-bit number. */
static uint64_t
parse_seed(const char *s)
{
	unsigned long long n;
	char *end;

	errno = 0;
	n = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || errno != 0 || *end != '\0')
		pf_usage_error(usage_all, "--seed: invalid seed '%s'", s);
	return n;
}

/* Parses -n: a decimal count. */
static size_t
parse_count(const char *s)
{
	unsigned long long n;
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		pf_usage_error(usage_all, "-n: invalid count '%s'", s);
	n = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || n > SIZE_MAX / 2)
		pf_usage_error(usage_all, "-n: invalid count '%s'", s);
	return (size_t)n;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		PF_COMMON_LONGOPTS,
		{ "count",	required_argument, NULL, 'n' },
		PF_KEY_LONGOPTS,
		{ "group",	required_argument, NULL, 'g' },
		{ "sample",	no_argument,	   NULL, OPT_SAMPLE },
		{ "seed",	required_argument, NULL, OPT_SEED },
		{ "memory",	required_argument, NULL, OPT_MEMORY },
		{ "temporary-directory", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 }
	};
	struct pf_takesort_args args = { .memory = (size_t)256 << 20 };
	struct pf_options opt;
	bool have_count = false;
	int ch;

	usage_all = pf_options_begin(&opt, usage_text);
	pf_options_words(&opt, argv, longopts);
	while ((ch = getopt_long(argc, argv, PF_COMMON_SHORTOPTS "n:k:g:T:",
	    longopts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			args.limit = parse_count(optarg);
			have_count = true;
			break;
		case 'k':
			args.keys = optarg;
			break;
		case 'g':
			args.groups = optarg;
			break;
		case OPT_SAMPLE:
			args.sample = true;
			break;
		case OPT_SEED:
			args.seed = parse_seed(optarg);
			args.seeded = true;
			break;
		case OPT_MEMORY:
			if (!pf_parse_size(optarg, &args.memory) ||
			    args.memory == 0)
				pf_usage_error(usage_all, "bad --memory size "
				    "'%s' (e.g. 64M, 1G)", optarg);
			break;
		case 'T':
			if (*optarg == '\0')
				pf_usage_error(usage_all, "-T: empty directory");
			args.tmpdir = optarg;
			break;
		default:
			pf_options_common(&opt, ch, optarg, usage_all);
		}
	}
	argc -= optind;
	argv += optind;
	args.whole = !have_count;
	if (args.whole && args.groups != NULL)
		pf_usage_error(usage_all, "-g needs -n N");
	if (args.whole && args.sample)
		pf_usage_error(usage_all, "--sample needs -n N");
	if (args.keys == NULL && !args.sample)
		pf_usage_error(usage_all, "missing -k KEY");
	if (args.keys != NULL && args.sample)
		pf_usage_error(usage_all, "--sample takes no -k: its order is "
		    "random");
	if (args.tmpdir == NULL)
		args.tmpdir = getenv("TMPDIR") != NULL &&
		    *getenv("TMPDIR") != '\0' ? getenv("TMPDIR") : "/tmp";
	pf_options_inputs(&opt, argv, argc, usage_all);
	pf_options_finish(&opt);
	return pf_takesort_main(&opt, &args, argv, argc);
}
