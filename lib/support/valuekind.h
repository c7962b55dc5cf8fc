/*
 * valuekind.h - the kind of a value as the column summaries see it
 * (preduce --summary, pflow headers): integer, decimal, date or text.
 */
#ifndef PF_VALUEKIND_H
#define PF_VALUEKIND_H

#include <stddef.h>

#include "support/number.h"

enum pf_value_kind {
	PF_KIND_INTEGER,	/* a number without '.' or an exponent */
	PF_KIND_DECIMAL,	/* any other number */
	PF_KIND_DATE,		/* a date or date-time time() reads */
	PF_KIND_TEXT,		/* anything else */
	PF_NKINDS
};

/*
 * The kind of the non-empty value s[0..len). A number is one as
 * pf_number_parse() reads it (filled into *num, else num->d is NaN and
 * the rest unset); a date is an ISO 8601 date or date-time of at least
 * "YYYY-MM-DD" (pf_iso_time_parse), or one of the other forms time()
 * reads without a format (pf_time_parse_other: RFC 2822, month names)
 * that is not a number.
 */
enum pf_value_kind pf_value_kind(const char *s, size_t len,
    struct pf_number *num);

#endif
