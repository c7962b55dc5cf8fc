/*
 * expr_func_time.c - the time functions of the expression language:
 * time, strftime, the date parts (year ... second, weekday, yearday),
 * sec2date and sec2gmt (see man/expressions.mdoc), and their checks at
 * compile time (formats, zone names).
 *
 * Zones come from tzfile.h (no TZ, no tzset): each evaluation keeps the
 * zone it named last, so a run that names one zone looks it up once.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "expr/expr_func.h"
#include "support/timefmt.h"
#include "support/timeutil.h"

/* The zone of argument k: true with *tz set (NULL: UTC), or noted. */
static bool
zone_arg(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    uint32_t k, const struct pf_record *rec, const struct pf_tz **tz)
{
	struct pf_value v;
	const char *s;
	size_t len;

	*tz = NULL;
	if (k >= n->nargs)
		return true;
	arg(ev, e, n, k, rec, &v);
	pf_value_text(ev, &v, &s, &len);
	if (ev->tz != NULL && len == ev->tz_len && memcmp(s, ev->tz_name,
	    len) == 0) {
		*tz = ev->tz;
		return true;
	}
	*tz = pf_tz_get(s, len);
	if (*tz == NULL) {
		pf_note(ev, e, n, rec, PF_NOTE_ZONE, &v, false);
		return false;
	}
	if (len < sizeof(ev->tz_name)) {
		memcpy(ev->tz_name, s, len);
		ev->tz_len = len;
		ev->tz = *tz;
	}
	return true;
}

/* Argument k as whole epoch seconds (fractions dropped), or noted. */
static bool
seconds_arg(struct pf_eval *ev, const struct pf_expr *e,
    const struct pf_node *n, uint32_t k, const struct pf_record *rec,
    int64_t *t)
{
	struct pf_number x;

	if (!arg_number_noted(ev, e, n, k, rec, &x))
		return false;
	if (x.is_int) {
		*t = x.i;
		return true;
	}
	if (!(fabs(x.d) < 1e14)) {	/* some 3 million years */
		struct pf_value v;

		pf_set_num(&v, x.d);
		pf_note(ev, e, n, rec, PF_NOTE_RANGE, &v, false);
		return false;
	}
	*t = (int64_t)floor(x.d);
	return true;
}

static void
set_when(struct pf_value *out, const struct pf_when *w)
{
	if (w->has_frac)
		pf_set_num(out, (double)w->secs + w->frac);
	else
		pf_set_int(out, w->secs);
}

void
fn_time(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	struct pf_iso_time iso;
	struct pf_when w;
	struct pf_value v;
	const struct pf_tz *tz;
	const char *s, *fmt;
	size_t len, flen;
	bool ok;

	arg(ev, e, n, 0, rec, &v);
	pf_value_text(ev, &v, &s, &len);
	set_empty(out);
	if (len == 0)
		return;
	if (n->nargs == 1) {
		if (pf_iso_time_parse(s, len, &iso)) {
			w.secs = iso.secs;
			w.frac = iso.frac;
			w.has_frac = iso.has_frac;
			ok = true;
		} else
			ok = pf_time_parse_other(s, len, &w);
	} else {
		if (!zone_arg(ev, e, n, 2, rec, &tz))
			return;
		arg_text(ev, e, n, 1, rec, &fmt, &flen);
		ok = pf_time_parse_format(s, len, fmt, flen, tz, &w);
	}
	if (!ok) {
		pf_note(ev, e, n, rec, PF_NOTE_TIME, &v, false);
		return;
	}
	set_when(out, &w);
}

/* Formats epoch seconds t by fmt in zone tz into scratch. */
static void
format_time(struct pf_eval *ev, int64_t t, const char *fmt, size_t flen,
    const struct pf_tz *tz, struct pf_value *out)
{
	size_t size, len;
	char *p;

	for (size = 64 + flen * 4; size <= (1u << 24); size *= 8) {
		p = pf_scratch_alloc(ev, size);
		len = pf_time_format(p, size, fmt, flen, t, tz);
		if (len != (size_t)-1) {
			pf_set_str(out, p, len);
			return;
		}
	}
	set_empty(out);
}

void
fn_strftime(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	const struct pf_tz *tz;
	const char *fmt;
	size_t flen;
	int64_t t;

	set_empty(out);
	if (!seconds_arg(ev, e, n, 0, rec, &t) || !zone_arg(ev, e, n, 2, rec,
	    &tz))
		return;
	arg_text(ev, e, n, 1, rec, &fmt, &flen);
	format_time(ev, t, fmt, flen, tz, out);
}

/* Epoch time t (the one argument) in UTC in the format fmt. */
static void
fixed_format(struct pf_eval *ev, const struct pf_expr *e,
    const struct pf_node *n, const struct pf_record *rec,
    struct pf_value *out, const char *fmt)
{
	int64_t t;

