/*
 * agg_parse.c - preduce's aggregation functions by name: parsing an AGG
 * argument ("count", "FUNC:FIELD[:NAME]", "p99.9:x", "mean:{a:b}") and
 * what each function needs (see agg.h). The FIELD is resolved against the
 * header later, by the field rule (pf_field_lookup).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reduce/agg.h"
#include "support/xalloc.h"

static const char *const func_names[] = {
	"count", "sum", "mean", "min", "max", "first", "last", "distinct",
	"stdev", "var", "median", NULL, "mode",
};

const char pf_agg_func_list[] = "count, sum, mean, min, max, first, last, "
    "distinct, stdev, var, median, pN (a percentile: p90, p99.9), mode";

/*
 * pN: a percentile, N in (0, 100] with digits and a decimal point, kept
 * exactly as the fraction N / 100: p99.9 is 999 / 1000.
 */
static bool
percentile_find(const char *s, size_t len, uint64_t *num, uint64_t *den)
{
	size_t i, dots = 0;

	if (len < 2 || len >= PF_AGG_FUNCNAME_MAX || s[0] != 'p')
		return false;
	*num = 0;
	*den = 100;
	for (i = 1; i < len; i++)
		if (s[i] == '.')
			dots++;
		else if (s[i] < '0' || s[i] > '9')
			return false;
		else {
			/* At most 14 digits: no overflow. */
			*num = *num * 10 + (uint64_t)(s[i] - '0');
			if (dots > 0)
				*den *= 10;
		}
	if (dots > 1 || s[1] == '.' || s[len - 1] == '.')
		return false;
	return *num > 0 && *num <= *den;
}

bool
pf_agg_func_find(const char *s, size_t len, struct pf_agg *a)
{
	size_t i;

	for (i = 0; i < sizeof(func_names) / sizeof(func_names[0]); i++)
		if (func_names[i] != NULL && strlen(func_names[i]) == len &&
		    memcmp(func_names[i], s, len) == 0) {
			a->func = (enum pf_agg_func)i;
			a->q_num = a->func == PF_AGG_MEDIAN ? 1 : 0;
			a->q_den = a->func == PF_AGG_MEDIAN ? 2 : 1;
			memcpy(a->funcname, s, len);
			a->funcname[len] = '\0';
			return true;
		}
	if (!percentile_find(s, len, &a->q_num, &a->q_den))
		return false;
	a->func = PF_AGG_PERCENTILE;
	memcpy(a->funcname, s, len);
	a->funcname[len] = '\0';
	return true;
}

/*
 * The end of an AGG's FIELD: the next ':', or the end; a braced field
 * ("{a:b}") ends at a '}' followed by ':' or the end, so it may hold ':'.
 */
const char *
pf_agg_field_end(const char *field)
{
	const char *p;

	if (field[0] == '{')
		for (p = strchr(field, '}'); p != NULL; p = strchr(p + 1, '}'))
			if (p[1] == '\0' || p[1] == ':')
				return p + 1;
	return field + strcspn(field, ":");
}

bool
pf_agg_parse(const char *arg, struct pf_agg *a, char *err, size_t errlen)
{
	const char *colon = strchr(arg, ':'), *field, *name;
	size_t flen;

	memset(a, 0, sizeof(*a));
	a->index = -1;
	a->vindex = -1;
	if (colon == NULL) {
		if (strcmp(arg, "count") == 0) {
			pf_agg_func_find(arg, 5, a);
			a->name = pf_xstrdup("count");
			return true;
		}
		if (pf_agg_func_find(arg, strlen(arg), a))
			snprintf(err, errlen, "%s needs a field: %s:FIELD", arg,
			    arg);
		else
			snprintf(err, errlen, "unknown function \"%s\"; "
			    "functions are: %s", arg, pf_agg_func_list);
		return false;
	}
	if (!pf_agg_func_find(arg, (size_t)(colon - arg), a)) {
		snprintf(err, errlen, "unknown function \"%.*s\" in \"%s\"; "
		    "functions are: %s", (int)(colon - arg), arg, arg,
		    pf_agg_func_list);
		return false;
	}
	field = colon + 1;
	name = pf_agg_field_end(field);
	flen = (size_t)(name - field);
	if (*name == '\0')
		name = NULL;
	if (flen == 0 || (name != NULL && name[1] == '\0')) {
		snprintf(err, errlen, "malformed aggregation \"%s\": "
		    "expected FUNC:FIELD[:NAME]", arg);
		return false;
	}
	a->field = pf_xstrndup(field, flen);
	if (name != NULL)
		a->name = pf_xstrdup(name + 1);
	else {
		/* The field as named: "{a:b}" names a:b. */
		if (flen >= 2 && field[0] == '{' && field[flen - 1] == '}') {
			field++;
			flen -= 2;
		}
		a->name = pf_xmalloc(flen + strlen(a->funcname) + 2);
		sprintf(a->name, "%.*s_%s", (int)flen, field, a->funcname);
	}
	return true;
}

void
pf_agg_free(struct pf_agg *a)
{
	free(a->field);
	free(a->name);
	a->field = a->name = NULL;
}

bool
pf_agg_numeric(enum pf_agg_func f)
{
	return f == PF_AGG_SUM || f == PF_AGG_MEAN || f == PF_AGG_STDEV ||
	    f == PF_AGG_VAR || pf_agg_is_quantile(f);
}

bool
pf_agg_uses_values(enum pf_agg_func f)
{
	return f == PF_AGG_DISTINCT || f == PF_AGG_MODE ||
	    pf_agg_is_quantile(f);
}

bool
pf_agg_is_quantile(enum pf_agg_func f)
{
	return f == PF_AGG_MEDIAN || f == PF_AGG_PERCENTILE;
}

