/*
 * expr_func.c - the functions of the expression language (see expr.h for
 * what each one does) and the table the parser looks them up in.
 *
 * Text is bytes, read as UTF-8 where it is valid: an invalid byte counts
 * as one character and is copied through unchanged.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wctype.h>

#include "expr/expr_int.h"
#include "support/timeutil.h"
#include "support/xalloc.h"

/* Arguments */

static void
arg(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    uint32_t k, const struct pf_record *rec, struct pf_value *v)
{
	pf_eval_node(ev, e, e->args[n->args + k], rec, v);
}

static void
arg_text(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    uint32_t k, const struct pf_record *rec, const char **s, size_t *len)
{
	struct pf_value v;

	arg(ev, e, n, k, rec, &v);
	pf_value_text(ev, &v, s, len);
}

static bool
arg_number(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    uint32_t k, const struct pf_record *rec, struct pf_number *num)
{
	struct pf_value v;

	arg(ev, e, n, k, rec, &v);
	return pf_value_number(&v, num);
}

static void
set_empty(struct pf_value *out)
{
	pf_set_str(out, "", 0);
}

/* An integral double as an integer when it fits, else as a number. */
static void
set_integral(struct pf_value *out, double d)
{
	if (d >= -9223372036854775808.0 && d < 9223372036854775808.0)
		pf_set_int(out, (int64_t)d);
	else
		pf_set_num(out, d);
}

/* UTF-8 */

/*
 * Decodes the character at s (len > 0 bytes left). Returns its length, and
 * sets *cp, or -1 for an invalid byte (then the length is 1).
 */
static size_t
utf8_decode(const unsigned char *s, size_t len, int32_t *cp)
{
	unsigned char c = s[0];
	size_t n, k;
	int32_t v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2; v = c & 0x1f; min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3; v = c & 0x0f; min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4; v = c & 0x07; min = 0x10000;
	} else
		goto invalid;
	if (len < n)
		goto invalid;
	for (k = 1; k < n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			goto invalid;
		v = (v << 6) | (s[k] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		goto invalid;
	*cp = v;
	return n;
invalid:
	*cp = -1;
	return 1;
}

static size_t
utf8_encode(int32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Length in bytes of the character at s (1 for an invalid byte). */
static size_t
utf8_charlen(const char *s, size_t len)
{
	int32_t cp;

	if ((unsigned char)s[0] < 0x80)
		return 1;
	return utf8_decode((const unsigned char *)s, len, &cp);
}

/* Text functions */

static void
fn_len(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	const char *s;
	size_t len, i = 0;
	int64_t chars = 0;

	arg_text(ev, e, n, 0, rec, &s, &len);
	while (i < len) {
		i += utf8_charlen(s + i, len - i);
		chars++;
	}
	pf_set_int(out, chars);
}

static locale_t
utf8_locale(struct pf_eval *ev)
{
	static const char *names[] = { "C.UTF-8", "C.utf8", "en_US.UTF-8" };
	size_t i;

	if (!ev->utf8_tried) {
		ev->utf8_tried = true;
		for (i = 0; i < 3 && ev->utf8 == (locale_t)0; i++)
			ev->utf8 = newlocale(LC_CTYPE_MASK, names[i], (locale_t)0);
	}
	return ev->utf8;
}

static void
map_case(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out, bool upper)
{
	const char *s;
	size_t len, i, o = 0, k;
	locale_t loc = (locale_t)0;
	char *p;
	int32_t cp;

	arg_text(ev, e, n, 0, rec, &s, &len);
	/* A case change grows a character by at most half: 2 -> 3 bytes. */
	p = pf_scratch_alloc(ev, len * 2);
	for (i = 0; i < len; i += k) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x80) {
			if (upper && c >= 'a' && c <= 'z')
				c -= 'a' - 'A';
			else if (!upper && c >= 'A' && c <= 'Z')
				c += 'a' - 'A';
			p[o++] = (char)c;
			k = 1;
			continue;
		}
		k = utf8_decode((const unsigned char *)s + i, len - i, &cp);
		if (cp >= 0 && (loc != (locale_t)0 ||
		    (loc = utf8_locale(ev)) != (locale_t)0)) {
			int32_t m = (int32_t)(upper ? towupper_l((wint_t)cp, loc) :
			    towlower_l((wint_t)cp, loc));

			if (m > 0 && m <= 0x10ffff && !(m >= 0xd800 && m <= 0xdfff))
				cp = m;
			o += utf8_encode(cp, p + o);
		} else {
			memcpy(p + o, s + i, k);
			o += k;
		}
	}
	pf_set_str(out, p, o);
}

