/*
 * expr_func_more.c - the functions of the expression language added in
 * round 3 that are neither time nor format(): split, index, contains,
 * startswith, endswith, lpad, rpad, repeat, match; sqrt, log, log10,
 * exp; md5, sha1, sha256, xxh64; rand; typeof (see man/expressions.mdoc).
 */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nettle/md5.h>
#include <nettle/nettle-meta.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <xxhash.h>

#include "expr/expr_func.h"

/* Results longer than this (lpad, rpad, repeat) are out of range. */
#define MAX_RESULT (16u << 20)

/* Text */

/* Characters in s[0..len), UTF-8, an invalid byte counting one. */
static size_t
chars(const char *s, size_t len)
{
	size_t k = 0, n = 0;

	while (k < len) {
		k += utf8_char_len(s + k, len - k);
		n++;
	}
	return n;
}

/* Argument k as an integer (truncated), or noted. */
static bool
int_arg(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    uint32_t k, const struct pf_record *rec, int64_t *v)
{
	struct pf_number x;

	if (!arg_number_noted(ev, e, n, k, rec, &x))
		return false;
	if (x.is_int)
		*v = x.i;
	else if (fabs(x.d) < 9e18)
		*v = (int64_t)x.d;
	else
		return false;
	return true;
}

/* split(s, sep, i): the i-th piece (1-based; negative from the end). */
void
fn_split(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	const char *s, *sep, *p, *end, *hit;
	size_t len, slen, count = 0, k;
	int64_t i;

	set_empty(out);
	arg_text(ev, e, n, 0, rec, &s, &len);
	arg_text(ev, e, n, 1, rec, &sep, &slen);
	if (!int_arg(ev, e, n, 2, rec, &i) || i == 0)
		return;
	end = s + len;
	if (slen == 0) {	/* characters */
		size_t nc = chars(s, len);

		if (i < 0)
			i += (int64_t)nc + 1;
		if (i < 1 || (uint64_t)i > nc)
			return;
		for (p = s, k = 1; k < (size_t)i; k++)
			p += utf8_char_len(p, (size_t)(end - p));
		pf_set_str(out, p, utf8_char_len(p, (size_t)(end - p)));
		return;
	}
	if (i < 0) {	/* count the pieces */
		for (p = s, count = 1; (hit = memmem(p, (size_t)(end - p), sep,
		    slen)) != NULL; p = hit + slen)
			count++;
		i += (int64_t)count + 1;
		if (i < 1)
			return;
	}
	for (p = s, k = 1; k < (size_t)i; k++) {
		hit = memmem(p, (size_t)(end - p), sep, slen);
		if (hit == NULL)
			return;
		p = hit + slen;
	}
	hit = memmem(p, (size_t)(end - p), sep, slen);
	pf_set_str(out, p, hit ? (size_t)(hit - p) : (size_t)(end - p));
}

/* index(s, t): 1-based character position of t in s, -1 when absent. */
void
fn_index(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	const char *s, *t, *hit;
	size_t len, tlen;

	arg_text(ev, e, n, 0, rec, &s, &len);
	arg_text(ev, e, n, 1, rec, &t, &tlen);
	hit = tlen == 0 ? s : memmem(s, len, t, tlen);
	pf_set_int(out, hit ? (int64_t)chars(s, (size_t)(hit - s)) + 1 : -1);
}

/* contains, startswith, endswith: where t may stand in s. */
enum where { ANYWHERE, START, END };

static void
has_text(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out, enum where w)
{
	const char *s, *t;
	size_t len, tlen;
	bool yes;

	arg_text(ev, e, n, 0, rec, &s, &len);
	arg_text(ev, e, n, 1, rec, &t, &tlen);
	if (tlen > len)
		yes = false;
	else if (w == START)
		yes = memcmp(s, t, tlen) == 0;
	else if (w == END)
		yes = memcmp(s + len - tlen, t, tlen) == 0;
	else
		yes = tlen == 0 || memmem(s, len, t, tlen) != NULL;
	pf_set_bool(out, yes);
}

void
fn_contains(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	has_text(ev, e, n, rec, out, ANYWHERE);
}

void
fn_startswith(struct pf_eval *ev, const struct pf_expr *e,
    const struct pf_node *n, const struct pf_record *rec, struct pf_value *out)
{
	has_text(ev, e, n, rec, out, START);
}