	set_empty(out);
	if (seconds_arg(ev, e, n, 0, rec, &t))
		format_time(ev, t, fmt, strlen(fmt), NULL, out);
}

void
fn_sec2date(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	fixed_format(ev, e, n, rec, out, "%Y-%m-%d");
}

void
fn_sec2gmt(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	fixed_format(ev, e, n, rec, out, "%Y-%m-%dT%H:%M:%SZ");
}

/* The date parts: which one a function gives. */
enum part { YEAR, MONTH, DAY, HOUR, MINUTE, SECOND, WEEKDAY, YEARDAY };

static void
date_part(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out, enum part part)
{
	const struct pf_tz *tz;
	int64_t t, days, secs, y;
	int m, d;

	set_empty(out);
	if (!seconds_arg(ev, e, n, 0, rec, &t) || !zone_arg(ev, e, n, 1, rec,
	    &tz))
		return;
	if (tz != NULL)
		t += pf_tz_offset(tz, t, NULL);
	days = t / 86400 - (t % 86400 < 0);
	secs = t - days * 86400;
	pf_civil_from_days(days, &y, &m, &d);
	switch (part) {
	case YEAR:	pf_set_int(out, y); break;
	case MONTH:	pf_set_int(out, m); break;
	case DAY:	pf_set_int(out, d); break;
	case HOUR:	pf_set_int(out, secs / 3600); break;
	case MINUTE:	pf_set_int(out, secs / 60 % 60); break;
	case SECOND:	pf_set_int(out, secs % 60); break;
	case WEEKDAY:	pf_set_int(out, ((days % 7) + 10) % 7 + 1); break;
	case YEARDAY:
		pf_set_int(out, days - pf_days_from_civil(y, 1, 1) + 1);
		break;
	}
}

#define DATE_PART(fn, part)						\
void									\
fn(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n, \
    const struct pf_record *rec, struct pf_value *out)			\
{									\
	date_part(ev, e, n, rec, out, part);				\
}

DATE_PART(fn_year, YEAR)
DATE_PART(fn_month, MONTH)
DATE_PART(fn_day, DAY)
DATE_PART(fn_hour, HOUR)
DATE_PART(fn_minute, MINUTE)
DATE_PART(fn_second, SECOND)
DATE_PART(fn_weekday, WEEKDAY)
DATE_PART(fn_yearday, YEARDAY)

/* Checks at compile time */

/* A constant zone argument k must name a zone. */
static const char *
check_zone(const struct pf_expr *e, const struct pf_node *n, uint32_t k,
    char *msg, size_t size, uint32_t *arg_index)
{
	const struct pf_node *z;

	if (k >= n->nargs)
		return NULL;
	z = &e->nodes[e->args[n->args + k]];
	if (z->kind != PF_N_CONST || pf_tz_get(z->text, z->text_len) != NULL)
		return NULL;
	*arg_index = k;
	snprintf(msg, size, "unknown time zone '%.*s' (a name of the tz "
	    "database, e.g. 'Europe/Paris', 'America/New_York', 'UTC')",
	    z->text_len > 64 ? 64 : (int)z->text_len, z->text);
	return msg;
}

const char *
check_strftime(const struct pf_expr *e, struct pf_node *n, char *msg,
    size_t size, uint32_t *arg_index)
{
	const struct pf_node *f = &e->nodes[e->args[n->args + 1]];
	size_t bad;

	if (f->kind == PF_N_CONST && !pf_time_format_check(f->text,
	    f->text_len, &bad)) {
		*arg_index = 1;
		snprintf(msg, size, "unknown conversion '%.*s' in strftime "
		    "format", bad + 1 < f->text_len ? 2 : 1, f->text + bad);
		return msg;
	}
	return check_zone(e, n, 2, msg, size, arg_index);
}

const char *
check_time(const struct pf_expr *e, struct pf_node *n, char *msg,
    size_t size, uint32_t *arg_index)
{
	static const char known[] = "YymdeHIMSjfbhBaApzZsntTFDR%";
	const struct pf_node *f;
	size_t i;

	if (n->nargs < 2)
		return NULL;
	f = &e->nodes[e->args[n->args + 1]];
	for (i = 0; f->kind == PF_N_CONST && i < f->text_len; i++) {
		if (f->text[i] != '%')
			continue;
		if (++i >= f->text_len || f->text[i] == '\0' ||
		    strchr(known, f->text[i]) == NULL) {
			*arg_index = 1;
			snprintf(msg, size, "unknown conversion '%.*s' in "
			    "time format", i < f->text_len ? 2 : 1,
			    f->text + i - 1);
			return msg;
		}
	}
	return check_zone(e, n, 2, msg, size, arg_index);
}

const char *
check_date_part(const struct pf_expr *e, struct pf_node *n, char *msg,
    size_t size, uint32_t *arg_index)
{
	return check_zone(e, n, 1, msg, size, arg_index);
}
