/*
 * options.c - the options every tool shares (see options.h).
 */
#include <err.h>
#include <errno.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "csv/scan.h"
#include "engine/options.h"
#include "support/compat.h"
#include "support/outfile.h"
#include "support/status.h"
#include "support/xalloc.h"

const char pf_common_usage[] =
"Input and output:\n"
"  --csv | --tsv | --lines   input format (default: CSV)\n"
"  -d, --delimiter C         field delimiter (one byte; '\\t' for tab)\n"
"  -H, --no-header           input has no header; fields by position only\n"
"  --ocsv | --otsv | --ojsonl  output format (default: as input)\n"
"  --bad FILE                write malformed records to FILE and go on\n"
"Parallelism:\n"
"  -j, --jobs N              worker threads (default: online CPUs)\n"
"  --chunk SIZE              input bytes per batch (default 1M)\n"
"  --queue N                 batches in flight (default 2 x jobs, at least 4)\n"
"  --flush DURATION          longest a record waits for its batch (50ms)\n"
"Reporting:\n"
"  --progress[=always]       progress line on stderr\n"
"  --stats                   summary of records, bytes and time on stderr\n"
"  -h, --help, --version\n";

/* The tool's usage text, then the common options'; kept for errors. */
static char *
usage_join(const char *tool_usage)
{
	static char *joined;	/* one per process, kept for usage errors */
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

/* -d takes one byte, or the escape \t. */
static char
parse_delimiter(const char *arg, const char *usage_text)
{
	if (strcmp(arg, "\\t") == 0 || strcmp(arg, "tab") == 0)
		return '\t';
	if (strlen(arg) != 1 || arg[0] == '\n' || arg[0] == '\r' ||
	    arg[0] == '"')
		pf_usage_error(usage_text, "bad delimiter '%s': one byte, "
		    "not a quote or newline", arg);
	return arg[0];
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
	case PF_OPT_CSV:
		o->in.format = PF_CSV;
		break;
	case PF_OPT_TSV:
		o->in.format = PF_TSV;
		break;
	case PF_OPT_LINES:
		o->in.format = PF_LINES;
		break;
	case PF_OPT_OCSV:
	case PF_OPT_OTSV:
	case PF_OPT_OJSONL:
		o->out_format = ch == PF_OPT_OCSV ? PF_CSV :
		    ch == PF_OPT_OTSV ? PF_TSV : PF_JSONL;
		o->out_set = true;
		break;
	case PF_OPT_CHUNK:
		if (!pf_parse_size(arg, &o->chunk))
			pf_usage_error(usage_text, "bad --chunk size '%s' "
			    "(e.g. 64K, 4M)", arg);
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
	case PF_OPT_BAD:
		o->bad_path = arg;
		break;
	case 'h':
		fputs(usage_text, stdout);
		exit(0);
	case PF_OPT_VERSION:
		printf("%s (pflow) %s\n", program_invocation_short_name, PF_VERSION);
		exit(0);
	default:
		/* getopt has said what was wrong, once. */
		usage_exit();
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
	if (o->in.format == PF_LINES)
		o->in.header = false;
	if (!o->out_set)
		o->out_format = o->in.format;
	o->out_delim = o->out_format == PF_TSV ? '\t' :
	    o->out_format == o->in.format && o->in.delim != '\0' ? o->in.delim :
	    o->out_format == PF_LINES ? '\t' : ',';
}
