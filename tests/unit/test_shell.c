/*
 * test_shell.c - unit tests of lib/process/shell.c (finding the script of sh -c,
 * quoting values into it) and lib/process/resume.c (reading a joblog).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "process/resume.h"
#include "process/shell.h"
#include "unit.h"

static int
script_of(const char *words)
{
	char buf[256], *argv[16], *w;
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", words);
	for (w = strtok(buf, " "); w != NULL && n < 15; w = strtok(NULL, " "))
		argv[n++] = w;
	argv[n] = NULL;
	return pf_shell_script_arg(argv, n);
}

static void
test_script_arg(void)
{
	CHECK(script_of("sh -c S") == 2);
	CHECK(script_of("/bin/sh -c S x") == 2);
	CHECK(script_of("bash -ec S") == 2);
	CHECK(script_of("bash -e -c S") == 3);
	CHECK(script_of("bash -c -e S") == 3);
	CHECK(script_of("bash -o pipefail -c S") == 4);
	CHECK(script_of("bash -eo pipefail -c S") == 4);
	CHECK(script_of("bash --norc -c S") == 3);
	CHECK(script_of("sh -c -- S") == 3);
	CHECK(script_of("dash -c S") == 2);
	CHECK(script_of("zsh -c S") == 2);
	CHECK(script_of("ksh -c S") == 2);
	/* Not a script: no -c, a script file, other commands, no script. */
	CHECK(script_of("sh S") == -1);
	CHECK(script_of("sh -e S -c") == -1);
	CHECK(script_of("sh +c S") == -1);
	CHECK(script_of("sh -c") == -1);
	CHECK(script_of("sh -c --") == -1);
	CHECK(script_of("env sh -c S") == -1);
	CHECK(script_of("fish -c S") == -1);
	CHECK(script_of("shx -c S") == -1);
	CHECK(script_of("echo -c S") == -1);
}

static void
test_quote(void)
{
	struct pf_buf b = { 0 };

#define Q(in, want) do {						\
	b.len = 0;							\
	pf_shell_quote(&b, in, strlen(in));				\
	CHECK_BYTES(b.data, b.len, want);				\
} while (0)
	Q("", "''");
	Q("abc", "'abc'");
	Q("it's", "'it'\\''s'");
	Q("'", "''\\'''");
	Q("''", "''\\'''\\'''");
	Q("$(id -u) `x` \"q\" \\ \n", "'$(id -u) `x` \"q\" \\ \n'");
#undef Q
	pf_buf_free(&b);
}

/* Loads a joblog written from text; returns pf_resume_load's status. */
static int
load(struct pf_resume *r, const char *text)
{
	char path[] = "/tmp/test_shell_joblog_XXXXXX";
	int fd = mkstemp(path), rc;

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
	memset(r, 0, sizeof(*r));
	rc = pf_resume_load(r, path);
	unlink(path);
	return rc;
}

#define L(seq, exitval, sig) seq "\t:\t1.0\t0.1\t0\t0\t" exitval "\t" sig "\tcmd\n"

static void
test_resume(void)
{
	struct pf_resume r;

	CHECK(load(&r, "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\t"
	    "Exitval\tSignal\tCommand\n" L("7", "0", "0") L("1000000000",
	    "0", "0") L("3", "1", "0") L("2", "-1", "9") L("5", "0", "0")
	    L("7", "0", "0") L("18446744073709551615", "0", "0")) == 0);
	CHECK(r.n == 4);
	CHECK(!pf_resume_done(&r, 1));
	CHECK(!pf_resume_done(&r, 2));
	CHECK(!pf_resume_done(&r, 3));
	CHECK(pf_resume_done(&r, 5));
	CHECK(!pf_resume_done(&r, 6));
	CHECK(pf_resume_done(&r, 7));
	CHECK(!pf_resume_done(&r, 999999999));
	CHECK(pf_resume_done(&r, 1000000000));
	CHECK(pf_resume_done(&r, UINT64_MAX));
	pf_resume_free(&r);

	CHECK(load(&r, L("1", "0", "0") "1\t:\t1.0\n") == 1);
	pf_resume_free(&r);
	CHECK(load(&r, L("18446744073709551616", "0", "0")) == 1);
	pf_resume_free(&r);
	CHECK(load(&r, L("-1", "0", "0")) == 1);
	pf_resume_free(&r);
	CHECK(load(&r, L("1", "0x", "0")) == 1);
	pf_resume_free(&r);
	CHECK(load(&r, L("1", "0", "")) == 1);
	pf_resume_free(&r);
	CHECK(load(&r, "") == 0 && r.n == 0);
	pf_resume_free(&r);
	CHECK(pf_resume_load(&r, "/nonexistent/joblog") == 0 && r.n == 0);
	pf_resume_free(&r);
}

int
main(void)
{
	UNIT_RUN(test_script_arg);
	UNIT_RUN(test_quote);
	UNIT_RUN(test_resume);
	return UNIT_DONE();
}
