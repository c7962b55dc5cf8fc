/*
 * expr_func.c - the functions of the expression language (see expr.h for
 * what each one does) and the table the parser looks them up in.
 * The text functions are in expr_func_text.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "expr/expr_func.h"
#include "support/timeutil.h"
#include "support/xalloc.h"

/* Number functions */

static void
fn_num(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	struct pf_number x;

	if (!arg_number_noted(ev, e, n, 0, rec, &x)) {
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

	if (!arg_number_noted(ev, e, n, 0, rec, &x)) {
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

	if (!arg_number_noted(ev, e, n, 0, rec, &x)) {
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

/* filename(): the name of the input the record came from ("-": stdin). */
static void
fn_filename(struct pf_eval *ev, const struct pf_expr *e,
    const struct pf_node *n, const struct pf_record *rec, struct pf_value *out)
{
	(void)ev, (void)e, (void)n;
	pf_set_str(out, rec->file != NULL ? rec->file : "",
	    rec->file != NULL ? strlen(rec->file) : 0);
}

static void
fn_abs(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	struct pf_number x;

	if (!arg_number_noted(ev, e, n, 0, rec, &x)) {
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

/* The table, in the order the "unknown function" message lists them. */
static const struct pf_func funcs[] = {
	{ "abs",	1, 1,  fn_abs, NULL,
	    "abs(x)", "absolute value" },
	{ "ceil",	1, 1,  fn_ceil, NULL,
	    "ceil(x)", "rounded up" },
	{ "coalesce",	1, -1, fn_coalesce, NULL,
	    "coalesce(a, ...)", "the first non-empty argument" },
	{ "contains",	2, 2,  fn_contains, NULL,
	    "contains(s, t)", "whether t is in s" },
	{ "day",	1, 2,  fn_day, check_date_part,
	    "day(t[, zone])", "day of the month of epoch time t" },
	{ "endswith",	2, 2,  fn_endswith, NULL,
	    "endswith(s, t)", "whether s ends with t" },
	{ "exp",	1, 1,  fn_exp, NULL,
	    "exp(x)", "e to the x" },
	{ "filename",	0, 0,  fn_filename, NULL,
	    "filename()", "the current input file's name (- for stdin)" },
	{ "floor",	1, 1,  fn_floor, NULL,
	    "floor(x)", "rounded down" },
	{ "format",	1, 64, fn_format, check_format,
	    "format(fmt, a, ...)", "printf: format(\"%.2f\", x) is 1.50 for 1.5" },
	{ "hour",	1, 2,  fn_hour, check_date_part,
	    "hour(t[, zone])", "hour (0-23) of epoch time t" },
	{ "index",	2, 2,  fn_index, NULL,
	    "index(s, t)", "1-based character position of t in s, -1 if absent" },
	{ "int",	1, 1,  fn_int, NULL,
	    "int(x)", "truncated toward zero" },
	{ "isempty",	1, 1,  fn_isempty, NULL,
	    "isempty(x)", "whether x is the empty string" },
	{ "isnum",	1, 1,  fn_isnum, NULL,
	    "isnum(x)", "whether x is a number" },
	{ "len",	1, 1,  fn_len, NULL,
	    "len(s)", "characters in s (UTF-8)" },
	{ "log",	1, 1,  fn_log, NULL,
	    "log(x)", "natural logarithm" },
	{ "log10",	1, 1,  fn_log10, NULL,
	    "log10(x)", "base-10 logarithm" },
	{ "lower",	1, 1,  fn_lower, NULL,
	    "lower(s)", "lower case (Unicode)" },
	{ "lpad",	2, 3,  fn_lpad, NULL,
	    "lpad(s, n[, c])", "s padded on the left to n characters" },
	{ "match",	2, 3,  fn_match, check_match,
	    "match(s, /re/[, n])", "capture group n (0: the match) or empty" },
	{ "max",	1, -1, fn_max, NULL,
	    "max(a, ...)", "greatest, ignoring empty arguments" },
	{ "md5",	1, 1,  fn_md5, NULL,
	    "md5(s)", "MD5 of s in hex" },
	{ "min",	1, -1, fn_min, NULL,
	    "min(a, ...)", "least, ignoring empty arguments" },
	{ "minute",	1, 2,  fn_minute, check_date_part,
	    "minute(t[, zone])", "minute of epoch time t" },
	{ "month",	1, 2,  fn_month, check_date_part,
	    "month(t[, zone])", "month (1-12) of epoch time t" },
	{ "nr",		0, 0,  fn_nr, NULL,
	    "nr()", "the record's 1-based number in the whole input" },
	{ "num",	1, 1,  fn_num, NULL,
	    "num(x)", "x as a number, or empty" },
	{ "pow",	2, 2,  NULL, NULL,
	    "pow(a, b)", "a ** b" },	/* compiled as a ** b */
	{ "rand",	0, 0,  fn_rand, check_rand,
	    "rand()", "a number in [0, 1), the same for every -j with --seed" },
	{ "repeat",	2, 2,  fn_repeat, NULL,
	    "repeat(s, n)", "s n times" },
	{ "replace",	3, 3,  fn_replace, NULL,
	    "replace(s, /re/, r)", "every match replaced ($1 a group)" },
	{ "round",	1, 2,  fn_round, NULL,
	    "round(x[, d])", "half away from zero, to d decimals" },
	{ "rpad",	2, 3,  fn_rpad, NULL,
	    "rpad(s, n[, c])", "s padded on the right to n characters" },
	{ "sec2date",	1, 1,  fn_sec2date, NULL,
	    "sec2date(t)", "epoch time t as 2024-01-31" },
	{ "sec2gmt",	1, 1,  fn_sec2gmt, NULL,
	    "sec2gmt(t)", "epoch time t as 2024-01-31T10:20:30Z" },
	{ "second",	1, 2,  fn_second, check_date_part,
	    "second(t[, zone])", "second of epoch time t" },
	{ "sha1",	1, 1,  fn_sha1, NULL,
	    "sha1(s)", "SHA-1 of s in hex" },
	{ "sha256",	1, 1,  fn_sha256, NULL,
	    "sha256(s)", "SHA-256 of s in hex" },
	{ "split",	3, 3,  fn_split, NULL,
	    "split(s, sep, i)", "the i-th piece of s cut at sep (-1: the last)" },
	{ "sqrt",	1, 1,  fn_sqrt, NULL,
	    "sqrt(x)", "square root" },
	{ "startswith",	2, 2,  fn_startswith, NULL,
	    "startswith(s, t)", "whether s starts with t" },
	{ "strftime",	2, 3,  fn_strftime, check_strftime,
	    "strftime(t, fmt[, zone])", "epoch time t as text: \"%Y-%m-%d\", zones \"Europe/Paris\"" },
	{ "substr",	2, 3,  fn_substr, NULL,
	    "substr(s, i[, n])", "n characters from 1-based i" },
	{ "time",	1, 3,  fn_time, check_time,
	    "time(s[, fmt[, zone]])", "a date as epoch seconds (ISO 8601, RFC 2822, 20240131, ...)" },
	{ "trim",	1, 1,  fn_trim, NULL,
	    "trim(s)", "without leading and trailing blanks" },
	{ "typeof",	1, 1,  fn_typeof, NULL,
	    "typeof(x)", "int, float, boolean, string or empty" },
	{ "upper",	1, 1,  fn_upper, NULL,
	    "upper(s)", "upper case (Unicode)" },
	{ "weekday",	1, 2,  fn_weekday, check_date_part,
	    "weekday(t[, zone])", "1 (Monday) to 7 (Sunday)" },
	{ "xxh64",	1, 1,  fn_xxh64, NULL,
	    "xxh64(s)", "XXH64 of s in hex" },
	{ "year",	1, 2,  fn_year, check_date_part,
	    "year(t[, zone])", "year of epoch time t" },
	{ "yearday",	1, 2,  fn_yearday, check_date_part,
	    "yearday(t[, zone])", "day of the year (1-366)" },
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

const struct pf_func *
pf_func_at(size_t i)
{
	return i < NFUNCS ? &funcs[i] : NULL;
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
