/*
 * step.c - pscan's STEPs by name: parsing a STEP operand ("count", "rank",
 * "sum:F", "lag:F:2", "msum:5:F", "mmean:10m:F", "ewma:0.5:F",
 * "session:30m", each with an optional ":NAME"), the column it writes and
 * the size of its per-key state. The FIELD is resolved against the header
 * later, by the field rule (pf_field_lookup).
 *
 * Column names: FIELD_FUNC, the parameter written after FUNC when there
 * is one (delay_lag2 for lag:delay:2, delay_msum5 for msum:5:delay,
 * delay_mmean10m, delay_ewma0.5); count, rank and session alone.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/options.h"
#include "scan/scan_int.h"
#include "support/xalloc.h"

/* What a function takes before and after its FIELD. */
enum shape {
	NO_FIELD,	/* count, rank: [:NAME] (count:F[:NAME] too) */
	FIELD,		/* F[:NAME] */
	FIELD_N,	/* F[:N][:NAME] */
	PARAM_FIELD,	/* P:F[:NAME] */
	PARAM,		/* session: P[:NAME] */
};

static const struct {
	const char	*name;
	enum scan_func	 func;
	enum shape	 shape;
	bool		 numeric;
	const char	*agg;		/* preduce's function it runs */
} funcs[] = {
	{ "count",	SCAN_COUNT,	NO_FIELD,	false,	"count" },
	{ "rank",	SCAN_RANK,	NO_FIELD,	false,	NULL },
	{ "sum",	SCAN_SUM,	FIELD,		true,	"sum" },
	{ "mean",	SCAN_MEAN,	FIELD,		true,	"mean" },
	{ "min",	SCAN_MIN,	FIELD,		false,	"min" },
	{ "max",	SCAN_MAX,	FIELD,		false,	"max" },
	{ "first",	SCAN_FIRST,	FIELD,		false,	"first" },
	{ "fill",	SCAN_FILL,	FIELD,		false,	"last" },
	{ "lag",	SCAN_LAG,	FIELD_N,	false,	NULL },
	{ "lead",	SCAN_LEAD,	FIELD_N,	false,	NULL },
	{ "delta",	SCAN_DELTA,	FIELD,		true,	NULL },
	{ "ratio",	SCAN_RATIO,	FIELD,		true,	NULL },
	{ "msum",	SCAN_MSUM,	PARAM_FIELD,	true,	NULL },
	{ "mmean",	SCAN_MMEAN,	PARAM_FIELD,	true,	NULL },
	{ "mmin",	SCAN_MMIN,	PARAM_FIELD,	true,	NULL },
	{ "mmax",	SCAN_MMAX,	PARAM_FIELD,	true,	NULL },
	{ "ewma",	SCAN_EWMA,	PARAM_FIELD,	true,	NULL },
	{ "session",	SCAN_SESSION,	PARAM,		false,	NULL },
};

#define NFUNCS (sizeof(funcs) / sizeof(funcs[0]))

static const char func_list[] = "count, rank, sum, mean, min, max, first, "
    "fill, lag, lead, delta, ratio, msum, mmean, mmin, mmax, ewma, session";

static int
func_find(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < NFUNCS; i++)
		if (strlen(funcs[i].name) == len &&
		    memcmp(funcs[i].name, s, len) == 0)
			return (int)i;
	return -1;
}

bool
pf_scan_is_step(const char *arg)
{
	const char *colon = strchr(arg, ':'), *p;

	if (colon == NULL)
		return func_find(arg, strlen(arg)) >= 0;
	for (p = arg; p < colon; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && *p != '_')
			return false;
	return colon > arg;
}

/* A positive integer, all of s[0..len). */
static bool
parse_count(const char *s, size_t len, uint64_t *n)
{
	char buf[24], *end;
	unsigned long long v;

	if (len == 0 || len >= sizeof(buf) || s[0] < '0' || s[0] > '9')
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (*end != '\0' || errno != 0 || v == 0 || v > 100000000)
		return false;
	*n = v;
	return true;
}