static void
fn_lower(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	map_case(ev, e, n, rec, out, false);
}

static void
fn_upper(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	map_case(ev, e, n, rec, out, true);
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\v' || c == '\f';
}

static void
fn_trim(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	const char *s;
	size_t len;

	arg_text(ev, e, n, 0, rec, &s, &len);
	while (len > 0 && is_space(s[0])) {
		s++;
		len--;
	}
	while (len > 0 && is_space(s[len - 1]))
		len--;
	pf_set_str(out, s, len);
}

/* Byte offset of 1-based character position pos (clipped to the end). */
static size_t
char_offset(const char *s, size_t len, double pos)
{
	size_t i = 0;
	double c;

	for (c = 1; c < pos && i < len; c++)
		i += utf8_charlen(s + i, len - i);
	return i;
}

static void
fn_substr(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	struct pf_number start, count;
	const char *s;
	size_t len, from_at, to_at;
	double from, to;

	arg_text(ev, e, n, 0, rec, &s, &len);
	if (!arg_number(ev, e, n, 1, rec, &start) || isnan(start.d)) {
		set_empty(out);
		return;
	}
	from = trunc(start.d);
	to = INFINITY;			/* exclusive */
	if (n->nargs > 2) {
		if (!arg_number(ev, e, n, 2, rec, &count) || isnan(count.d)) {
			set_empty(out);
			return;
		}
		to = from + trunc(count.d);
	}
	if (from < 1)
		from = 1;
	if (to <= from || from > (double)len + 1) {
		set_empty(out);
		return;
	}
	from_at = char_offset(s, len, from);
	to_at = isinf(to) ? len :
	    from_at + char_offset(s + from_at, len - from_at, to - from + 1);
	pf_set_str(out, s + from_at, to_at - from_at);
}

