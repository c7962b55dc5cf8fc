/*
 * options.c - the options every tool shares (see options.h).
 */
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "csv/scan.h"
#include "engine/options.h"
#include "expr/expr.h"
#include "support/compat.h"
#include "support/outfile.h"
#include "support/status.h"
#include "support/suggest.h"
#include "support/xalloc.h"

const char pf_common_usage[] =
"Input and output:\n"
"  --csv | --tsv | --lines | --jsonl\n"
"                            input format (default: by the file's name\n"
"                            .tsv .tab .jsonl .ndjson, else CSV;\n"
"                            gzip, zstd, bzip2, xz read as they are)\n"
"  -d, --delimiter C         field delimiter (one byte; '\\t' for tab)\n"
"  -H, --no-header           input has no header; fields by position only\n"
"  --names a,b,c             with -H or --lines: names for the fields\n"
"                            (and a header line on output)\n"
"  --union                   files with different headers: the union of\n"
"                            their fields by name (a missing one empty)\n"
"  --ocsv | --otsv | --ojsonl  output format (default: as input)\n"
"  --otable | --oxtab | --omd  views for people: aligned columns, one\n"
"                            NAME VALUE line per field, a Markdown table\n"
"  -D, --out-delimiter C     delimiter written (CSV, --lines); -d sets it\n"
"                            too when the output format follows the input\n"
"  --bad FILE                write malformed records to FILE and go on\n"
"  --strict                  a value that cannot be computed with (not a\n"
"                            number or time, division by zero) is an\n"
"                            error, not a count reported at exit\n"
"Parallelism:\n"
"  -j, --jobs N              worker threads (default: online CPUs)\n"
"  --chunk SIZE              input bytes per batch (default 1M; compressed 4M)\n"
"  --queue N                 batches in flight (default 2 x jobs, at least 4)\n"
"  --flush DURATION          longest a record waits for its batch (50ms)\n"
"Reporting:\n"
"  --progress[=always]       progress line on stderr\n"
"  --stats                   summary of records, bytes and time on stderr\n"
"  -h, --help, --version\n";

static char *joined;	/* one per process, kept for usage errors */

/* Keeps text (malloc'd) as the process's usage text. */
static char *
usage_join_own(char *text)
{
	free(joined);
	joined = text;
	return joined;
}

/* The tool's usage text, then the common options'; kept for errors. */
static char *
usage_join(const char *tool_usage)
{
	size_t a = strlen(tool_usage), b = sizeof(pf_common_usage);

	free(joined);
	joined = pf_xmalloc(a + b);
	memcpy(joined, tool_usage, a);
	memcpy(joined + a, pf_common_usage, b);
	return joined;
}

void
pf_options_init(struct pf_options *o)
{
	memset(o, 0, sizeof(*o));
	o->in.format = PF_CSV;
	o->in.header = true;
	o->chunk = 1024 * 1024;
	o->flush_ms = 50;
}

/* After a usage error's one message: where the usage is, then exit 2. */
static void __attribute__((noreturn))
usage_exit(void)
{
	fprintf(stderr, "Try '%s --help' for more information.\n",
	    program_invocation_short_name);
	exit(PF_USAGE);
}

void
pf_usage_error(const char *usage_text, const char *fmt, ...)
{
	va_list ap;

	(void)usage_text;	/* --help prints it; errors point there */
	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
	usage_exit();
}

long
pf_count_arg(const char *usage_text, const char *what, const char *arg,
    long min, long max)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || errno != 0 || n < min || n > max)
		pf_usage_error(usage_text, "%s must be a number from %ld to %ld: "
		    "'%s'", what, min, max, arg);
	return n;
}

bool
pf_parse_size(const char *s, size_t *bytes)
{
	unsigned long long n, mul = 1;
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		return false;
	n = strtoull(s, &end, 10);
	if (errno != 0)
		return false;
	switch (*end) {
	case 'k': case 'K': mul = 1ULL << 10; end++; break;
	case 'm': case 'M': mul = 1ULL << 20; end++; break;
	case 'g': case 'G': mul = 1ULL << 30; end++; break;
	}
	if ((*end == 'b' || *end == 'B') && mul > 1)
		end++;
	if (*end != '\0' || n == 0 || n > (1ULL << 40) / mul)
		return false;
	*bytes = (size_t)(n * mul);
	return true;
}

