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
	{ "filename",	0, 0,  fn_filename },
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
