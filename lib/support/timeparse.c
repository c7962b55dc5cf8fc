/*
 * timeparse.c - reading dates (see timefmt.h): strptime-style formats and
 * the other forms time() knows without one, on the proleptic Gregorian
 * calendar of timeutil.h and the zones of tzfile.h.
 */
#include <stdio.h>
#include <string.h>

#include "support/timefmt.h"
#include "support/timeutil.h"

/* Reading */

/* A broken-down time being read. */
struct fields {
	int64_t	year;
	int	month, day, hour, min, sec, yday, hour12;
	bool	pm, has_pm, has_yday, has_epoch, has_zone;
	int64_t	epoch;
	int32_t	offset;		/* seconds east */
	double	frac;
	bool	has_frac;
};

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Reads 1 to max digits at *p (before end) into *v. */
static bool
digits(const char **p, const char *end, int max, int64_t *v)
{
	int n = 0;

	*v = 0;
	while (*p < end && n < max && **p >= '0' && **p <= '9') {
		*v = *v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n > 0;
}

/* A month or day name, full or its first three letters: 0-based index. */
static int
name_index(const char **p, const char *end, const char *const *names,
    int n)
{
	int i;
	size_t k, full;

	for (i = 0; i < n; i++) {
		full = strlen(names[i]);
		for (k = 0; k < full && *p + k < end &&
		    lower((*p)[k]) == lower(names[i][k]); k++)
			;
		if (k == full || (k >= 3 && (*p + k == end ||
		    !((lower((*p)[k]) >= 'a' && lower((*p)[k]) <= 'z'))))) {
			*p += k == full ? full : 3;
			return i;
		}
	}
	return -1;
}

/* "Z", "+hh", "+hhmm", "+hh:mm": seconds east. */
static bool
offset(const char **p, const char *end, int32_t *off)
{
	int64_t h, m = 0;
	const char *s = *p;
	int sign;

	if (s < end && (*s == 'Z' || *s == 'z')) {
		*off = 0;
		*p = s + 1;
		return true;
	}
	if (s >= end || (*s != '+' && *s != '-'))
		return false;
	sign = *s++ == '-' ? -1 : 1;
	if (end - s < 2 || !digits(&s, s + 2, 2, &h) || h > 23)
		return false;
	if (s < end && *s == ':')
		s++;
	if (end - s >= 2 && s[0] >= '0' && s[0] <= '9' &&
	    (!digits(&s, s + 2, 2, &m) || m > 59))
		return false;
	*off = (int32_t)(sign * (h * 3600 + m * 60));
	*p = s;
	return true;
}

/* Zone names of RFC 2822 (and UTC): seconds east. */
static bool
zone_name(const char **p, const char *end, int32_t *off)
{
	static const struct { const char *name; int hours; } zones[] = {
		{ "UTC", 0 }, { "GMT", 0 }, { "UT", 0 }, { "Z", 0 },
		{ "EST", -5 }, { "EDT", -4 }, { "CST", -6 }, { "CDT", -5 },
		{ "MST", -7 }, { "MDT", -6 }, { "PST", -8 }, { "PDT", -7 },
	};
	size_t i, n;

	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		n = strlen(zones[i].name);
		if ((size_t)(end - *p) >= n && strncmp(*p, zones[i].name, n) == 0 &&
		    (*p + n == end || !((*p)[n] >= 'A' && (*p)[n] <= 'Z'))) {
			*off = zones[i].hours * 3600;
			*p += n;
			return true;
		}
	}
	return false;
}

/* The fields as epoch seconds, checked; tz for a time with no zone. */
static bool
resolve(const struct fields *f, const struct pf_tz *tz, struct pf_when *w)
{
	int64_t days, local;
	int hour = f->hour;

	w->frac = f->frac;
	w->has_frac = f->has_frac;
	if (f->has_epoch) {
		w->secs = f->epoch;
		return true;
	}
	if (f->has_pm)
		hour = f->hour12 % 12 + (f->pm ? 12 : 0);
	if (hour > 23 || f->min > 59 || f->sec > 59)
		return false;
	if (f->has_yday && f->month == 0) {
		if (f->yday < 1 || f->yday > 365 + (pf_days_in_month(f->year,
		    2) == 29))
			return false;
		days = pf_days_from_civil(f->year, 1, 1) + f->yday - 1;
	} else {
		int month = f->month ? f->month : 1, day = f->day ? f->day : 1;

		if (month > 12 || day > pf_days_in_month(f->year, month))
			return false;
		days = pf_days_from_civil(f->year, month, day);
	}
	local = days * 86400 + hour * 3600 + f->min * 60 + f->sec;
	if (f->has_zone)
		w->secs = local - f->offset;
	else
		w->secs = tz != NULL ? pf_tz_from_local(tz, local) : local;
	return true;
}

