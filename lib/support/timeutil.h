/*
 * timeutil.h - ISO 8601 dates in and out, and the monotonic clock.
 *
 * Shared by the expression function time() and preduce's event-time
 * windows, so both read the same dates the same way.
 */
#ifndef PF_TIMEUTIL_H
#define PF_TIMEUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A point in time: whole seconds since the epoch plus a fraction. */
struct pf_iso_time {
	int64_t	secs;
	double	frac;		/* [0, 1): fractional seconds, if written */
	bool	has_frac;
};

/*
 * Parses an ISO 8601 date or date-time: "2024-01-31", then optionally
 * "T" (or "t" or a space) and "hh:mm[:ss[.fff]]" (a comma for the point
 * works too), then "Z" or an offset "+01:00", "+0100", "+01". No offset
 * means UTC. Fields are range-checked, leap years included. Returns
 * false if s[0..len) is not wholly such a date.
 */
bool pf_iso_time_parse(const char *s, size_t len, struct pf_iso_time *t);

/*
 * The two halves of pf_iso_time_parse(), for callers that cache dates:
 * pf_iso_date() reads the "YYYY-MM-DD" in s[0..10) as the epoch second
 * of its midnight UTC; pf_iso_clock() reads what may follow it in
 * [p, end) (nothing, or the time of day and offset) as seconds to add.
 */
bool pf_iso_date(const char *s, int64_t *secs);
bool pf_iso_clock(const char *p, const char *end, struct pf_iso_time *t);

/*
 * Reads a time to the millisecond: an ISO 8601 date or date-time as
 * pf_iso_time_parse() reads it, or a number of seconds since the epoch
 * (preduce's and pscan's --time). Fractions below a millisecond are
 * dropped. pf_time_clock_ms() reads what follows a date's "YYYY-MM-DD".
 */
bool pf_time_parse_ms(const char *s, size_t len, int64_t *ms);
bool pf_time_clock_ms(const char *p, const char *end, int64_t *ms);

/*
 * Writes ms (milliseconds since the epoch) as "2001-01-01T00:00:00Z",
 * with ".250" before the Z when not a whole second. Returns the length.
 */
size_t pf_iso_time_format_ms(int64_t ms, char *buf, size_t size);

/*
 * The calendar (proleptic Gregorian): days since 1970-01-01 of a date,
 * the date of such a day number, and the days in month m (1-12) of year y.
 */
int64_t pf_days_from_civil(int64_t y, int m, int d);
void pf_civil_from_days(int64_t days, int64_t *y, int *m, int *d);
int pf_days_in_month(int64_t y, int m);

/* Milliseconds on the monotonic clock. */
double pf_monotonic_ms(void);
/* Seconds since the epoch on the wall clock (for logs). */
double pf_wall_seconds(void);

#endif
