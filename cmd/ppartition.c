/*
 * ppartition - route records by key to files or to parallel copies of a
 * command.
 *
 * Option parsing and wiring only; the work is in lib/partition/partition.c and, for
 * command mode (everything after "--"), lib/partition/partition_cmd.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv/view.h"
#include "engine/options.h"
#include "partition/partition.h"
#include "support/xalloc.h"

static const char usage_text[] =
"usage: ppartition [OPTIONS] -k KEY -n N -o PATTERN [FILE...]\n"
"       ppartition [OPTIONS] --by-value -k KEY -o PATTERN [FILE...]\n"
"       ppartition [OPTIONS] -k KEY -n N [-a FILE]... -- COMMAND [ARG...]\n"
"Send each record to partition XXH64(key) mod N (header first in each).\n"
"  -k, --key(s) KEY[,KEY...] fields or expressions; several are joined by\n"
"                            the byte 0x1f before hashing\n"
"  -n, --partitions N        number of partitions (1 to 100000)\n"
"  -o, --output PATTERN      write partition i to PATTERN, {} replaced by i\n"
"  --by-value                one file per distinct key value ({} is the\n"
"                            value, made safe for file names)\n"
"  --max-open N              --by-value: files open at once (default 256)\n"
"  -a, --arg-file FILE       command mode: read records from FILE\n"
"  --broadcast               send every record to every partition\n"
"  --header-once             command mode: the copies' first output lines\n"
"                            are one header, written once\n";

enum {
	OPT_BY_VALUE = PF_OPT_TOOL, OPT_MAX_OPEN, OPT_BROADCAST,
	OPT_HEADER_ONCE,
};

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		PF_COMMON_LONGOPTS,
		PF_KEY_LONGOPTS,
		{ "partitions",	 required_argument, NULL, 'n' },
		{ "output",	 required_argument, NULL, 'o' },
		{ "arg-file",	 required_argument, NULL, 'a' },
		{ "by-value",	 no_argument,	    NULL, OPT_BY_VALUE },
		{ "max-open",	 required_argument, NULL, OPT_MAX_OPEN },
		{ "broadcast",	 no_argument,	    NULL, OPT_BROADCAST },
		{ "header-once", no_argument,	    NULL, OPT_HEADER_ONCE },
		{ NULL, 0, NULL, 0 }
	};
	struct pf_partition_args args = { .max_open = 256 };
	struct pf_options opt;
	char **afiles, *usage_all;
	int ch, nafiles = 0, status;
	bool command;

	usage_all = pf_options_begin(&opt, usage_text);
	pf_options_words(&opt, argv, longopts);
	afiles = pf_xcalloc((size_t)argc + 1, sizeof(*afiles));
	while ((ch = getopt_long(argc, argv, PF_COMMON_SHORTOPTS "k:n:o:a:",
	    longopts, NULL)) != -1) {
		switch (ch) {
		case 'k':
			args.keys = optarg;
			break;
		case 'n':
			args.nparts = (uint64_t)pf_count_arg(usage_all, "-n",
			    optarg, 1, 100000);
			break;
		case 'o':
			args.pattern = optarg;
			break;
		case 'a':
			afiles[nafiles++] = optarg;
			break;
		case OPT_BY_VALUE:
			args.by_value = true;
			break;
		case OPT_MAX_OPEN:
			args.max_open = pf_count_arg(usage_all, "--max-open",
			    optarg, 1, 1000000);
			break;
		case OPT_BROADCAST:
			args.broadcast = true;
			break;
		case OPT_HEADER_ONCE:
			args.header_once = true;
			break;
		default:
			pf_options_common(&opt, ch, optarg, usage_all);
		}
	}
	/* Command mode: getopt stopped at "--" and words follow it. */
	command = optind > 1 && strcmp(argv[optind - 1], "--") == 0 &&
	    optind < argc && args.pattern == NULL;
	argc -= optind;
	argv += optind;

	if (command)
		args.command = argv;
	else if (args.pattern == NULL)
		pf_usage_error(usage_all, "-o PATTERN or -- COMMAND is needed");
	if (args.keys == NULL && !args.broadcast)
		pf_usage_error(usage_all, "missing -k KEY");
	if (args.keys != NULL && args.broadcast)
		pf_usage_error(usage_all, "--broadcast takes no -k");
	if (args.by_value) {
		if (command || args.broadcast)
			pf_usage_error(usage_all, "--by-value works with -o "
			    "only");
		if (args.nparts != 0)
			pf_usage_error(usage_all, "--by-value takes no -n");
	} else if (args.nparts == 0)
		pf_usage_error(usage_all, "missing -n N");
	if (args.pattern != NULL && strstr(args.pattern, "{}") == NULL)
		pf_usage_error(usage_all, "-o PATTERN must contain {}");
	if (!command && (nafiles > 0 || args.header_once))
		pf_usage_error(usage_all, "%s works in command mode only "
		    "(-- COMMAND)", nafiles > 0 ? "-a" : "--header-once");
	if (command && args.nparts > 1000)
		pf_usage_error(usage_all, "-n: at most 1000 copies of a "
		    "command");
	pf_options_inputs(&opt, command ? afiles : argv, command ? nafiles : argc,
	    usage_all);
	pf_options_finish(&opt);
	if (pf_format_is_view(opt.out_format))
		pf_usage_error(usage_all, "%s is a view for people; "
		    "partitions are written as CSV, TSV or JSON Lines",
		    pf_format_option(opt.out_format));
	status = pf_partition_main(&opt, &args, command ? afiles : argv,
	    command ? nafiles : argc);
	free(afiles);
	return status;
}
