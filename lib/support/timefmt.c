/*
 * timefmt.c - dates as text (see timefmt.h): strftime-style output on
 * the proleptic Gregorian calendar of timeutil.h and the zones of
 * tzfile.h; reading them back is timeparse.c's.
 */
#include <stdio.h>
#include <string.h>

#include "support/timefmt.h"
#include "support/timeutil.h"

const char *const pf_month_names[12] = { "January", "February",
    "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December" };
const char *const pf_day_names[7] = { "Sunday", "Monday", "Tuesday",
    "Wednesday", "Thursday", "Friday", "Saturday" };

/* Writing */

struct civil {
	int64_t	year, t;
	int	month, day, hour, min, sec, wday, yday;
	int32_t	off;
	const char *abbr;
};

static int
iso_weeks(int64_t y)
{
	int64_t p = (y + y / 4 - y / 100 + y / 400) % 7, q;

	y--;
	q = (y + y / 4 - y / 100 + y / 400) % 7;
	return p == 4 || q == 3 ? 53 : 52;
}

/* ISO 8601 week number and its year. */
static int
iso_week(const struct civil *c, int64_t *year)
{
	int wd = (c->wday + 6) % 7, week = (c->yday - wd + 10) / 7;

	*year = c->year;
	if (week < 1) {
		*year = c->year - 1;
		return iso_weeks(*year);
	}
	if (week > iso_weeks(c->year)) {
		*year = c->year + 1;
		return 1;
	}
	return week;
}

/* Appends s[0..n) to out; false when it does not fit. */
static bool
put(char *out, size_t size, size_t *len, const char *s, size_t n)
{
	if (*len + n >= size)
		return false;
	memcpy(out + *len, s, n);
	*len += n;
	return true;
}

/* A number, padded to width with pad ('0', ' ', or 0 for none). */
static bool
put_num(char *out, size_t size, size_t *len, int64_t v, int width, char pad)
{
	char buf[32], tmp[24];
	int n, k = 0;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	n = 0;
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (v < 0)
		buf[k++] = '-';
	while (pad != 0 && n + k < width)
		buf[k++] = pad;
	while (n > 0)
		buf[k++] = tmp[--n];
	return put(out, size, len, buf, (size_t)k);
}

static bool
put_name(char *out, size_t size, size_t *len, const char *name, bool abbr,
    bool upper)
{
	char buf[16];
	size_t n = abbr ? 3 : strlen(name), i;

	for (i = 0; i < n; i++)
		buf[i] = upper && name[i] >= 'a' ? (char)(name[i] - 32) : name[i];
	return put(out, size, len, buf, n);
}

static bool format_civil(char *out, size_t size, size_t *len,
    const char *fmt, size_t flen, const struct civil *c, int depth);

