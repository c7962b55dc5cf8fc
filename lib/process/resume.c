/*
 * resume.c - reading a joblog for pmap --resume (resume.h).
 *
 * A joblog line is nine tab-separated columns: Seq Host Starttime
 * JobRuntime Send Receive Exitval Signal Command (the command has no tab:
 * pmap writes its tabs and newlines as spaces). Only Seq, Exitval and
 * Signal are read, and they must be numbers: a line that is not a joblog
 * line stops pmap rather than being taken for a job that ran or not.
 * Job numbers are kept in a sorted array, not a bitmap indexed by them,
 * so a line "1000000000 ..." costs eight bytes, not a gigabyte.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "process/resume.h"
#include "support/xalloc.h"

#define JOBLOG_COLUMNS	9

/* A decimal number that is the whole of [s, end): false if it is not. */
static bool
parse_u64(const char *s, const char *end, uint64_t *v)
{
	uint64_t n = 0, d;

	if (s == end)
		return false;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return false;
		d = (uint64_t)(*s - '0');
		if (n > (UINT64_MAX - d) / 10)
			return false;
		n = n * 10 + d;
	}
	*v = n;
	return true;
}

/* Exitval is -1 for a command killed by a signal. */
static bool
parse_int(const char *s, const char *end, bool *zero)
{
	uint64_t v;

	if (s < end && *s == '-')
		s++;
	if (!parse_u64(s, end, &v))
		return false;
	*zero = v == 0;
	return true;
}

/*
 * One line, its newline removed: false when it is not a joblog line.
 * *ok says whether it records a success, *seq of which job.
 */
static bool
parse_line(const char *line, size_t len, uint64_t *seq, bool *ok)
{
	const char *col[JOBLOG_COLUMNS], *p = line, *end = line + len;
	bool exit0, sig0;
	int n = 0;

	col[n++] = p;
	while (n < JOBLOG_COLUMNS &&
	    (p = memchr(p, '\t', (size_t)(end - p))) != NULL)
		col[n++] = ++p;
	if (n < JOBLOG_COLUMNS)
		return false;
	if (!parse_u64(col[0], col[1] - 1, seq) || *seq == 0 ||
	    !parse_int(col[6], col[7] - 1, &exit0) ||
	    !parse_int(col[7], col[8] - 1, &sig0))
		return false;
	*ok = exit0 && sig0;
	return true;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int
pf_resume_load(struct pf_resume *r, const char *path)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0, i, k;
	ssize_t len;
	off_t whole = 0;	/* bytes up to the end of the last whole line */
	unsigned long long lineno = 0;
	uint64_t seq;
	bool ok;
	int rc = 0;

	if ((f = fopen(path, "re")) == NULL) {
		if (errno == ENOENT)
			return 0;
		warn("%s", path);
		return 1;
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		lineno++;
		if (line[len - 1] != '\n') {
			warnx("%s:%llu: last line cut short: its job will run "
			    "again", path, lineno);
			if (truncate(path, whole) != 0) {
				warn("%s", path);
				rc = 1;
			}
			break;
		}
		whole += len;
		if (lineno == 1 && strncmp(line, "Seq\t", 4) == 0)
			continue;	/* the header */
		if (!parse_line(line, (size_t)len - 1, &seq, &ok)) {
			warnx("%s:%llu: malformed joblog line", path, lineno);
			rc = 1;
			break;
		}
		if (!ok)
			continue;
		if (r->n == r->cap) {
			r->cap = r->cap ? r->cap * 2 : 256;
			r->seqs = pf_xrealloc(r->seqs,
			    r->cap * sizeof(*r->seqs));
		}
		r->seqs[r->n++] = seq;
	}
	if (rc == 0 && ferror(f)) {
		warn("%s", path);
		rc = 1;
	}
	free(line);
	fclose(f);
	/* Sorted, each once: a job retried across runs has several lines. */
	if (r->n > 1)
		qsort(r->seqs, r->n, sizeof(*r->seqs), cmp_u64);
	for (i = k = 0; i < r->n; i++)
		if (k == 0 || r->seqs[i] != r->seqs[k - 1])
			r->seqs[k++] = r->seqs[i];
	r->n = k;
	r->pos = 0;
	return rc;
}

bool
pf_resume_done(struct pf_resume *r, uint64_t seq)
{
	while (r->pos < r->n && r->seqs[r->pos] < seq)
		r->pos++;
	return r->pos < r->n && r->seqs[r->pos] == seq;
}

void
pf_resume_free(struct pf_resume *r)
{
	free(r->seqs);
	memset(r, 0, sizeof(*r));
}