void
fn_endswith(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	has_text(ev, e, n, rec, out, END);
}

/* lpad/rpad(s, n[, c]): s padded with c (default a space) to n characters. */
static void
pad(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out, bool left)
{
	const char *s, *c = " ";
	size_t len, clen = 1, have, k, total;
	int64_t width;
	char *p, *q;

	set_empty(out);
	arg_text(ev, e, n, 0, rec, &s, &len);
	if (!int_arg(ev, e, n, 1, rec, &width))
		return;
	if (n->nargs > 2)
		arg_text(ev, e, n, 2, rec, &c, &clen);
	have = chars(s, len);
	if (width <= (int64_t)have || clen == 0) {
		pf_set_str(out, s, len);
		return;
	}
	if ((uint64_t)width > MAX_RESULT / clen) {
		struct pf_value v;

		pf_set_int(&v, width);
		pf_note(ev, e, n, rec, PF_NOTE_RANGE, &v, false);
		return;
	}
	total = len + ((size_t)width - have) * clen;
	p = q = pf_scratch_alloc(ev, total);
	if (!left) {
		memcpy(q, s, len);
		q += len;
	}
	for (k = have; k < (size_t)width; k++, q += clen)
		memcpy(q, c, clen);
	if (left)
		memcpy(q, s, len);
	pf_set_str(out, p, total);
}

void
fn_lpad(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	pad(ev, e, n, rec, out, true);
}

void
fn_rpad(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	pad(ev, e, n, rec, out, false);
}

void
fn_repeat(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	const char *s;
	size_t len;
	int64_t times, k;
	char *p;

	set_empty(out);
	arg_text(ev, e, n, 0, rec, &s, &len);
	if (!int_arg(ev, e, n, 1, rec, &times) || times <= 0 || len == 0)
		return;
	if ((uint64_t)times > MAX_RESULT / len) {
		struct pf_value v;

		pf_set_int(&v, times);
		pf_note(ev, e, n, rec, PF_NOTE_RANGE, &v, false);
		return;
	}
	p = pf_scratch_alloc(ev, len * (size_t)times);
	for (k = 0; k < times; k++)
		memcpy(p + (size_t)k * len, s, len);
	pf_set_str(out, p, len * (size_t)times);
}

/* match(s, re[, n]): capture group n (0: the whole match) or empty. */
void
fn_match(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	const pcre2_code *re;
	PCRE2_SIZE *ov;
	const char *s;
	size_t len;
	int64_t group = 0;
	int rc;

	set_empty(out);
	arg_text(ev, e, n, 0, rec, &s, &len);
	re = pf_eval_regex(ev, e, e->args[n->args + 1], rec);
	if (re == NULL || (n->nargs > 2 && !int_arg(ev, e, n, 2, rec, &group)) ||
	    group < 0 || group > 9)
		return;
	rc = pf_regex_match(ev, re, s, len, 0);
	if (rc <= group)
		return;
	ov = pcre2_get_ovector_pointer(ev->md);
	if (ov[2 * group] == PCRE2_UNSET)
		return;
	pf_set_str(out, s + ov[2 * group], ov[2 * group + 1] - ov[2 * group]);
}

const char *
check_match(const struct pf_expr *e, struct pf_node *n, char *msg,
    size_t size, uint32_t *arg_index)
{
	const struct pf_node *re = &e->nodes[e->args[n->args + 1]];
	const struct pf_node *g;
	uint32_t groups = 9;

	if (n->nargs < 3)
		return NULL;
	g = &e->nodes[e->args[n->args + 2]];
	if (re->re != NULL)
		pcre2_pattern_info(re->re, PCRE2_INFO_CAPTURECOUNT, &groups);
	if (g->kind == PF_N_CONST && g->val.type == PF_V_INT &&
	    (g->val.i < 0 || g->val.i > (int64_t)(groups < 9 ? groups : 9))) {
		*arg_index = 2;
		snprintf(msg, size, "match() group %lld: the regex has %u "
		    "group%s (0 is the whole match; at most 9)",
		    (long long)g->val.i, groups, groups == 1 ? "" : "s");
		return msg;
	}
	return NULL;
}

/* Numbers */

