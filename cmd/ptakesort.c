/*
 * ptakesort - write the first N records in the order of some keys.
 *
 * Option parsing and wiring only; the work is in lib/takesort.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "options.h"
#include "takesort.h"

static char *usage_all;

static const char usage_text[] =
"usage: ptakesort [OPTIONS] -n N -k KEY[:num|:str][:desc][,KEY...] [FILE...]\n"
"Write the first N records (header first) in the order of the keys;\n"
"ties keep input order.\n"
"  -n, --count N             how many records to write\n"
"  -k, --key(s) KEYS         fields or expressions, each with optional\n"
"                            :num or :str (comparison) and :desc or :asc\n"
"  -g, --group KEY[,KEY...]  the first N records of each group, groups in\n"
"                            order of first appearance\n";

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
		{ "key",	required_argument, NULL, 'k' },
		{ "keys",	required_argument, NULL, 'k' },
		{ "group",	required_argument, NULL, 'g' },
		{ NULL, 0, NULL, 0 }
	};
	struct pf_takesort_args args = { 0 };
	struct pf_options opt;
	bool have_count = false;
	int ch;

	usage_all = pf_options_begin(&opt, usage_text);
	while ((ch = getopt_long(argc, argv, PF_COMMON_SHORTOPTS "n:k:g:",
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
		default:
			pf_options_common(&opt, ch, optarg, usage_all);
		}
	}
	argc -= optind;
	argv += optind;
	if (!have_count)
		pf_usage_error(usage_all, "missing -n N");
	if (args.keys == NULL)
		pf_usage_error(usage_all, "missing -k KEY");
	pf_options_finish(&opt);
	return pf_takesort_main(&opt, &args, argv, argc);
}
