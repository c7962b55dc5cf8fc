/*
 * timefmt.h - dates as text and back, without the C library's locale or
 * time-zone state: thread-safe, allocation-free, the names in English
 * (as the C locale has them).
 */
#ifndef PF_TIMEFMT_H
#define PF_TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "support/tzfile.h"

/* "January".."December", "Sunday".."Saturday" (the C locale's). */
extern const char *const pf_month_names[12];
extern const char *const pf_day_names[7];

/* A parsed time: whole epoch seconds and a fraction of a second. */
struct pf_when {
	int64_t	secs;
	double	frac;		/* [0, 1) */
	bool	has_frac;	/* a fraction was written */
};

/*
 * Reads s[0..len) as strptime(3)'s format fmt[0..flen) would, wholly:
 * %Y %m %d %e %H %M %S %y %j %b %h %B %a %A %p %I %z (+hh[:]mm, Z) %Z
 * (UTC, GMT, Z) %s (epoch seconds) %f (fraction digits) %T %F %D %R %%,
 * %n %t and white space (any run of blanks, also none). A time without
 * %z is in zone tz (UTC when NULL). Returns false when s does not match.
 */
bool pf_time_parse_format(const char *s, size_t len, const char *fmt,
    size_t flen, const struct pf_tz *tz, struct pf_when *w);

/*
 * Reads the forms time(s) knows without a format, after ISO 8601:
 * "20240131" (8 digits that make a date), epoch seconds ("1717171717",
 * "-5", "1717171717.25"), milliseconds (a whole number of 12 digits or
 * more), RFC 2822 ("Tue, 15 Nov 1994 08:12:31 +0100", zone names UT,
 * GMT, EST...; seconds and weekday optional) and dates with a month name
 * ("Jun 12 1998", "12 Jun 1998", "June 12, 1998", each optionally
 * followed by hh:mm[:ss]; date(1)'s "Fri Jun 12 10:20:30 UTC 1998").
 */
bool pf_time_parse_other(const char *s, size_t len, struct pf_when *w);

/*
 * Whether fmt[0..flen) holds only the conversions pf_time_format()
 * knows; else *bad is the offset of the first unknown '%'.
 */
bool pf_time_format_check(const char *fmt, size_t flen, size_t *bad);

/*
 * Writes epoch second t in zone tz (UTC when NULL) as strftime(3) does
 * in the C locale: %a %A %b %h %B %c %C %d %D %e %F %g %G %H %I %j %k
 * %l %m %M %n %p %r %R %s %S %t %T %u %U %V %w %W %x %X %y %Y %z %Z %%.
 * An unknown conversion is copied as written. Returns the length, or
 * (size_t)-1 when it does not fit in size bytes.
 */
size_t pf_time_format(char *out, size_t size, const char *fmt, size_t flen,
    int64_t t, const struct pf_tz *tz);

#endif