static void
math1(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out, double (*fn)(double))
{
	struct pf_number x;
	struct pf_value v;
	double r;

	set_empty(out);
	if (!arg_number_noted(ev, e, n, 0, rec, &x))
		return;
	r = fn(x.d);
	if (isfinite(x.d) && !isfinite(r)) {	/* sqrt(-1), log(0), exp(1e6) */
		pf_set_number(&v, &x);
		pf_note(ev, e, n, rec, PF_NOTE_RANGE, &v, false);
		return;
	}
	pf_set_num(out, r);
}

#define MATH1(name, fn)							\
void									\
name(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n, \
    const struct pf_record *rec, struct pf_value *out)			\
{									\
	math1(ev, e, n, rec, out, fn);					\
}

MATH1(fn_sqrt, sqrt)
MATH1(fn_log, log)
MATH1(fn_log10, log10)
MATH1(fn_exp, exp)

/* Hashes: lowercase hex of the digest of the argument's text. */

static void
set_hex(struct pf_eval *ev, const unsigned char *d, size_t n,
    struct pf_value *out)
{
	static const char hex[] = "0123456789abcdef";
	char *p = pf_scratch_alloc(ev, 2 * n);
	size_t k;

	for (k = 0; k < n; k++) {
		p[2 * k] = hex[d[k] >> 4];
		p[2 * k + 1] = hex[d[k] & 15];
	}
	pf_set_str(out, p, 2 * n);
}

/* The nettle hash h of the argument's text. */
static void
digest(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out,
    const struct nettle_hash *h)
{
	union {
		struct md5_ctx		md5;
		struct sha1_ctx		sha1;
		struct sha256_ctx	sha256;
	} ctx;
	unsigned char d[SHA256_DIGEST_SIZE];
	const char *s;
	size_t len;

	arg_text(ev, e, n, 0, rec, &s, &len);
	h->init(&ctx);
	h->update(&ctx, len, (const uint8_t *)s);
	h->digest(&ctx, h->digest_size, d);
	set_hex(ev, d, h->digest_size, out);
}

void
fn_md5(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	digest(ev, e, n, rec, out, &nettle_md5);
}

void
fn_sha1(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	digest(ev, e, n, rec, out, &nettle_sha1);
}

void
fn_sha256(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	digest(ev, e, n, rec, out, &nettle_sha256);
}

void
fn_xxh64(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	unsigned char d[8];
	XXH64_hash_t h;
	const char *s;
	size_t len;
	int k;

	arg_text(ev, e, n, 0, rec, &s, &len);
	h = XXH64(s, len, 0);
	for (k = 7; k >= 0; k--, h >>= 8)
		d[k] = (unsigned char)(h & 0xff);
	set_hex(ev, d, sizeof(d), out);
}

/* rand() */

static uint64_t rand_seed;
static bool rand_seeded;
static long rand_sites;		/* call sites numbered as compiled */

void
pf_expr_seed(uint64_t seed)
{
	rand_seed = seed;
	rand_seeded = true;
}

/* rand(): XXH64 of (seed, nr(), call site) as a double in [0, 1). */
void
fn_rand(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	uint64_t key[3] = { rand_seed, rec->nr, (uint64_t)n->field };

	(void)ev, (void)e;
	pf_set_num(out, (double)(XXH64(key, sizeof(key), 0) >> 11) *
	    0x1.0p-53);
}

const char *
check_rand(const struct pf_expr *e, struct pf_node *n, char *msg,
    size_t size, uint32_t *arg_index)
{
	(void)e, (void)msg, (void)size, (void)arg_index;
	if (!rand_seeded) {	/* no --seed: a fresh one */
		uint64_t s = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
		int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

		if (fd >= 0) {
			if (read(fd, &s, sizeof(s)) != (ssize_t)sizeof(s))
				s ^= (uint64_t)clock();
			close(fd);
		}
		pf_expr_seed(s);
	}
	n->field = rand_sites++;
	return NULL;
}

/* typeof(x): Miller's names for what x holds. */
void
fn_typeof(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	struct pf_number x;
	struct pf_value v;
	const char *t;

	arg(ev, e, n, 0, rec, &v);
	switch (v.type) {
	case PF_V_INT:	t = "int"; break;
	case PF_V_NUM:	t = "float"; break;
	case PF_V_BOOL:	t = "boolean"; break;
	default:
		if (v.len == 0)
			t = "empty";
		else if (pf_number_parse(v.s, v.len, &x))
			t = x.is_int ? "int" : "float";
		else
			t = "string";
	}
	pf_set_str(out, t, strlen(t));
}