static bool
fraction(const char **p, const char *end, struct fields *f)
{
	double scale = 0.1;
	const char *s = *p;

	f->frac = 0;
	while (s < end && *s >= '0' && *s <= '9' && s - *p < 9) {
		f->frac += (*s++ - '0') * scale;
		scale /= 10;
	}
	if (s == *p)
		return false;
	f->has_frac = f->frac != 0;
	*p = s;
	return true;
}

static bool
parse_with(const char **ps, const char *end, const char *fmt,
    const char *fend, struct fields *f, int depth)
{
	const char *s = *ps;
	int64_t v;
	int i;

	while (fmt < fend) {
		char c = *fmt++;

		if (is_space(c)) {
			while (s < end && is_space(*s))
				s++;
			continue;
		}
		if (c != '%' || fmt == fend) {
			if (s == end || *s != c)
				return false;
			s++;
			continue;
		}
		c = *fmt++;
		switch (c) {
		case 'Y':
			{
				int sign = s < end && *s == '-' ? -1 : 1;

				if (s < end && (*s == '-' || *s == '+'))
					s++;
				if (!digits(&s, end, 4, &v))
					return false;
				f->year = sign * v;
			}
			break;
		case 'y':
			if (!digits(&s, end, 2, &v))
				return false;
			f->year = v + (v < 69 ? 2000 : 1900);
			break;
		case 'm':
			if (!digits(&s, end, 2, &v) || v < 1 || v > 12)
				return false;
			f->month = (int)v;
			break;
		case 'd':
		case 'e':
			while (c == 'e' && s < end && *s == ' ')
				s++;
			if (!digits(&s, end, 2, &v) || v < 1 || v > 31)
				return false;
			f->day = (int)v;
			break;
		case 'H':
			if (!digits(&s, end, 2, &v) || v > 23)
				return false;
			f->hour = (int)v;
			break;
		case 'I':
			if (!digits(&s, end, 2, &v) || v < 1 || v > 12)
				return false;
			f->hour12 = (int)v;
			f->hour = (int)v % 12;
			break;
		case 'M':
			if (!digits(&s, end, 2, &v) || v > 59)
				return false;
			f->min = (int)v;
			break;
		case 'S':
			if (!digits(&s, end, 2, &v) || v > 59)
				return false;
			f->sec = (int)v;
			break;
		case 'j':
			if (!digits(&s, end, 3, &v) || v < 1 || v > 366)
				return false;
			f->yday = (int)v;
			f->has_yday = true;
			break;
		case 'f':
			if (!fraction(&s, end, f))
				return false;
			break;
		case 'b': case 'h': case 'B':
			if ((i = name_index(&s, end, pf_month_names, 12)) < 0)
				return false;
			f->month = i + 1;
			break;
		case 'a': case 'A':
			if (name_index(&s, end, pf_day_names, 7) < 0)
				return false;
			break;
		case 'p':
			if (end - s < 2 || lower(s[1]) != 'm' ||
			    (lower(s[0]) != 'a' && lower(s[0]) != 'p'))
				return false;
			f->pm = lower(s[0]) == 'p';
			f->has_pm = true;
			if (f->hour12 == 0)
				f->hour12 = f->hour;
			s += 2;
			break;
		case 'z':
			if (!offset(&s, end, &f->offset))
				return false;
			f->has_zone = true;
			break;
		case 'Z':
			if (!zone_name(&s, end, &f->offset) || f->offset != 0)
				return false;
			f->has_zone = true;
			break;
		case 's':
			{
				int sign = s < end && *s == '-' ? -1 : 1;

				if (s < end && *s == '-')
					s++;
				if (!digits(&s, end, 18, &v))
					return false;
				f->epoch = sign * v;
				f->has_epoch = true;
			}
			break;
		case 'n': case 't':
			while (s < end && is_space(*s))
				s++;
			break;
		case '%':
			if (s == end || *s != '%')
				return false;
			s++;
			break;
		case 'T': case 'F': case 'D': case 'R':
			{
				const char *sub = c == 'T' ? "%H:%M:%S" :
				    c == 'F' ? "%Y-%m-%d" : c == 'D' ?
				    "%m/%d/%y" : "%H:%M";

				if (depth > 0 || !parse_with(&s, end, sub,
				    sub + strlen(sub), f, depth + 1))
					return false;
			}
			break;
		default:
			return false;
		}
	}
	*ps = s;
	return true;
}

