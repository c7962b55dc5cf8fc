/*
 * options.h - the options every tool shares, and size/duration parsing.
 *
 * Each tool's main() puts PF_COMMON_LONGOPTS in its getopt_long() table and
 * hands every option it does not know itself to pf_options_common().
 */
#ifndef PF_OPTIONS_H
#define PF_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#include "csv/record.h"

enum pf_progress { PF_PROGRESS_OFF, PF_PROGRESS_AUTO, PF_PROGRESS_ALWAYS };

struct pf_options {
	struct pf_dialect in;
	enum pf_format	out_format;
	char		out_delim;
	bool		out_set;	/* --ocsv/--otsv/--ojsonl/a view given */
	bool		delim_set;	/* -d given */
	char		out_delim_arg;	/* -D's, or 0 */
	bool		format_set;	/* --csv/--tsv/--lines given */
	const char	*names;		/* --names a,b,c (with -H), or NULL */
	bool		unite;		/* --union */
	int		jobs;
	size_t		chunk;
	bool		chunk_set;	/* --chunk given */
	int		queue;
	long		flush_ms;
	enum pf_progress progress;
	bool		stats;
	bool		strict;		/* --strict: what an expression
					   cannot compute is an error */
	const char	*bad_path;
	/* The command line and the tool's long options (pf_options_words):
	   for "did you mean" after an unknown option. */
	char *const	*argv;
	const struct option *longopts;
};

/* getopt_long() values of the long-only common options. */
enum {
	PF_OPT_CSV = 1000, PF_OPT_TSV, PF_OPT_LINES, PF_OPT_OCSV, PF_OPT_OTSV,
	PF_OPT_OJSONL, PF_OPT_CHUNK, PF_OPT_QUEUE, PF_OPT_FLUSH,
	PF_OPT_PROGRESS, PF_OPT_STATS, PF_OPT_BAD, PF_OPT_VERSION,
	PF_OPT_STRICT, PF_OPT_SEED,
	PF_OPT_OTABLE, PF_OPT_OXTAB, PF_OPT_OMD,
	PF_OPT_NAMES, PF_OPT_JSONL, PF_OPT_UNION,
	PF_OPT_TOOL = 1100	/* tools number their own long options from here */
};

/* The short options every tool shares, for getopt's option string. */
#define PF_COMMON_SHORTOPTS "j:d:D:Hh"

#define PF_COMMON_LONGOPTS						\
	{ "jobs",	required_argument, NULL, 'j' },			\
	{ "delimiter",	required_argument, NULL, 'd' },			\
	{ "no-header",	no_argument,	   NULL, 'H' },			\
	{ "csv",	no_argument,	   NULL, PF_OPT_CSV },		\
	{ "tsv",	no_argument,	   NULL, PF_OPT_TSV },		\
	{ "lines",	no_argument,	   NULL, PF_OPT_LINES },	\
	{ "names",	required_argument, NULL, PF_OPT_NAMES },	\
	{ "jsonl",	no_argument,	   NULL, PF_OPT_JSONL },	\
	{ "ijsonl",	no_argument,	   NULL, PF_OPT_JSONL },	\
	{ "union",	no_argument,	   NULL, PF_OPT_UNION },	\
	{ "ocsv",	no_argument,	   NULL, PF_OPT_OCSV },		\
	{ "otsv",	no_argument,	   NULL, PF_OPT_OTSV },		\
	{ "ojsonl",	no_argument,	   NULL, PF_OPT_OJSONL },	\
	{ "otable",	no_argument,	   NULL, PF_OPT_OTABLE },	\
	{ "oxtab",	no_argument,	   NULL, PF_OPT_OXTAB },	\
	{ "omd",	no_argument,	   NULL, PF_OPT_OMD },		\
	{ "out-delimiter", required_argument, NULL, 'D' },		\
	{ "chunk",	required_argument, NULL, PF_OPT_CHUNK },	\
	{ "queue",	required_argument, NULL, PF_OPT_QUEUE },	\
	{ "flush",	required_argument, NULL, PF_OPT_FLUSH },	\
	{ "progress",	optional_argument, NULL, PF_OPT_PROGRESS },	\
	{ "stats",	no_argument,	   NULL, PF_OPT_STATS },	\
	{ "bad",	required_argument, NULL, PF_OPT_BAD },		\
	{ "strict",	no_argument,	   NULL, PF_OPT_STRICT },	\
	{ "help",	no_argument,	   NULL, 'h' },			\
	{ "version",	no_argument,	   NULL, PF_OPT_VERSION }

