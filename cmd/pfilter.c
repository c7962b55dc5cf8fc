/*
 * pfilter - write the records for which an expression is true.
 *
 * Option parsing and wiring only; the work is in lib/filter/filter.c.
 */
#include <stdio.h>
#include <stdlib.h>

#include "filter/filter.h"
#include "engine/options.h"

static const char usage_text[] =
"usage: pfilter [-vc] [OPTIONS] EXPR [FILE...]\n"
"Write the records (header first) for which EXPR is true.\n"
"  -v, --invert              write the records for which EXPR is false\n"
"  -c, --count               print only the number of matching records\n"
"  --unique KEY[,KEY...]     of those, only the first record of each key\n"
"  --seed N                  rand() gives the same values for the same N\n";

enum { OPT_UNIQUE = PF_OPT_TOOL };

static char *usage_all;

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		PF_COMMON_LONGOPTS,
		{ "invert",	no_argument,	NULL, 'v' },
		{ "count",	no_argument,	NULL, 'c' },
		{ "unique",	required_argument, NULL, OPT_UNIQUE },
		PF_SEED_LONGOPT,
		{ NULL, 0, NULL, 0 }
	};
	struct pf_filter_args args = { 0 };
	struct pf_options opt;
	int ch;

	usage_all = pf_options_begin_expr(&opt, usage_text);
	pf_options_words(&opt, argv, longopts);
	while ((ch = getopt_long(argc, argv, PF_COMMON_SHORTOPTS "vc", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'v':
			args.invert = true;
			break;
		case 'c':
			args.count = true;
			break;
		case OPT_UNIQUE:
			args.unique = optarg;
			break;
		default:
			pf_options_common(&opt, ch, optarg, usage_all);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		pf_usage_error(usage_all, "missing EXPR");
	pf_options_inputs(&opt, argv + 1, argc - 1, usage_all);
	pf_options_finish(&opt);
	args.expr = argv[0];
	pf_check_operand_order(usage_all, argv[0], argv + 1, argc - 1);
	return pf_filter_main(&opt, &args, argv + 1, argc - 1);
}
