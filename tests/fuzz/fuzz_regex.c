/*
 * fuzz_regex.c - differential fuzz target: pflow's regexes in expressions
 * (expr_regex.c: JIT, a JIT stack and a match limit; expr_eval.c's =~,
 * expr_func.c's replace) against PCRE2's interpreter (pcre2_match with
 * PCRE2_NO_JIT).
 *
 * The input is a pattern and a subject, split at the first 0xFF byte
 * (which UTF-8 never holds; without one, the subject is empty). They
 * become the fields b and a of a record, and pflow evaluates `a =~ b`
 * and `replace(a, b, "<$0|$1|$$>")` on it: the pattern comes from the
 * data, so it goes through the run-time pattern cache and its errors.
 * The reference compiles the pattern with the same options (UTF, UCP,
 * MATCH_INVALID_UTF) and matches it with the interpreter. Then:
 *
 * - the pattern compiles for pflow exactly when it compiles for PCRE2,
 *   and a pattern that does not compile fails the evaluation;
 * - when the interpreter finds an answer (match or no match), pflow finds
 *   the same one, or fails the evaluation with a limit error (match
 *   limit, JIT stack limit, memory): never a wrong answer;
 * - replace() gives the reference's result, computed with the rules of
 *   expr.h (every match, an empty match copies the next character), when
 *   the subject is valid UTF-8 and neither side hit a limit.
 *
 * When the interpreter itself hits a limit (a tenth of pflow's, so that a
 * run stays short), nothing more is compared.
 *
 * PCRE2's JIT and its interpreter do not always agree (10.42 has known
 * JIT bugs: /(.a|b)c*a/ finds no match in "xba", as in PCRE2 issue 336,
 * fixed in 10.43; /$/ matches "a\xce" under JIT only). Such an input is
 * a library discrepancy, not pflow's: when pflow's answer is not the
 * interpreter's but is exactly what PCRE2's own JIT gives (the pattern
 * JIT-compiled, matched outside pflow), the target prints it (the first
 * few) and goes on, unless PF_FUZZ_STRICT_JIT is set in the environment.
 * Any other disagreement aborts.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/buf.h"
#include "expr/expr.h"
#include "csv/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXLEN		1024
#define REF_LIMIT	1000000		/* a tenth of pflow's: the interpreter,
					   slower, keeps each run short */
#define REPLACEMENT	"<$0|$1|$$>"

static char *names[] = { "a", "b" };
static const struct pf_schema schema = { .nfields = 2, .names = names,
    .has_header = true };

static void
fail(const char *what, const uint8_t *pat, size_t plen)
{
	fprintf(stderr, "fuzz_regex: %s (pattern \"%.*s\")\n", what,
	    (int)plen, (const char *)pat);
	abort();
}