/* A window: N records, or a duration (its unit says so: 10m, 5s). */
static bool
parse_window(const char *s, size_t len, struct scan_step *st)
{
	char buf[64];

	if (parse_count(s, len, &st->n))
		return true;
	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	/* A bare number is a count of records, never seconds. */
	if (buf[len - 1] >= '0' && buf[len - 1] <= '9')
		return false;
	return pf_parse_duration(buf, &st->span_ms) && st->span_ms > 0;
}

static bool
parse_param(const char *s, size_t len, struct scan_step *st, char *err,
    size_t errlen, const char *arg)
{
	char buf[64], *end;

	switch (st->func) {
	case SCAN_EWMA:
		if (len == 0 || len >= sizeof(buf))
			break;
		memcpy(buf, s, len);
		buf[len] = '\0';
		errno = 0;
		st->alpha = strtod(buf, &end);
		if (*end != '\0' || errno != 0 || !(st->alpha > 0 &&
		    st->alpha <= 1) || buf[0] < '0' || buf[0] > '9')
			break;
		return true;
	case SCAN_SESSION:
		if (len == 0 || len >= sizeof(buf))
			break;
		memcpy(buf, s, len);
		buf[len] = '\0';
		if (!pf_parse_duration(buf, &st->gap_ms))
			break;
		return true;
	default:
		if (parse_window(s, len, st))
			return true;
		snprintf(err, errlen, "bad window '%.*s' in \"%s\": a number "
		    "of records (5) or a duration (10m, 30s)", (int)len, s,
		    arg);
		return false;
	}
	snprintf(err, errlen, "bad %s '%.*s' in \"%s\": %s", st->func ==
	    SCAN_EWMA ? "alpha" : "gap", (int)len, s, arg, st->func ==
	    SCAN_EWMA ? "a number in (0, 1]" : "a duration (30m, 10s)");
	return false;
}

/* The column's name: FIELD_FUNC with the parameter written after FUNC. */
static char *
default_name(const char *fname, const char *field, size_t flen,
    const char *param, size_t plen)
{
	char *name;

	if (field == NULL)
		return pf_xstrdup(fname);
	if (flen >= 2 && field[0] == '{' && field[flen - 1] == '}') {
		field++;	/* "{a:b}" names a:b */
		flen -= 2;
	}
	name = pf_xmalloc(flen + strlen(fname) + plen + 2);
	sprintf(name, "%.*s_%s%.*s", (int)flen, field, fname, (int)plen,
	    param);
	return name;
}