bool
pf_parse_duration(const char *s, long *ms)
{
	double v, mul = 1000;
	char *end;

	errno = 0;
	if ((*s < '0' || *s > '9') && *s != '.')
		return false;
	v = strtod(s, &end);
	if (errno != 0)
		return false;
	if (strcmp(end, "ms") == 0)
		mul = 1;
	else if (strcmp(end, "s") == 0 || *end == '\0')
		mul = 1000;
	else if (strcmp(end, "m") == 0)
		mul = 60 * 1000;
	else if (strcmp(end, "h") == 0)
		mul = 3600 * 1000;
	else if (strcmp(end, "d") == 0)
		mul = 86400 * 1000;
	else
		return false;
	if (v * mul > 1e15)
		return false;
	*ms = (long)(v * mul + 0.5);
	return true;
}

void
pf_check_operand_order(const char *usage_text, const char *expr,
    char **files, int nfiles)
{
	if (nfiles < 1 || strcmp(expr, "-") == 0 || access(expr, F_OK) != 0 ||
	    access(files[0], F_OK) == 0 ||
	    strpbrk(files[0], " <>=!()+*/\"'~,") == NULL)
		return;
	pf_usage_error(usage_text, "'%s' is a file and '%s' is no file but "
	    "reads as an expression: the expression comes first: %s '%s' %s",
	    expr, files[0], program_invocation_short_name, files[0], expr);
}

/* -d takes one byte, or the escape \t. */
static char
parse_delimiter(const char *arg, const char *usage_text)
{
	if (strcmp(arg, "\\t") == 0 || strcmp(arg, "tab") == 0)
		return '\t';
	/* "-c '-delay > 0'": getopt read the expression as -d elay... */
	if (strlen(arg) > 1 && strpbrk(arg, " <>=!()+*/") != NULL)
		pf_usage_error(usage_text, "bad delimiter '%s': an expression "
		    "that starts with '-' reads as options (-d%s); put a space "
		    "before it (' -d%s') or write it as '0 - d%s'", arg, arg,
		    arg, arg);
	if (strlen(arg) != 1 || arg[0] == '\n' || arg[0] == '\r' ||
	    arg[0] == '"')
		pf_usage_error(usage_text, "bad delimiter '%s': one byte, "
		    "not a quote or newline", arg);
	return arg[0];
}

const char *
pf_format_option(enum pf_format format)
{
	switch (format) {
	case PF_CSV: return "--csv";
	case PF_TSV: return "--tsv";
	case PF_LINES: return "--lines";
	case PF_JSONL: return "--ojsonl";
	case PF_TABLE: return "--otable";
	case PF_XTAB: return "--oxtab";
	case PF_MD: return "--omd";
	}
	return "?";
}

char *
pf_options_begin(struct pf_options *o, const char *tool_usage)
{
	setlocale(LC_CTYPE, "C.UTF-8");
	atexit(pf_close_stdout);	/* --help > /dev/full is an error */
	pf_options_init(o);
	(void)pf_scan_kernel();	/* a bad PFLOW_KERNEL fails before input */
	return usage_join(tool_usage);
}

char *
pf_options_begin_expr(struct pf_options *o, const char *tool_usage)
{
	char *summary = pf_expr_summary(), *usage;
	struct pf_buf b = { 0 };

	usage = pf_options_begin(o, tool_usage);
	pf_buf_adds(&b, usage);
	pf_buf_adds(&b, summary);
	pf_buf_addc(&b, '\0');
	free(summary);
	return usage_join_own(b.data);
}

void
pf_options_words(struct pf_options *o, char *const argv[],
    const struct option *longopts)
{
	o->argv = argv;
	o->longopts = longopts;
}

/*
 * After getopt_long() said that argv[optind - 1] is an unknown long
 * option: "did you mean '--NAME'?" for the nearest of the tool's, when
 * one is near and the word is not a prefix of several (getopt has listed
 * those).
 */
static void
suggest_option(const struct pf_options *o)
{
	const char *typed, *names[256];
	size_t n = 0, len, prefixed = 0;
	long at;

	if (o->argv == NULL || o->longopts == NULL || optopt != 0 ||
	    optind < 1 || (typed = o->argv[optind - 1]) == NULL ||
	    strncmp(typed, "--", 2) != 0)
		return;
	typed += 2;
	len = strcspn(typed, "=");
	for (; o->longopts[n].name != NULL && n < 256; n++) {
		names[n] = o->longopts[n].name;
		prefixed += strncmp(names[n], typed, len) == 0;
	}
	if (len == 0 || prefixed > 1 ||
	    (at = pf_suggest(typed, len, names, n)) < 0)
		return;
	fprintf(stderr, "%s: did you mean '--%s'?\n",
	    program_invocation_short_name, names[at]);
}