/*
 * --seed N, for the tools whose expressions may call rand() (pfilter,
 * pmap): put it in the getopt_long() table; pf_options_common() takes it.
 */
#define PF_SEED_LONGOPT { "seed", required_argument, NULL, PF_OPT_SEED }

/*
 * -k KEY[,KEY...] as --key and --keys, for the tools that take a key
 * (pjoin, ppartition, preduce, pscan, ptakesort): put it in the
 * getopt_long() table and "k:" in the option string; the tool takes 'k'.
 */
#define PF_KEY_LONGOPTS							\
	{ "key",	required_argument, NULL, 'k' },			\
	{ "keys",	required_argument, NULL, 'k' }

/* The common options' lines of --help, shared by every usage(). */
extern const char pf_common_usage[];

void pf_options_init(struct pf_options *o);

/*
 * Starts a tool's main(): the UTF-8 character locale, default options,
 * and the full usage text (the tool's, then the common options').
 */
char *pf_options_begin(struct pf_options *o, const char *tool_usage);

/*
 * Tells the options the command line and the tool's getopt_long() table,
 * before the loop: an unknown long option is then answered with the
 * nearest one ("did you mean '--unique'?") after getopt's message.
 */
void pf_options_words(struct pf_options *o, char *const argv[],
    const struct option *longopts);

/*
 * Applies common option ch with argument arg; anything else (an unknown
 * option, a bad value) is a usage error: one message, a pointer to
 * --help, exit 2. -h/--help prints usage_text on stdout and exits 0;
 * --version exits 0.
 */
void pf_options_common(struct pf_options *o, int ch, const char *arg,
    const char *usage_text);

/*
 * pf_options_begin() for a tool whose argument is an expression (pfilter,
 * pmap): the usage text ends with the expression summary.
 */
char *pf_options_begin_expr(struct pf_options *o, const char *tool_usage);
/* The option that names format ("--tsv", "--otable"), for messages. */
const char *pf_format_option(enum pf_format format);

/*
 * The format a file's name says, after a compression suffix (.gz, .bgz,
 * .zst, .zstd, .bz2, .xz): .tsv and .tab TSV, .jsonl and .ndjson JSON
 * Lines, .csv CSV. Sets *format (CSV when the name says none) and
 * returns whether the name said one.
 */
bool pf_format_named(const char *path, enum pf_format *format);

/*
 * The input format from the input files' names, when no option gave it
 * (call before pf_options_finish()): .tsv and .tab are TSV, .jsonl and
 * .ndjson JSON Lines, anything else CSV, after a compression suffix (.gz, .zst, .bz2, .xz): data.tsv.gz
 * is TSV. Files whose names say different formats are a usage error.
 */
void pf_options_inputs(struct pf_options *o, char *const *files, int nfiles,
    const char *usage_text);

/* Fills the defaults that depend on other options (delimiters, queue). */
void pf_options_finish(struct pf_options *o);

/*
 * A whole number from min to max given to option what ("-j", "--batch");
 * anything else is a usage error: "WHAT must be a number from MIN to MAX".
 */
long pf_count_arg(const char *usage_text, const char *what, const char *arg,
    long min, long max);

/* "256K", "4M", "1G", "1000": bytes. Returns false if malformed. */
bool pf_parse_size(const char *s, size_t *bytes);
/* "50ms", "1.5s", "2m", "1h", "3" (seconds): milliseconds. */
bool pf_parse_duration(const char *s, long *ms);

/*
 * pfilter's and pmap's EXPR [FILE...]: when expr names an existing file
 * and the first of files exists not but reads as an expression, a usage
 * error that shows the order ("pfilter f.csv 'delay > 300'").
 */
void pf_check_operand_order(const char *usage_text, const char *expr,
    char **files, int nfiles);

/*
 * A usage error: "PROG: message" and "Try 'PROG --help' for more
 * information." on stderr, exit 2.
 */
void pf_usage_error(const char *usage_text, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

#endif
