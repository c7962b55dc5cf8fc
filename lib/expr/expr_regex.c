/*
 * expr_regex.c - regexes in expressions: compiling, the run-time pattern
 * cache, matching within limits, and regex errors (see expr.h).
 *
 * A match runs with a per-worker JIT stack and match limit; a PCRE2
 * error while matching, or a pattern from the data that does not
 * compile, fails the record's evaluation (pf_eval_error()) instead of
 * counting as "no match".
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr/expr_int.h"
#include "support/xalloc.h"

/*
 * Regex limits, per worker: a JIT stack that grows from 32K up to 8M
 * (address space reserved, memory used only as deep as a match goes),
 * and PCRE2's own default match limit, as grep -P has it: a pattern that
 * backtracks catastrophically fails in some 10 ms instead of running for
 * minutes, and the failure is an error, never a silent "no match".
 */
#define JIT_STACK_MIN	(32 * 1024)
#define JIT_STACK_MAX	(8 * 1024 * 1024)
#define MATCH_LIMIT	10000000

pcre2_code *
pf_regex_compile(const char *pat, size_t len, uint32_t flags, int *errcode,
    size_t *erroffset)
{
	pcre2_code *re;

	re = pcre2_compile((PCRE2_SPTR)pat, len,
	    flags | PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, errcode, erroffset,
	    NULL);
	if (re != NULL)
		pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);	/* optional */
	return re;
}

const char *
pf_eval_error(const struct pf_eval *ev)
{
	return ev->failed ? ev->error : NULL;
}

/*
 * Fails the evaluation with the PCRE2 error code's message, naming the
 * pattern (shortened, control bytes escaped) when there is one. The
 * first failure of a record stays.
 */
static void
regex_failed(struct pf_eval *ev, const char *what, const char *pat,
    size_t patlen, int code)
{
	PCRE2_UCHAR msg[120];
	char shown[64];
	size_t i, n = 0;

	if (ev->failed)
		return;
	ev->failed = true;
	if (pcre2_get_error_message(code, msg, sizeof(msg)) < 0)
		snprintf((char *)msg, sizeof(msg), "PCRE2 error %d", code);
	if (pat == NULL) {
		snprintf(ev->error, sizeof(ev->error), "%s: %s", what,
		    (char *)msg);
		return;
	}
	for (i = 0; i < patlen && n + 8 < sizeof(shown); i++) {
		unsigned char c = (unsigned char)pat[i];

		if (c < 0x20 || c == 0x7f)
			n += (size_t)snprintf(shown + n, sizeof(shown) - n,
			    "\\x%02x", c);
		else
			shown[n++] = (char)c;
	}
	shown[n] = '\0';
	snprintf(ev->error, sizeof(ev->error), "%s \"%s%s\": %s", what, shown,
	    i < patlen ? "..." : "", (char *)msg);
}

static void
make_match_context(struct pf_eval *ev)
{
	ev->mctx = pcre2_match_context_create(NULL);
	ev->jit_stack = pcre2_jit_stack_create(JIT_STACK_MIN, JIT_STACK_MAX,
	    NULL);
	if (ev->mctx == NULL || ev->jit_stack == NULL)
		errx(1, "out of memory");
	pcre2_jit_stack_assign(ev->mctx, NULL, ev->jit_stack);
	pcre2_set_match_limit(ev->mctx, MATCH_LIMIT);
}

int
pf_regex_match(struct pf_eval *ev, const pcre2_code *re, const char *s,
    size_t len, size_t off)
{
	int rc;

	if (ev->mctx == NULL)
		make_match_context(ev);
	rc = pcre2_match(re, (PCRE2_SPTR)(len ? s : ""), len, off, 0, ev->md,
	    ev->mctx);
	if (rc < PCRE2_ERROR_NOMATCH) {
		regex_failed(ev, "regex error", NULL, 0, rc);
		return PCRE2_ERROR_NOMATCH;
	}
	return rc;
}

/*
 * Finds or compiles (and caches) the pattern pat. NULL if it is bad, which
 * fails the evaluation.
 */
static const pcre2_code *
cached_regex(struct pf_eval *ev, const char *pat, size_t len)
{
	struct pf_regex_entry *c;
	size_t erroffset;
	unsigned i;

	for (i = 0; i < PF_REGEX_CACHE; i++) {
		c = &ev->cache[i];
		if (c->pat && c->len == len && memcmp(c->pat, pat, len) == 0)
			goto found;
	}
	c = &ev->cache[ev->cache_next];
	ev->cache_next = (ev->cache_next + 1) % PF_REGEX_CACHE;
	free(c->pat);
	pcre2_code_free(c->code);
	c->pat = pf_xstrndup(pat, len);
	c->len = len;
	c->code = pf_regex_compile(pat, len, 0, &c->errcode, &erroffset);
found:
	if (c->code == NULL)
		regex_failed(ev, "bad regex", c->pat, c->len, c->errcode);
	return c->code;
}

const pcre2_code *
pf_eval_regex(struct pf_eval *ev, const struct pf_expr *e, uint32_t i,
    const struct pf_record *rec)
{
	const struct pf_node *n = &e->nodes[i];
	struct pf_value v;
	const char *s;
	size_t len;

	if (n->re != NULL)
		return n->re;	/* a regex literal, or a string constant compiled */
	pf_eval_node(ev, e, i, rec, &v);
	pf_value_text(ev, &v, &s, &len);
	return cached_regex(ev, s, len);
}

void
pf_eval_regex_free(struct pf_eval *ev)
{
	unsigned i;

	pcre2_match_context_free(ev->mctx);
	pcre2_jit_stack_free(ev->jit_stack);
	for (i = 0; i < PF_REGEX_CACHE; i++) {
		free(ev->cache[i].pat);
		pcre2_code_free(ev->cache[i].code);
	}
}