static bool
conversion(char *out, size_t size, size_t *len, char conv, char flag,
    const struct civil *c, int depth)
{
	char pad0 = flag == '-' ? 0 : flag == '_' ? ' ' : '0';
	char pads = flag == '-' ? 0 : flag == '0' ? '0' : ' ';
	const char *sub = NULL;
	int64_t y;
	char z[32];

	switch (conv) {
	case 'a': case 'A':
		return put_name(out, size, len, pf_day_names[c->wday], conv == 'a',
		    flag == '^');
	case 'b': case 'h': case 'B':
		return put_name(out, size, len, pf_month_names[c->month - 1],
		    conv != 'B', flag == '^');
	case 'C': return put_num(out, size, len, c->year / 100 -
		    (c->year % 100 < 0), 2, pad0);
	case 'd': return put_num(out, size, len, c->day, 2, pad0);
	case 'e': return put_num(out, size, len, c->day, 2, pads);
	case 'G': iso_week(c, &y); return put_num(out, size, len, y, 1, 0);
	case 'g': iso_week(c, &y);
		return put_num(out, size, len, (y % 100 + 100) % 100, 2, pad0);
	case 'H': return put_num(out, size, len, c->hour, 2, pad0);
	case 'I': return put_num(out, size, len, (c->hour + 11) % 12 + 1, 2,
		    pad0);
	case 'j': return put_num(out, size, len, c->yday + 1, 3, pad0);
	case 'k': return put_num(out, size, len, c->hour, 2, pads);
	case 'l': return put_num(out, size, len, (c->hour + 11) % 12 + 1, 2,
		    pads);
	case 'm': return put_num(out, size, len, c->month, 2, pad0);
	case 'M': return put_num(out, size, len, c->min, 2, pad0);
	case 'n': return put(out, size, len, "\n", 1);
	case 'p': return put(out, size, len, c->hour < 12 ? "AM" : "PM", 2);
	case 'P': return put(out, size, len, c->hour < 12 ? "am" : "pm", 2);
	case 's': return put_num(out, size, len, c->t, 1, 0);
	case 'S': return put_num(out, size, len, c->sec, 2, pad0);
	case 't': return put(out, size, len, "\t", 1);
	case 'u': return put_num(out, size, len, c->wday ? c->wday : 7, 1, 0);
	case 'U': return put_num(out, size, len, (c->yday + 7 - c->wday) / 7,
		    2, pad0);
	case 'V': return put_num(out, size, len, iso_week(c, &y), 2, pad0);
	case 'w': return put_num(out, size, len, c->wday, 1, 0);
	case 'W': return put_num(out, size, len,
		    (c->yday + 7 - (c->wday + 6) % 7) / 7, 2, pad0);
	case 'y': return put_num(out, size, len, (c->year % 100 + 100) % 100,
		    2, pad0);
	case 'Y': return put_num(out, size, len, c->year, 1, 0);
	case 'z':
		y = c->off < 0 ? -c->off : c->off;
		snprintf(z, sizeof(z), "%c%02d%02d", c->off < 0 ? '-' : '+',
		    (int)(y / 3600), (int)(y / 60 % 60));
		return put(out, size, len, z, 5);
	case 'Z': return put(out, size, len, c->abbr, strlen(c->abbr));
	case '%': return put(out, size, len, "%", 1);
	case 'c': sub = "%a %b %e %H:%M:%S %Y"; break;
	case 'D': case 'x': sub = "%m/%d/%y"; break;
	case 'F': sub = "%Y-%m-%d"; break;
	case 'r': sub = "%I:%M:%S %p"; break;
	case 'R': sub = "%H:%M"; break;
	case 'T': case 'X': sub = "%H:%M:%S"; break;
	default: return false;
	}
	return depth == 0 && format_civil(out, size, len, sub, strlen(sub), c,
	    depth + 1);
}

static bool
is_flag(char c)
{
	return c == '-' || c == '_' || c == '0' || c == '^';
}

bool
pf_time_format_check(const char *fmt, size_t flen, size_t *bad)
{
	static const char known[] = "aAbhBCdeGgHIjklmMnpPsStuUVwWyYzZ%cDxFrRTX";
	size_t i;

	for (i = 0; i < flen; i++) {
		if (fmt[i] != '%')
			continue;
		*bad = i;
		if (i + 1 < flen && is_flag(fmt[i + 1]))
			i++;
		if (++i >= flen || fmt[i] == '\0' || strchr(known, fmt[i]) == NULL)
			return false;
	}
	return true;
}

static bool
format_civil(char *out, size_t size, size_t *len, const char *fmt,
    size_t flen, const struct civil *c, int depth)
{
	size_t i, start;
	char flag;

	for (i = 0; i < flen; i++) {
		if (fmt[i] != '%' || i + 1 == flen) {
			if (!put(out, size, len, fmt + i, 1))
				return false;
			continue;
		}
		start = i++;
		flag = 0;
		if (is_flag(fmt[i]) && i + 1 < flen)
			flag = fmt[i++];
		if (fmt[i] == '\0' || !conversion(out, size, len, fmt[i], flag, c,
		    depth)) {
			if (*len + (i - start + 1) >= size)
				return false;
			/* Unknown: copied as written. */
			if (!put(out, size, len, fmt + start, i - start + 1))
				return false;
		}
	}
	return true;
}

size_t
pf_time_format(char *out, size_t size, const char *fmt, size_t flen,
    int64_t t, const struct pf_tz *tz)
{
	struct civil c;
	int64_t local, days, secs;
	size_t len = 0;

	c.t = t;
	c.off = tz != NULL ? pf_tz_offset(tz, t, &c.abbr) : 0;
	if (tz == NULL)
		c.abbr = "UTC";
	local = t + c.off;
	days = local / 86400 - (local % 86400 < 0);
	secs = local - days * 86400;
	pf_civil_from_days(days, &c.year, &c.month, &c.day);
	c.hour = (int)(secs / 3600);
	c.min = (int)(secs / 60 % 60);
	c.sec = (int)(secs % 60);
	c.wday = (int)(((days % 7) + 11) % 7);
	c.yday = (int)(days - pf_days_from_civil(c.year, 1, 1));
	if (!format_civil(out, size, &len, fmt, flen, &c, 0))
		return (size_t)-1;
	return len;
}
