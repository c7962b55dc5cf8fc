/*
 * pjoin - join a stream of records with a table held in memory, in
 * parallel (Flow's bounded_join).
 *
 * Option parsing and wiring only; the work is in lib/join/join.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "join/join.h"
#include "engine/options.h"

static const char usage_text[] =
"usage: pjoin [OPTIONS] -k KEY[,KEY...] [--left|--anti|--semi] TABLE [FILE...]\n"
"Join each record of FILE... (or stdin) with TABLE's records of the same\n"
"key: the record's fields, then TABLE's other than the keys.\n"
"  -k, --key(s) KEY[,KEY...] the keys; STREAMKEY=TABLEKEY when they differ\n"
"  --left                    also the records with no match (TABLE's empty)\n"
"  --anti                    only the records with no match\n"
"  --semi                    the records with a match, once each\n"
"  --ignore-case             keys compare with ASCII case folded\n"
"  --memory SIZE             the most TABLE may hold (default 1G)\n"
"  --table-csv | --table-tsv | --table-jsonl\n"
"                            TABLE's format (default: by TABLE's name, .tsv\n"
"                            .jsonl ...; else the stream's; CSV for JSON Lines)\n";

enum {
	OPT_LEFT = PF_OPT_TOOL, OPT_ANTI, OPT_SEMI, OPT_IGNORE_CASE,
	OPT_MEMORY, OPT_TABLE_CSV, OPT_TABLE_TSV, OPT_TABLE_JSONL
};

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		PF_COMMON_LONGOPTS,
		PF_KEY_LONGOPTS,
		{ "left",	 no_argument,	    NULL, OPT_LEFT },
		{ "anti",	 no_argument,	    NULL, OPT_ANTI },
		{ "semi",	 no_argument,	    NULL, OPT_SEMI },
		{ "ignore-case", no_argument,	    NULL, OPT_IGNORE_CASE },
		{ "memory",	 required_argument, NULL, OPT_MEMORY },
		{ "table-csv",	 no_argument,	    NULL, OPT_TABLE_CSV },
		{ "table-tsv",	 no_argument,	    NULL, OPT_TABLE_TSV },
		{ "table-jsonl", no_argument,	    NULL, OPT_TABLE_JSONL },
		{ NULL, 0, NULL, 0 }
	};
	struct pf_join_args args = { .memory = (size_t)1 << 30 };
	struct pf_options opt;
	char *usage_all;
	int ch, kinds = 0;

	usage_all = pf_options_begin(&opt, usage_text);
	pf_options_words(&opt, argv, longopts);
	while ((ch = getopt_long(argc, argv, PF_COMMON_SHORTOPTS "k:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'k':
			args.keys = optarg;
			break;
		case OPT_LEFT:
		case OPT_ANTI:
		case OPT_SEMI:
			args.kind = ch == OPT_LEFT ? PF_JOIN_LEFT :
			    ch == OPT_ANTI ? PF_JOIN_ANTI : PF_JOIN_SEMI;
			kinds++;
			break;
		case OPT_IGNORE_CASE:
			args.ignore_case = true;
			break;
		case OPT_MEMORY:
			if (!pf_parse_size(optarg, &args.memory))
				pf_usage_error(usage_all, "bad --memory size "
				    "'%s' (e.g. 256M, 2G)", optarg);
			break;
		case OPT_TABLE_CSV:
		case OPT_TABLE_TSV:
		case OPT_TABLE_JSONL:
			args.table_format_set = true;
			args.table_format = ch == OPT_TABLE_CSV ? PF_CSV :
			    ch == OPT_TABLE_TSV ? PF_TSV : PF_JSONL;
			break;
		default:
			pf_options_common(&opt, ch, optarg, usage_all);
		}
	}
	argc -= optind;
	argv += optind;
	if (args.keys == NULL)
		pf_usage_error(usage_all, "missing -k KEY");
	if (kinds > 1)
		pf_usage_error(usage_all, "--left, --anti and --semi exclude "
		    "each other");
	if (argc < 1)
		pf_usage_error(usage_all, "missing TABLE");
	if (strcmp(argv[0], "-") == 0) {
		for (ch = 1; ch < argc && strcmp(argv[ch], "-") != 0; ch++)
			;
		if (argc == 1 || ch < argc)
			pf_usage_error(usage_all, "TABLE and the stream cannot "
			    "both be stdin: name the stream's files");
	}
	pf_options_inputs(&opt, argv + 1, argc - 1, usage_all);
	pf_options_finish(&opt);
	args.table = argv[0];
	return pf_join_main(&opt, &args, argv + 1, argc - 1);
}