bool
pf_scan_step_parse(const char *arg, struct scan_step *st, char *err,
    size_t errlen)
{
	const char *colon = strchr(arg, ':'), *p, *field = NULL, *param = NULL;
	const char *name = NULL, *end;
	size_t flen = 0, plen = 0, len;
	int i;

	memset(st, 0, sizeof(*st));
	st->index = -1;
	st->slot = -1;
	st->lead = -1;
	st->n = 1;
	len = colon != NULL ? (size_t)(colon - arg) : strlen(arg);
	if ((i = func_find(arg, len)) < 0) {
		snprintf(err, errlen, "unknown step \"%.*s\" in \"%s\"; steps "
		    "are: %s", (int)len, arg, arg, func_list);
		return false;
	}
	st->func = funcs[i].func;
	st->numeric = funcs[i].numeric;
	p = colon != NULL ? colon + 1 : NULL;
	switch (funcs[i].shape) {
	case NO_FIELD:
		if (p == NULL)
			break;
		if (st->func == SCAN_RANK) {
			name = p - 1;
			break;
		}
		st->func = SCAN_COUNT;	/* count:F: its non-empty values */
		/* FALLTHROUGH */
	case FIELD:
	case FIELD_N:
		if (p == NULL || *p == '\0')
			goto needs;
		field = p;
		end = pf_agg_field_end(p);
		flen = (size_t)(end - p);
		name = *end == ':' ? end : NULL;
		if (funcs[i].shape == FIELD_N && name != NULL) {
			/* F:N: a positive integer after F is N. */
			const char *q = name + 1, *e = q + strcspn(q, ":");

			if (parse_count(q, (size_t)(e - q), &st->n)) {
				param = q;
				plen = (size_t)(e - q);
				name = *e == ':' ? e : NULL;
			}
		}
		break;
	case PARAM_FIELD:
		if (p == NULL || (end = strchr(p, ':')) == NULL ||
		    end[1] == '\0')
			goto needs;
		param = p;
		plen = (size_t)(end - p);
		if (!parse_param(p, plen, st, err, errlen, arg))
			return false;
		field = end + 1;
		end = pf_agg_field_end(field);
		flen = (size_t)(end - field);
		name = *end == ':' ? end : NULL;
		break;
	case PARAM:
		if (p == NULL || *p == '\0')
			goto needs;
		end = p + strcspn(p, ":");
		if (!parse_param(p, (size_t)(end - p), st, err, errlen, arg))
			return false;
		name = *end == ':' ? end : NULL;
		break;
	}
	if ((field != NULL && flen == 0) ||
	    (name != NULL && name[1] == '\0')) {
		snprintf(err, errlen, "malformed step \"%s\": an empty field or "
		    "name", arg);
		return false;
	}
	if (field != NULL)
		st->field = pf_xstrndup(field, flen);
	if (name != NULL)
		st->name = pf_xstrdup(name + 1);
	else if (st->func == SCAN_LAG || st->func == SCAN_LEAD)
		st->name = default_name(funcs[i].name, field, flen, param,
		    st->n == 1 ? 0 : plen);
	else
		st->name = default_name(funcs[i].name, field, flen, param,
		    plen);
	if (funcs[i].agg != NULL && (field != NULL || st->func != SCAN_COUNT)) {
		pf_agg_func_find(funcs[i].agg, strlen(funcs[i].agg), &st->agg);
		st->agg.index = 0;
		st->agg.vindex = -1;
	}
	return true;
needs:
	snprintf(err, errlen, "%s needs %s: %s", funcs[i].name,
	    funcs[i].shape == PARAM ? "a gap" : funcs[i].shape == PARAM_FIELD ?
	    "a parameter and a field" : "a field", funcs[i].shape == PARAM ?
	    "session:GAP (30m)" : funcs[i].shape == PARAM_FIELD ?
	    (st->func == SCAN_EWMA ? "ewma:ALPHA:FIELD" :
	    "FUNC:N:FIELD or FUNC:DURATION:FIELD") : funcs[i].shape ==
	    FIELD_N ? "FUNC:FIELD[:N]" : "FUNC:FIELD");
	return false;
}

void
pf_scan_step_free(struct scan_step *st)
{
	free(st->field);
	free(st->name);
	st->field = st->name = NULL;
}

bool
pf_scan_step_uses_time(const struct scan_step *st)
{
	return st->func == SCAN_SESSION || st->span_ms > 0;
}

size_t
pf_scan_step_state_size(const struct scan_step *st)
{
	size_t size;

	if (st->agg.funcname[0] != '\0')
		size = pf_agg_state_size(st->agg.func);
	else
		switch (st->func) {
		case SCAN_RANK:
		case SCAN_COUNT:
			size = sizeof(uint64_t);
			break;
		case SCAN_DELTA:
		case SCAN_RATIO:
		case SCAN_EWMA:
		case SCAN_SESSION:
			size = sizeof(struct scan_prev);
			break;
		default:		/* lag, lead, windows: a pointer */
			size = sizeof(void *);
			break;
		}
	return (size + 7) & ~(size_t)7;
}
