/*
 * test_shell.c - unit tests of lib/process/shell.c (finding the script of sh -c,
 * the quotes around a point of it, referring to a variable there) and lib/process/resume.c (reading a joblog).
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
	size_t n = 0, shell = 99;
	int script;

	snprintf(buf, sizeof(buf), "%s", words);
	for (w = strtok(buf, " "); w != NULL && n < 15; w = strtok(NULL, " "))
		argv[n++] = w;
	argv[n] = NULL;
	script = pf_shell_script_arg(argv, n, &shell);
	if (script >= 0 && strcmp(argv[shell] + strlen(argv[shell]) - 2,
	    "sh") != 0)
		return -2;
	return script;
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
	CHECK(script_of("bash --rcfile /dev/null -c S") == 4);
	CHECK(script_of("bash --init-file X --norc -e -c S") == 6);
	CHECK(script_of("bash -Z --unknown -c S") == 4);
	CHECK(script_of("sh -c -- S") == 3);
	CHECK(script_of("dash -c S") == 2);
	CHECK(script_of("zsh -c S") == 2);
	CHECK(script_of("ksh -c S") == 2);
	CHECK(script_of("mksh -c S") == 2);
	/* Through another command. */
	CHECK(script_of("env sh -c S") == 3);
	CHECK(script_of("/usr/bin/env -i A=1 bash -e -c S") == 6);
	CHECK(script_of("nice -n 5 sh -c S") == 5);
	CHECK(script_of("timeout 9 bash --norc -c S 0 1") == 5);
	CHECK(script_of("busybox sh -c S") == 3);
	/* Not a script: no -c, a script file, other commands, no script. */
	CHECK(script_of("sh S") == -1);
	CHECK(script_of("sh -e S -c") == -1);
	CHECK(script_of("sh +c S") == -1);
	CHECK(script_of("sh -c") == -1);
	CHECK(script_of("sh -c --") == -1);
	CHECK(script_of("fish -c S") == -1);
	CHECK(script_of("shx -c S") == -1);
	CHECK(script_of("echo -c S") == -1);
	CHECK(script_of("env sh S -c T") == -1);
}

/*
 * The contexts of the points marked '@' in text (the '@'s taken out),
 * one letter each: U unquoted, D double, S single, A $'...', H
 * here-document, L literal.
 */
static void
check_contexts(const char *text, bool dollar_single, const char *want)
{
	char script[256] = { 0 }, got[32];
	size_t at[32] = { 0 }, n = 0, len = 0, i;
	enum pf_shell_context ctx[32];

	for (i = 0; text[i] != '\0'; i++)
		if (text[i] == '@')
			at[n++] = len;
		else
			script[len++] = text[i];
	pf_shell_contexts(script, len, dollar_single, at, n, ctx);
	for (i = 0; i < n; i++)
		got[i] = "UDSAHL"[ctx[i]];
	got[n] = '\0';
	if (strcmp(got, want) != 0)
		fprintf(stderr, "# %s: got %s, want %s\n", text, got, want);
	CHECK(strcmp(got, want) == 0);
}

static void
test_contexts(void)
{
	check_contexts("echo @ \"@\" '@' x@y", true, "UDSU");
	check_contexts("echo \"a'@'\" 'b\"@\"' \"\\\"@\"", true, "DSD");
	check_contexts("echo $'\\'@' '@'", true, "AS");
	check_contexts("echo $'@' @", false, "SU");
	check_contexts("echo \"$(echo '@' \"@\" @)\" @", true, "SDUU");
	check_contexts("echo \"`echo @`\" `echo '@'` $((1 + (2)))@", true,
	    "USU");
	check_contexts("echo $(case a in (a) echo '@';; esac) '@'", true,
	    "SS");
	check_contexts("echo \\@ \"\\@\" '\\@' @ \\\\@", true, "LLSUU");
	check_contexts("# it's @\necho '@' a#b'@'", true, "USS");
	check_contexts("cat <<EOF; echo '@'\n$x @ \\@\n'EOF'\nEOF\necho @",
	    true, "SHLU");
	check_contexts("cat <<'EOF' <<-E2\n@\nEOF\n\t@\n\tE2\n'@'",
	    true, "LHS");
	check_contexts("cat <<<'@' @", true, "SU");
	check_contexts("echo '@", true, "S");
	check_contexts("@", true, "U");
}

static void
test_reference(void)
{
	struct pf_buf b = { 0 };

#define R(ctx, want) do {						\
	b.len = 0;							\
	CHECK(pf_shell_reference(&b, ctx, "v"));			\
	CHECK_BYTES(b.data, b.len, want);				\
} while (0)
	R(PF_SHELL_UNQUOTED, "\"${v}\"");
	R(PF_SHELL_DOUBLE, "${v}");
	R(PF_SHELL_SINGLE, "'\"${v}\"'");
	R(PF_SHELL_DOLLAR_SINGLE, "'\"${v}\"$'");
	R(PF_SHELL_HEREDOC, "${v}");
#undef R
	b.len = 0;
	CHECK(!pf_shell_reference(&b, PF_SHELL_LITERAL, "v") && b.len == 0);
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
	UNIT_RUN(test_contexts);
	UNIT_RUN(test_reference);
	UNIT_RUN(test_resume);
	return UNIT_DONE();
}