bool
pf_time_parse_format(const char *s, size_t len, const char *fmt,
    size_t flen, const struct pf_tz *tz, struct pf_when *w)
{
	struct fields f = { .year = 1900 };
	const char *p = s, *end = s + len;

	if (!parse_with(&p, end, fmt, fmt + flen, &f, 0) || p != end)
		return false;
	return resolve(&f, tz, w);
}

/* Epoch seconds or milliseconds, with an optional fraction. */
static bool
epoch_number(const char *s, const char *end, struct pf_when *w)
{
	const char *p = s;
	int64_t v;
	int sign = 1;
	struct fields f = { 0 };

	if (p < end && *p == '-') {
		sign = -1;
		p++;
	}
	if (!digits(&p, end, 18, &v))
		return false;
	if (p - s - (sign < 0) >= 12) {		/* milliseconds */
		if (p != end)
			return false;
		v *= sign;
		w->secs = v / 1000 - (v % 1000 < 0);
		w->frac = (double)(v - w->secs * 1000) / 1000;
		w->has_frac = w->frac != 0;
		return true;
	}
	if (p < end && *p == '.') {
		p++;
		if (!fraction(&p, end, &f))
			return false;
	}
	if (p != end)
		return false;
	w->secs = sign * v;
	w->frac = f.frac;
	w->has_frac = f.has_frac;
	if (sign < 0 && f.has_frac) {	/* -5.25 is -6 + 0.75 */
		w->secs -= 1;
		w->frac = 1 - f.frac;
	}
	return true;
}

/* Dates with a month name and RFC 2822, read as tokens in any order. */
static bool
named_month(const char *s, const char *end, struct pf_when *w)
{
	struct fields f = { .year = -1 };
	bool has_month = false, has_time = false, has_wday = false;
	const char *p = s;
	int64_t v;
	int i;

	while (p < end) {
		const char *start = p;

		if (is_space(*p) || *p == ',') {
			p++;
			continue;
		}
		if (*p >= '0' && *p <= '9') {
			if (!digits(&p, end, 5, &v))
				return false;
			if (p < end && *p == ':') {	/* hh:mm[:ss[.f]] */
				int64_t m, sec = 0;
				const char *mins;

				if (has_time || p - start > 2)
					return false;
				mins = ++p;
				if (!digits(&p, end, 2, &m) || p - mins != 2)
					return false;
				if (p < end && *p == ':') {
					p++;
					if (!digits(&p, end, 2, &sec))
						return false;
					if (p < end && *p == '.' &&
					    (p++, !fraction(&p, end, &f)))
						return false;
				}
				if (v > 23 || m > 59 || sec > 59)
					return false;
				f.hour = (int)v, f.min = (int)m, f.sec = (int)sec;
				has_time = true;
			} else if (p - start == 4 && f.year < 0)
				f.year = v;
			else if (p - start <= 2 && f.day == 0 && v >= 1)
				f.day = (int)v;
			else if (p - start == 2 && f.year < 0)
				f.year = v + (v < 50 ? 2000 : 1900);
			else
				return false;
			continue;
		}
		if ((*p == '+' || *p == '-') && !f.has_zone) {
			if (!offset(&p, end, &f.offset))
				return false;
			f.has_zone = true;
			continue;
		}
		if (!f.has_zone && zone_name(&p, end, &f.offset)) {
			f.has_zone = true;
			continue;
		}
		if (!has_month && (i = name_index(&p, end, pf_month_names, 12)) >= 0) {
			f.month = i + 1;
			has_month = true;
		} else if (!has_wday && name_index(&p, end, pf_day_names, 7) >= 0)
			has_wday = true;
		else
			return false;
		if (p < end && *p == '.')
			p++;	/* "Jun." */
		if (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			return false;
	}
	if (!has_month || f.day == 0 || f.year < 0)
		return false;
	return resolve(&f, NULL, w);
}

bool
pf_time_parse_other(const char *s, size_t len, struct pf_when *w)
{
	const char *end = s + len;
	size_t i;

	if (len == 8 && s[0] >= '1' && s[0] <= '9') {
		struct fields f = { 0 };
		int64_t v;
		const char *p = s;

		for (i = 0; i < 8 && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == 8) {
			digits(&p, end, 4, &v);
			f.year = v;
			digits(&p, end, 2, &v);
			f.month = (int)v;
			digits(&p, end, 2, &v);
			f.day = (int)v;
			if (f.month >= 1 && f.month <= 12 && f.day >= 1 &&
			    resolve(&f, NULL, w))
				return true;
		}
	}
	if (len > 0 && ((s[0] >= '0' && s[0] <= '9') || s[0] == '-') &&
	    epoch_number(s, end, w))
		return true;
	return len > 0 && len < 100 && named_month(s, end, w);
}