void
pf_options_common(struct pf_options *o, int ch, const char *arg,
    const char *usage_text)
{
	switch (ch) {
	case 'j':
		o->jobs = (int)pf_count_arg(usage_text, "-j", arg, 1, 1024);
		break;
	case PF_OPT_QUEUE:
		o->queue = (int)pf_count_arg(usage_text, "--queue", arg, 1, 1024);
		break;
	case 'd':
		o->in.delim = parse_delimiter(arg, usage_text);
		o->delim_set = true;
		break;
	case 'H':
		o->in.header = false;
		break;
	case PF_OPT_NAMES:
		if (*arg == '\0' || arg[0] == ',' || arg[strlen(arg) - 1] ==
		    ',' || strstr(arg, ",,") != NULL)
			pf_usage_error(usage_text, "--names: a list of names "
			    "separated by commas, none empty: '%s'", arg);
		o->names = arg;
		break;
	case PF_OPT_CSV:
		o->in.format = PF_CSV;
		o->format_set = true;
		break;
	case PF_OPT_TSV:
		o->in.format = PF_TSV;
		o->format_set = true;
		break;
	case PF_OPT_LINES:
		o->in.format = PF_LINES;
		o->format_set = true;
		break;
	case PF_OPT_JSONL:
		o->in.format = PF_JSONL;
		o->format_set = true;
		break;
	case PF_OPT_UNION:
		o->unite = true;
		break;
	case PF_OPT_OCSV:
	case PF_OPT_OTSV:
	case PF_OPT_OJSONL:
	case PF_OPT_OTABLE:
	case PF_OPT_OXTAB:
	case PF_OPT_OMD:
		o->out_format = ch == PF_OPT_OCSV ? PF_CSV :
		    ch == PF_OPT_OTSV ? PF_TSV : ch == PF_OPT_OJSONL ? PF_JSONL :
		    ch == PF_OPT_OTABLE ? PF_TABLE :
		    ch == PF_OPT_OXTAB ? PF_XTAB : PF_MD;
		o->out_set = true;
		break;
	case 'D':
		o->out_delim_arg = parse_delimiter(arg, usage_text);
		break;
	case PF_OPT_CHUNK:
		if (!pf_parse_size(arg, &o->chunk))
			pf_usage_error(usage_text, "bad --chunk size '%s' "
			    "(e.g. 64K, 4M)", arg);
		o->chunk_set = true;
		break;
	case PF_OPT_FLUSH:
		if (!pf_parse_duration(arg, &o->flush_ms))
			pf_usage_error(usage_text, "bad --flush duration '%s' "
			    "(e.g. 50ms, 1s)", arg);
		break;
	case PF_OPT_PROGRESS:
		if (arg == NULL)
			o->progress = PF_PROGRESS_AUTO;
		else if (strcmp(arg, "always") == 0)
			o->progress = PF_PROGRESS_ALWAYS;
		else if (strcmp(arg, "auto") == 0)
			o->progress = PF_PROGRESS_AUTO;
		else if (strcmp(arg, "never") == 0)
			o->progress = PF_PROGRESS_OFF;
		else
			pf_usage_error(usage_text, "bad --progress '%s' "
			    "(auto, always, never)", arg);
		break;
	case PF_OPT_STATS:
		o->stats = true;
		break;
	case PF_OPT_STRICT:
		o->strict = true;
		break;
	case PF_OPT_SEED:
		pf_expr_seed((uint64_t)pf_count_arg(usage_text, "--seed", arg, 0,
		    LONG_MAX));
		break;
	case PF_OPT_BAD:
		o->bad_path = arg;
		break;
	case 'h': {
		/* One write at exit, so that its error is reported with
		   errno: the text is longer than stdio's usual buffer. */
		static char help_buf[1 << 16];

		setvbuf(stdout, help_buf, _IOFBF, sizeof(help_buf));
		fputs(usage_text, stdout);
		exit(0);
	}
	case PF_OPT_VERSION:
		printf("%s (pflow) %s\n", program_invocation_short_name, PF_VERSION);
		exit(0);
	default:
		/* getopt has said what was wrong, once; maybe what was meant */
		suggest_option(o);
		usage_exit();
	}
}

