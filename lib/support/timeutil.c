/*
 * timeutil.c - ISO 8601 dates in and out, and the monotonic clock (see
 * timeutil.h). Calendar arithmetic is Howard Hinnant's days-from-civil
 * algorithm, valid for the proleptic Gregorian calendar.
 */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "support/number.h"
#include "support/timeutil.h"

/* Days since 1970-01-01 of a date. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The date of a day number (the inverse of days_from_civil). */
static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int
days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/* Reads two digits at *p (before end) into *v. */
static bool
two(const char **p, const char *end, int *v)
{
	const unsigned char *q = (const unsigned char *)*p;

	if (end - *p < 2 || (unsigned)(q[0] - '0') > 9 ||
	    (unsigned)(q[1] - '0') > 9)
		return false;
	*v = (q[0] - '0') * 10 + (q[1] - '0');
	*p += 2;
	return true;
}

/* "[+-]hh[[:]mm]" or "Z" at *p, as seconds east of UTC. */
static bool
parse_offset(const char **p, const char *end, int64_t *offset)
{
	int sign, oh, om = 0;

	*offset = 0;
	if (*p == end)
		return true;
	if (**p == 'Z' || **p == 'z') {
		(*p)++;
		return true;
	}
	if (**p != '+' && **p != '-')
		return true;
	sign = *(*p)++ == '-' ? -1 : 1;
	if (!two(p, end, &oh))
		return false;
	if (*p < end && **p == ':')
		(*p)++;
	if (*p < end && !two(p, end, &om))
		return false;
	if (oh > 23 || om > 59)
		return false;
	*offset = sign * (oh * 3600 + om * 60);
	return true;
}

bool
pf_iso_date(const char *s, int64_t *secs)
{
	const char *p = s, *end = s + 10;
	int c1, c2, mo, d, y;

	if (!two(&p, end, &c1) || !two(&p, end, &c2) || *p++ != '-' ||
	    !two(&p, end, &mo) || *p++ != '-' || !two(&p, end, &d))
		return false;
	y = c1 * 100 + c2;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return false;
	*secs = days_from_civil(y, mo, d) * 86400;
	return true;
}

bool
pf_iso_clock(const char *p, const char *end, struct pf_iso_time *t)
{
	int h = 0, mi = 0, sec = 0;
	int64_t offset = 0;
	double scale = 0.1;

	t->frac = 0;
	t->has_frac = false;
	if (p < end && (*p == 'T' || *p == 't' || *p == ' ')) {
		p++;
		if (!two(&p, end, &h) || p == end || *p++ != ':' ||
		    !two(&p, end, &mi))
			return false;
		if (p < end && *p == ':') {
			p++;
			if (!two(&p, end, &sec))
				return false;
			if (p < end && (*p == '.' || *p == ',')) {
				if (++p == end || *p < '0' || *p > '9')
					return false;
				for (; p < end && *p >= '0' && *p <= '9'; p++) {
					t->frac += (*p - '0') * scale;
					scale /= 10;
				}
				t->has_frac = true;
			}
		}
		if (h > 23 || mi > 59 || sec > 60 ||
		    !parse_offset(&p, end, &offset))
			return false;
	}
	if (p != end)
		return false;
	t->secs = h * 3600 + mi * 60 + sec - offset;
	return true;
}

bool
pf_iso_time_parse(const char *s, size_t len, struct pf_iso_time *t)
{
	int64_t day;

	if (len < 10 || !pf_iso_date(s, &day) ||
	    !pf_iso_clock(s + 10, s + len, t))
		return false;
	t->secs += day;
	return true;
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

size_t
pf_iso_time_format_ms(int64_t ms, char *buf, size_t size)
{
	int64_t secs = floor_div(ms, 1000), days = floor_div(secs, 86400), y;
	int64_t sod = secs - days * 86400, frac = ms - secs * 1000;
	int m, d, n;

	civil_from_days(days, &y, &m, &d);
	n = snprintf(buf, size, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02d", y, m,
	    d, (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
	if (frac != 0)
		n += snprintf(buf + n, size - (size_t)n, ".%03d", (int)frac);
	n += snprintf(buf + n, size - (size_t)n, "Z");
	return (size_t)n;
}

double
pf_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

double
pf_wall_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool
pf_time_clock_ms(const char *p, const char *end, int64_t *ms)
{
	struct pf_iso_time t;

	if (!pf_iso_clock(p, end, &t))
		return false;
	/* The slack absorbs the rounding of the decimal fraction. */
	*ms = t.secs * 1000 + (int64_t)(t.frac * 1000 + 1e-6);
	return true;
}

/*
 * Reads an event time: an ISO 8601 date or date-time as time() reads it
 * ("2024-01-31", "2024-01-31T10:20[:30[.25]]", a space for the T, "Z" or
 * an offset "+01:00", "+0100", "+01"; no offset is UTC), or a number of
 * seconds since the epoch. Fractions below a millisecond are dropped.
 */
bool
pf_time_parse_ms(const char *s, size_t len, int64_t *ms)
{
	struct pf_number n;
	int64_t day;

	if (len >= 10 && s[4] == '-') {
		if (!pf_iso_date(s, &day) || !pf_time_clock_ms(s + 10, s + len, ms))
			return false;
		*ms += day * 1000;
		return true;
	}
	if (!pf_number_parse(s, len, &n))
		return false;
	if (n.is_int) {
		if (n.i > INT64_MAX / 1000 || n.i < INT64_MIN / 1000)
			return false;
		*ms = n.i * 1000;
		return true;
	}
	if (!(n.d * 1000 < 9.2e18 && n.d * 1000 > -9.2e18))
		return false;
	*ms = (int64_t)(n.d * 1000 >= 0 ? n.d * 1000 : n.d * 1000 - 0.999999);
	return true;
}

int64_t
pf_days_from_civil(int64_t y, int m, int d)
{
	return days_from_civil(y, m, d);
}

void
pf_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	civil_from_days(z, y, m, d);
}

int
pf_days_in_month(int64_t y, int m)
{
	return days_in_month((int)(y % 400 + 400), m);
}