/* The length of the valid UTF-8 sequence at s, or 0 if it is not one. */
static size_t
utf8_seq(const uint8_t *s, size_t len)
{
	uint32_t cp;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 ||
	    cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static bool
valid_utf8(const uint8_t *s, size_t len)
{
	size_t i, n;

	for (i = 0; i < len; i += n)
		if ((n = utf8_seq(s + i, len - i)) == 0)
			return false;
	return true;
}

/* The reference replace(): false if a match fails (a limit). */
static bool
ref_replace(const pcre2_code *re, uint32_t options, pcre2_match_data *md,
    pcre2_match_context *mc, const uint8_t *s, size_t len, struct pf_buf *b)
{
	static const char repl[] = REPLACEMENT;
	PCRE2_SIZE *ov;
	size_t off = 0, ms, me, i, rlen = sizeof(repl) - 1;
	int rc, g, ngroups;

	while (off <= len) {
		rc = pcre2_match(re, len ? s : (const uint8_t *)"", len, off,
		    options, md, mc);
		if (rc == PCRE2_ERROR_NOMATCH)
			break;
		if (rc < 0)
			return false;
		ov = pcre2_get_ovector_pointer(md);
		ngroups = rc == 0 ? 10 : rc;
		ms = ov[0] < off ? off : ov[0];	/* \K can move it back */
		me = ov[1] < ms ? ms : ov[1];
		pf_buf_add(b, s + off, ms - off);
		for (i = 0; i < rlen; i++) {
			if (repl[i] == '$' && repl[i + 1] == '$') {
				pf_buf_addc(b, '$');
				i++;
			} else if (repl[i] == '$') {
				g = repl[++i] - '0';
				if (g < ngroups && ov[2 * g] != PCRE2_UNSET)
					pf_buf_add(b, s + ov[2 * g],
					    ov[2 * g + 1] - ov[2 * g]);
			} else
				pf_buf_addc(b, repl[i]);
		}
		if (me > ms) {
			off = me;
			continue;
		}
		if (ms >= len) {
			off = len + 1;
			break;
		}
		me = ms + utf8_seq(s + ms, len - ms);
		pf_buf_add(b, s + ms, me - ms);
		off = me;
	}
	if (off < len)
		pf_buf_add(b, s + off, len - off);
	return true;
}

/* A failure pflow may report when the reference has an answer. */
static bool
limit_error(const char *msg)
{
	return strstr(msg, "limit") != NULL || strstr(msg, "memory") != NULL;
}

/* Evaluates src on rec; *err is the evaluation's error or NULL. */
static void
eval(struct pf_eval *ev, const char *src, const struct pf_record *rec,
    struct pf_value *v, const char **err)
{
	struct pf_expr_error cerr;
	struct pf_expr *e;

	memset(&cerr, 0, sizeof(cerr));
	if ((e = pf_expr_compile(src, &schema, &cerr)) == NULL) {
		fprintf(stderr, "fuzz_regex: %s: %s\n", src, cerr.msg);
		abort();
	}
	pf_eval_reset(ev);
	pf_eval(ev, e, rec, v);
	*err = pf_eval_error(ev);
	pf_expr_free(e);	/* the value lives in ev's scratch */
}

/* A PCRE2 JIT/interpreter discrepancy: noted, fatal only if asked. */
static void
library_discrepancy(const char *what, const uint8_t *pat, size_t plen)
{
	static unsigned shown;

	if (getenv("PF_FUZZ_STRICT_JIT") != NULL)
		fail(what, pat, plen);
	if (shown++ < 5)
		fprintf(stderr, "fuzz_regex: PCRE2's JIT and interpreter "
		    "disagree, pflow follows the JIT: %s (pattern \"%.*s\")\n",
		    what, (int)plen, (const char *)pat);
}

static bool
same(const char *got, size_t len, const struct pf_buf *b)
{
	return len == b->len && (len == 0 || memcmp(got, b->data, len) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *pat, *subj, *sep;
	size_t plen, slen, erroffset, got_len;
	struct pf_field fields[2];
	struct pf_record rec = { 0 };
	struct pf_value v;
	struct pf_eval *ev;
	struct pf_buf want = { 0 }, want_jit = { 0 };
	pcre2_code *re;
	pcre2_match_data *md;
	pcre2_match_context *mc;
	pcre2_jit_stack *js;
	const char *err, *got;
	int errcode, rc, rc_jit;
	bool jit_ok;

	if (size > MAXLEN)
		return 0;
	pat = data;
	if ((sep = memchr(data, 0xff, size)) != NULL) {
		plen = (size_t)(sep - data);
		subj = sep + 1;
		slen = size - plen - 1;
	} else {
		plen = size;
		subj = (const uint8_t *)"";
		slen = 0;
	}
	fields[0].ptr = (const char *)subj;
	fields[0].len = slen;
	fields[1].ptr = (const char *)pat;
	fields[1].len = plen;
	rec.raw = (const char *)data;
	rec.raw_len = size;
	rec.fields = fields;
	rec.nfields = rec.field_count = 2;

	re = pcre2_compile(plen ? pat : (const uint8_t *)"", plen,
	    PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &errcode,
	    &erroffset, NULL);
	ev = pf_eval_new();
	eval(ev, "a =~ b", &rec, &v, &err);
	if (re == NULL) {
		if (err == NULL || strstr(err, "bad regex") == NULL)
			fail("a pattern PCRE2 rejects did not fail", pat,
			    plen);
		pf_eval_free(ev);
		return 0;
	}
	if (err != NULL && strstr(err, "bad regex") != NULL)
		fail("a pattern PCRE2 compiles failed", pat, plen);

	/* The same code serves both: PCRE2_NO_JIT picks the interpreter. */
	jit_ok = pcre2_jit_compile(re, PCRE2_JIT_COMPLETE) == 0;
	md = pcre2_match_data_create(10, NULL);
	mc = pcre2_match_context_create(NULL);
	js = pcre2_jit_stack_create(32 * 1024, 8 * 1024 * 1024, NULL);
	if (md == NULL || mc == NULL || js == NULL)
		abort();
	pcre2_jit_stack_assign(mc, NULL, js);
	pcre2_set_match_limit(mc, REF_LIMIT);
	rc = pcre2_match(re, slen ? subj : (const uint8_t *)"", slen, 0,
	    PCRE2_NO_JIT, md, mc);
	rc_jit = jit_ok ? pcre2_match(re, slen ? subj : (const uint8_t *)"",
	    slen, 0, 0, md, mc) : rc;
	if (rc >= 0 || rc == PCRE2_ERROR_NOMATCH) {
		if (err != NULL) {
			if (!limit_error(err)) {
				fprintf(stderr, "fuzz_regex: %s\n", err);
				fail("=~ failed where PCRE2 has an answer",
				    pat, plen);
			}
		} else if (pf_value_truthy(&v) != (rc >= 0)) {
			if (rc_jit < PCRE2_ERROR_NOMATCH ||
			    pf_value_truthy(&v) != (rc_jit >= 0))
				fail(rc >= 0 ? "=~ says no match, PCRE2 "
				    "matches" : "=~ says match, PCRE2 does not",
				    pat, plen);
			library_discrepancy(rc >= 0 ? "=~ says no match" :
			    "=~ says match", pat, plen);
		}
	}

	if (rc >= PCRE2_ERROR_NOMATCH && valid_utf8(subj, slen) &&
	    ref_replace(re, PCRE2_NO_JIT, md, mc, subj, slen, &want)) {
		if (!jit_ok || !ref_replace(re, 0, md, mc, subj, slen,
		    &want_jit))
			want_jit.len = 0, jit_ok = false;
		eval(ev, "replace(a, b, \"" REPLACEMENT "\")", &rec, &v, &err);
		if (err != NULL) {
			if (!limit_error(err)) {
				fprintf(stderr, "fuzz_regex: %s\n", err);
				fail("replace() failed where PCRE2 has an "
				    "answer", pat, plen);
			}
		} else {
			pf_value_text(ev, &v, &got, &got_len);
			if (same(got, got_len, &want))
				;
			else if (jit_ok && same(got, got_len, &want_jit))
				library_discrepancy("replace()", pat, plen);
			else {
				fprintf(stderr, "fuzz_regex: replace gives "
				    "\"%.*s\", PCRE2 \"%.*s\"\n", (int)got_len,
				    got, (int)want.len, want.data);
				fail("replace() differs", pat, plen);
			}
		}
	}
	pf_buf_free(&want);
	pf_buf_free(&want_jit);
	pcre2_match_data_free(md);
	pcre2_match_context_free(mc);
	pcre2_jit_stack_free(js);
	pcre2_code_free(re);
	pf_eval_free(ev);
	return 0;
}