/* The format a file's name says: its extension, past a compression one. */
bool
pf_format_named(const char *path, enum pf_format *format)
{
	static const char *const squeezed[] = { ".gz", ".bgz", ".zst",
	    ".zstd", ".bz2", ".xz" };
	size_t len = strlen(path), n, i;
	const char *ext;

	for (i = 0; i < sizeof(squeezed) / sizeof(squeezed[0]); i++) {
		n = strlen(squeezed[i]);
		if (len > n && strcasecmp(path + len - n, squeezed[i]) == 0) {
			len -= n;
			break;
		}
	}
	for (ext = path + len; ext > path && ext[-1] != '.' &&
	    ext[-1] != '/'; ext--)
		;
	*format = PF_CSV;
	if (ext == path || ext[-1] != '.')
		return false;
	n = (size_t)(path + len - ext);
	if ((n == 3 && strncasecmp(ext, "tsv", 3) == 0) ||
	    (n == 3 && strncasecmp(ext, "tab", 3) == 0))
		*format = PF_TSV;
	else if ((n == 5 && strncasecmp(ext, "jsonl", 5) == 0) ||
	    (n == 6 && strncasecmp(ext, "ndjson", 6) == 0))
		*format = PF_JSONL;
	else
		return n == 3 && strncasecmp(ext, "csv", 3) == 0;
	return true;
}

static const char *
format_name(enum pf_format f)
{
	return f == PF_TSV ? "TSV" : f == PF_LINES ? "lines" :
	    f == PF_JSONL ? "JSON Lines" : "CSV";
}

void
pf_options_inputs(struct pf_options *o, char *const *files, int nfiles,
    const char *usage_text)
{
	enum pf_format f;
	const char *first = NULL;
	int i;

	if (o->format_set)
		return;
	for (i = 0; i < nfiles; i++) {
		if (strcmp(files[i], "-") == 0)
			continue;
		(void)pf_format_named(files[i], &f);
		if (first == NULL) {
			first = files[i];
			o->in.format = f;
		} else if (f != o->in.format)
			pf_usage_error(usage_text, "%s is %s by its name but %s "
			    "is %s: say which with --csv, --tsv, ...", first,
			    format_name(o->in.format), files[i], format_name(f));
	}
}

void
pf_options_finish(struct pf_options *o)
{
	long cpus;

	if (o->jobs == 0) {
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
		o->jobs = cpus < 1 ? 1 : cpus > 64 ? 64 : (int)cpus;
	}
	if (o->queue == 0)
		o->queue = 2 * o->jobs < 4 ? 4 : 2 * o->jobs;
	if (!o->delim_set)
		o->in.delim = o->in.format == PF_CSV ? ',' :
		    o->in.format == PF_TSV ? '\t' : '\0';
	if (o->in.format == PF_JSONL)
		o->in.delim = ',';	/* unused: the output's, by default */
	if (o->in.format == PF_LINES || o->in.format == PF_JSONL)
		o->in.header = false;	/* JSON Lines: keys name fields */
	if (o->unite && !o->in.header)
		pf_usage_error(NULL, "--union joins files by their header's "
		    "names: CSV or TSV with a header, not -H, --lines or "
		    "--jsonl");
	if (o->names != NULL && o->in.format == PF_JSONL)
		pf_usage_error(NULL, "--names: JSON Lines input is named by "
		    "its keys");
	if (o->names != NULL && o->in.header)
		pf_usage_error(NULL, "--names names the fields of input "
		    "without a header: give -H too (or --lines)");
	if (!o->out_set)
		o->out_format = o->in.format;
	/*
	 * -d is the output's delimiter too while the output format follows
	 * the input (pipelines of pflow tools keep theirs); a format given
	 * with --ocsv... writes its own unless -D says otherwise.
	 */
	o->out_delim = o->out_format == PF_TSV ? '\t' :
	    !o->out_set && o->in.delim != '\0' ? o->in.delim :
	    o->out_format == PF_LINES ? '\t' : ',';
	if (o->out_delim_arg != '\0') {
		if (o->out_format != PF_CSV && o->out_format != PF_LINES)
			pf_usage_error(NULL, "-D sets the delimiter of CSV and "
			    "--lines output, not of %s",
			    pf_format_option(o->out_format));
		o->out_delim = o->out_delim_arg;
	}
}