/* Appends repl to b with $0..$9 taken from the match in ov. */
static void
expand_replacement(struct pf_buf *b, const char *repl, size_t rlen,
    const char *s, const PCRE2_SIZE *ov, int ngroups)
{
	size_t i;

	for (i = 0; i < rlen; i++) {
		char c = repl[i];

		if (c == '$' && i + 1 < rlen && repl[i + 1] == '$') {
			pf_buf_addc(b, '$');
			i++;
		} else if (c == '$' && i + 1 < rlen &&
		    repl[i + 1] >= '0' && repl[i + 1] <= '9') {
			int g = repl[++i] - '0';

			if (g < ngroups && ov[2 * g] != PCRE2_UNSET)
				pf_buf_add(b, s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
		} else
			pf_buf_addc(b, c);
	}
}

static void
fn_replace(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	const char *s, *repl;
	size_t len, rlen, off = 0, ms, me;
	const pcre2_code *re;
	PCRE2_SIZE *ov;
	struct pf_buf *b = &ev->work;
	bool matched = false;
	int rc;

	arg_text(ev, e, n, 0, rec, &s, &len);
	re = pf_eval_regex(ev, e, e->args[n->args + 1], rec);
	arg_text(ev, e, n, 2, rec, &repl, &rlen);
	if (re == NULL) {
		pf_set_str(out, s, len);
		return;
	}
	b->len = 0;
	while (off <= len) {
		rc = pf_regex_match(ev, re, s, len, off);
		if (rc < 0)
			break;
		matched = true;
		ov = pcre2_get_ovector_pointer(ev->md);
		ms = ov[0] < off ? off : ov[0];
		me = ov[1] < ms ? ms : ov[1];
		pf_buf_add(b, s + off, ms - off);
		expand_replacement(b, repl, rlen, s, ov, rc == 0 ? 10 : rc);
		if (me > ms) {
			off = me;
			continue;
		}
		/* An empty match: keep the next character and move past it. */
		if (ms >= len) {
			off = len + 1;
			break;
		}
		me = ms + utf8_charlen(s + ms, len - ms);
		pf_buf_add(b, s + ms, me - ms);
		off = me;
	}
	if (!matched) {
		pf_set_str(out, s, len);
		return;
	}
	if (off < len)
		pf_buf_add(b, s + off, len - off);
	pf_set_str(out, pf_scratch_copy(ev, b->data, b->len), b->len);
}

/* Number functions */

static void
fn_num(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	struct pf_number x;

	if (!arg_number(ev, e, n, 0, rec, &x)) {
		set_empty(out);
		return;
	}
	pf_set_number(out, &x);
}

/* Applies an integral rounding function (trunc, floor, ceil). */
static void
integral(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out, double (*fn)(double))
{
	struct pf_number x;

	if (!arg_number(ev, e, n, 0, rec, &x)) {
		set_empty(out);
		return;
	}
	if (x.is_int) {
		pf_set_int(out, x.i);
		return;
	}
	if (isnan(x.d) || isinf(x.d)) {
		pf_set_num(out, x.d);
		return;
	}
	set_integral(out, fn(x.d));
}

static void
fn_int(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	integral(ev, e, n, rec, out, trunc);
}

static void
fn_floor(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	integral(ev, e, n, rec, out, floor);
}

static void
fn_ceil(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	integral(ev, e, n, rec, out, ceil);
}

/*
 * Rounds x half away from zero to digits decimal places, working on the
 * shortest decimal form of x so that 2.675 rounds like it reads.
 */
static double
round_decimal(double x, int digits)
{
	char buf[64], digs[24], *p;
	int prec, ndig = 0, exp10, keep, k;
	unsigned long long m = 0;

	for (prec = 14; prec <= 16; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec, x);
		if (strtod(buf, NULL) == x)
			break;
	}
	for (p = buf; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			digs[ndig++] = *p;
	exp10 = atoi(p + 1);
	keep = exp10 + digits + 1;	/* digits at or above 10^-digits */
	if (keep >= ndig)
		return x;
	if (keep < 0)
		return x < 0 ? -0.0 : 0.0;
	for (k = 0; k < keep; k++)
		m = m * 10 + (unsigned long long)(digs[k] - '0');
	if (digs[keep] >= '5')
		m++;
	snprintf(buf, sizeof(buf), "%s%llue%d", x < 0 ? "-" : "", m, -digits);
	return strtod(buf, NULL);
}

static void
fn_round(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	struct pf_number x, d;
	int digits = 0;
	double r;

	if (!arg_number(ev, e, n, 0, rec, &x)) {
		set_empty(out);
		return;
	}
	if (n->nargs > 1) {
		if (!arg_number(ev, e, n, 1, rec, &d) || isnan(d.d)) {
			set_empty(out);
			return;
		}
		digits = d.d > 400 ? 400 : d.d < -400 ? -400 : (int)d.d;
	}
	if (x.is_int && digits >= 0) {
		pf_set_int(out, x.i);
		return;
	}
	if (isnan(x.d) || isinf(x.d)) {
		pf_set_num(out, x.d);
		return;
	}
	r = digits == 0 ? round(x.d) : round_decimal(x.d, digits);
	if (digits <= 0)
		set_integral(out, r);
	else
		pf_set_num(out, r);
}

/* nr(): the record's number in the whole input (pf_record.nr). */
static void
fn_nr(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	(void)ev, (void)e, (void)n;
	pf_set_int(out, (int64_t)rec->nr);
}

static void
fn_abs(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	struct pf_number x;

	if (!arg_number(ev, e, n, 0, rec, &x)) {
		set_empty(out);
		return;
	}
	if (x.is_int && x.i != INT64_MIN) {
		pf_set_int(out, x.i < 0 ? -x.i : x.i);
		return;
	}
	pf_set_num(out, fabs(x.d));
}

/* min and max: ignore empty arguments; numeric if all others are numbers. */
static void
extreme(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out, int sign)
{
	struct pf_value v[64];
	struct pf_number num[64];
	bool numeric = true;
	uint32_t k, best = UINT32_MAX;

	for (k = 0; k < n->nargs; k++) {
		arg(ev, e, n, k, rec, &v[k]);
		if (v[k].type == PF_V_STR && v[k].len == 0)
			continue;
		if (!pf_value_number(&v[k], &num[k]))
			numeric = false;
	}
	for (k = 0; k < n->nargs; k++) {
		int c;

		if (v[k].type == PF_V_STR && v[k].len == 0)
			continue;
		if (best == UINT32_MAX) {
			best = k;
			continue;
		}
		if (numeric) {
			const struct pf_number *a = &num[k], *b = &num[best];

			if (a->is_int && b->is_int)
				c = (a->i > b->i) - (a->i < b->i);
			else
				c = (a->d > b->d) - (a->d < b->d);
		} else {
			const char *as, *bs;
			size_t al, bl;

			pf_value_text(ev, &v[k], &as, &al);
			pf_value_text(ev, &v[best], &bs, &bl);
			c = memcmp(as, bs, al < bl ? al : bl);
			if (c == 0)
				c = (al > bl) - (al < bl);
		}
		if (c * sign > 0)
			best = k;
	}
	if (best == UINT32_MAX) {
		set_empty(out);
		return;
	}
	*out = v[best];
}

static void
fn_min(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	extreme(ev, e, n, rec, out, -1);
}

static void
fn_max(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	extreme(ev, e, n, rec, out, 1);
}

/* Tests */

static void
fn_isnum(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	struct pf_number x;

	pf_set_bool(out, arg_number(ev, e, n, 0, rec, &x));
}

static void
fn_isempty(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	struct pf_value v;

	arg(ev, e, n, 0, rec, &v);
	pf_set_bool(out, v.type == PF_V_STR && v.len == 0);
}

static void
fn_coalesce(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	uint32_t k;

	for (k = 0; k < n->nargs; k++) {
		arg(ev, e, n, k, rec, out);
		if (out->type != PF_V_STR || out->len > 0)
			return;
	}
	set_empty(out);
}

/* Time */

/* time(s): an ISO 8601 date or date-time in UTC epoch seconds. */
static bool
parse_iso8601(const char *p, size_t len, struct pf_value *out)
{
	struct pf_iso_time t;

	if (!pf_iso_time_parse(p, len, &t))
		return false;
	if (t.has_frac)
		pf_set_num(out, (double)t.secs + t.frac);
	else
		pf_set_int(out, t.secs);
	return true;
}

static void
fn_time(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	const char *s;
	size_t len;

	arg_text(ev, e, n, 0, rec, &s, &len);
	if (!parse_iso8601(s, len, out))
		set_empty(out);
}

static void
fn_strftime(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	struct pf_number t;
	const char *fmt;
	size_t flen, size, len;
	struct tm tm;
	time_t secs;
	char *p;

	if (!arg_number(ev, e, n, 0, rec, &t) || !(fabs(t.d) < 1e14)) {
		set_empty(out);
		return;
	}
	arg_text(ev, e, n, 1, rec, &fmt, &flen);
	secs = t.is_int ? (time_t)t.i : (time_t)floor(t.d);
	if (flen == 0 || gmtime_r(&secs, &tm) == NULL) {
		set_empty(out);
		return;
	}
	/* strftime needs a C string: the format goes into the work buffer. */
	ev->work.len = 0;
	pf_buf_add(&ev->work, fmt, flen);
	pf_buf_addc(&ev->work, '\0');
	for (size = 64 + flen * 4; size <= 65536; size *= 4) {
		p = pf_scratch_alloc(ev, size);
		len = strftime(p, size, ev->work.data, &tm);
		if (len > 0) {
			pf_set_str(out, p, len);
			return;
		}
	}
	set_empty(out);
}

/* The table, in the order the "unknown function" message lists them. */
static const struct pf_func funcs[] = {
	{ "abs",	1, 1,  fn_abs },
	{ "ceil",	1, 1,  fn_ceil },
	{ "coalesce",	1, -1, fn_coalesce },
	{ "floor",	1, 1,  fn_floor },
	{ "int",	1, 1,  fn_int },
	{ "isempty",	1, 1,  fn_isempty },
	{ "isnum",	1, 1,  fn_isnum },
	{ "len",	1, 1,  fn_len },
	{ "lower",	1, 1,  fn_lower },
	{ "max",	1, -1, fn_max },
	{ "min",	1, -1, fn_min },
	{ "nr",		0, 0,  fn_nr },
	{ "num",	1, 1,  fn_num },
	{ "replace",	3, 3,  fn_replace },
	{ "round",	1, 2,  fn_round },
	{ "strftime",	2, 2,  fn_strftime },
	{ "substr",	2, 3,  fn_substr },
	{ "time",	1, 1,  fn_time },
	{ "trim",	1, 1,  fn_trim },
	{ "upper",	1, 1,  fn_upper },
};

#define NFUNCS (sizeof(funcs) / sizeof(funcs[0]))

const struct pf_func *
pf_func_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NFUNCS; i++)
		if (strlen(funcs[i].name) == len &&
		    memcmp(funcs[i].name, name, len) == 0)
			return &funcs[i];
	return NULL;
}

char *
pf_func_list(void)
{
	struct pf_buf b = { 0 };
	size_t i;

	for (i = 0; i < NFUNCS; i++) {
		if (i > 0)
			pf_buf_add(&b, ", ", 2);
		pf_buf_adds(&b, funcs[i].name);
	}
	pf_buf_addc(&b, '\0');
	return b.data;
}
