/*
 * report.c - messages the tools share (see report.h).
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "expr/report.h"

void
pf_report_expr_error(const char *src, const struct pf_expr_error *err)
{
	size_t pos = err->pos, i;

	warnx("%s", err->msg);
	if (pos > strlen(src))
		pos = strlen(src);
	fprintf(stderr, "  %s\n  ", src);
	/* Keep tabs so the caret lines up under them. */
	for (i = 0; i < pos; i++)
		fputc(src[i] == '\t' ? '\t' : ' ', stderr);
	fputs("^\n", stderr);
}
