/*
 * valuekind.c - the kind of a value (see valuekind.h).
 */
#include <math.h>
#include <string.h>

#include "support/timefmt.h"
#include "support/timeutil.h"
#include "support/valuekind.h"

enum pf_value_kind
pf_value_kind(const char *s, size_t len, struct pf_number *num)
{
	struct pf_iso_time t;
	struct pf_when w;

	if (pf_number_parse(s, len, num))
		return memchr(s, '.', len) == NULL &&
		    memchr(s, 'e', len) == NULL &&
		    memchr(s, 'E', len) == NULL ? PF_KIND_INTEGER :
		    PF_KIND_DECIMAL;
	num->d = NAN;
	if (len >= 10 && pf_iso_time_parse(s, len, &t))
		return PF_KIND_DATE;
	if (len >= 5 && pf_time_parse_other(s, len, &w))
		return PF_KIND_DATE;
	return PF_KIND_TEXT;
}
