/*
 * pscan - each record, in input order, with new columns computed from
 * the state of its key: running sums, lag and lead, fill-down, moving
 * windows, sessions.
 *
 * Option parsing and wiring only; the work is in lib/scan/.
 */
#include <stdio.h>
#include <stdlib.h>

#include "engine/options.h"
#include "scan/scan.h"

static const char usage_text[] =
"usage: pscan [OPTIONS] [-k KEY[,KEY...]] STEP... [FILE...]\n"
"Write each record with new columns computed from the state of its key.\n"
"STEP is one of (each may end in :NAME, the column's name):\n"
"  count, rank               records of the key so far (row number)\n"
"  count:F                   non-empty values of F so far\n"
"  sum:F mean:F min:F max:F  running, exact (as preduce's)\n"
"  first:F  fill:F           first, last non-empty value (fill-down)\n"
"  lag:F[:N]  lead:F[:N]     F of the key's Nth record before, after\n"
"  delta:F  ratio:F          F minus, divided by, the key's last number\n"
"  msum:W:F mmean:W:F mmin:W:F mmax:W:F\n"
"                            over the key's last W records (5), or a\n"
"                            time span W (10m) with --time\n"
"  ewma:ALPHA:F              exponentially weighted moving average\n"
"  session:GAP               session number; a new one after GAP (--time)\n"
"STEPs come first; the first operand that is not one starts the files.\n"
"  -k, --key(s) KEY[,KEY...] the key: fields or expressions (none: one)\n"
"  --time FIELD              a record's time (ISO 8601 or epoch seconds)\n"
"  --memory SIZE             most that lead holds back (default 256M)\n";

enum { OPT_TIME = PF_OPT_TOOL, OPT_MEMORY };

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		PF_COMMON_LONGOPTS,
		PF_KEY_LONGOPTS,
		{ "time",	required_argument, NULL, OPT_TIME },
		{ "memory",	required_argument, NULL, OPT_MEMORY },
		{ NULL, 0, NULL, 0 }
	};
	struct pf_scan_args args = { .memory = PF_SCAN_MEMORY_DEFAULT };
	struct pf_options opt;
	char *usage_all;
	int ch, n;

	usage_all = pf_options_begin(&opt, usage_text);
	pf_options_words(&opt, argv, longopts);
	while ((ch = getopt_long(argc, argv, PF_COMMON_SHORTOPTS "k:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'k':
			args.keys = optarg;
			break;
		case OPT_TIME:
			args.time_field = optarg;
			break;
		case OPT_MEMORY:
			if (!pf_parse_size(optarg, &args.memory) ||
			    args.memory == 0)
				pf_usage_error(usage_all, "bad --memory '%s' "
				    "(a size, e.g. 256M)", optarg);
			break;
		default:
			pf_options_common(&opt, ch, optarg, usage_all);
		}
	}
	argc -= optind;
	argv += optind;
	for (n = 0; n < argc && pf_scan_is_step(argv[n]); n++)
		;
	if (n == 0 && argc > 0)
		pf_usage_error(usage_all, "'%s' is not a STEP (count, rank or "
		    "FUNC:...); to key by it: pscan -k %s STEP...", argv[0],
		    argv[0]);
	if (n == 0)
		pf_usage_error(usage_all, "missing STEP");
	args.steps = argv;
	args.nsteps = n;
	pf_scan_check_steps(&args, usage_all);
	pf_options_inputs(&opt, argv + n, argc - n, usage_all);
	pf_options_finish(&opt);
	args.strict = opt.strict;
	return pf_scan_main(&opt, &args, argv + n, argc - n);
}
