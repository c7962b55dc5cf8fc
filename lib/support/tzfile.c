/*
 * tzfile.c - reading TZif files (RFC 8536) and their POSIX TZ footer,
 * and the process-wide cache of loaded zones (see tzfile.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/timeutil.h"
#include "support/tzfile.h"
#include "support/xalloc.h"

#define MAX_ZONES	256	/* names remembered, found or not */

/* One rule of a POSIX TZ string: when DST starts or ends in a year. */
struct rule {
	char	kind;		/* 'M' month.week.day, 'J' julian, 'D' day */
	int	month, week, day;
	int32_t	time;		/* seconds after local midnight */
};

struct ttype {
	int32_t	utoff;
	int	abbr;		/* index into abbrs */
};

struct pf_tz {
	char		*name;
	bool		 found;
	int64_t		*trans;		/* transition times, ascending */
	unsigned char	*idx;		/* the type from each transition on */
	size_t		 ntrans;
	struct ttype	*types;
	size_t		 ntypes;
	char		*abbrs;		/* NUL-separated abbreviations */
	/* The footer: std only, or std and dst with two rules. */
	bool		 has_rule, has_dst;
	int32_t		 std_off, dst_off;	/* seconds east */
	char		 std_abbr[16], dst_abbr[16];
	struct rule	 start, end;
	struct pf_tz	*next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct pf_tz *zones;
static size_t nzones;

static int64_t
be(const unsigned char *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	if (n == 4)
		return (int32_t)(uint32_t)v;
	return (int64_t)v;
}

/* POSIX TZ strings */

static bool
tz_name(const char **p, char *out, size_t size)
{
	const char *s = *p, *start;
	size_t n;

	if (*s == '<') {
		start = ++s;
		while (*s && *s != '>')
			s++;
		if (*s != '>')
			return false;
		n = (size_t)(s - start);
		s++;
	} else {
		start = s;
		while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'))
			s++;
		n = (size_t)(s - start);
	}
	if (n < 3 || n >= size)
		return false;
	memcpy(out, start, n);
	out[n] = '\0';
	*p = s;
	return true;
}

/* [+-]hh[:mm[:ss]] as seconds (hours up to 167 for rule times). */
static bool
tz_clock(const char **p, int32_t *secs)
{
	const char *s = *p;
	int sign = 1, part = 0, v[3] = { 0, 0, 0 };

	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	for (;;) {
		if (*s < '0' || *s > '9')
			return false;
		while (*s >= '0' && *s <= '9' && v[part] < 1000)
			v[part] = v[part] * 10 + (*s++ - '0');
		if (*s != ':' || part == 2)
			break;
		s++;
		part++;
	}
	*secs = sign * (v[0] * 3600 + v[1] * 60 + v[2]);
	*p = s;
	return true;
}

static bool
tz_rule(const char **p, struct rule *r)
{
	const char *s = *p;
	char *end;

	r->time = 7200;
	if (*s == 'M') {
		r->kind = 'M';
		r->month = (int)strtol(s + 1, &end, 10);
		if (*end != '.')
			return false;
		r->week = (int)strtol(end + 1, &end, 10);
		if (*end != '.')
			return false;
		r->day = (int)strtol(end + 1, &end, 10);
		if (r->month < 1 || r->month > 12 || r->week < 1 ||
		    r->week > 5 || r->day < 0 || r->day > 6)
			return false;
	} else {
		r->kind = *s == 'J' ? 'J' : 'D';
		r->day = (int)strtol(s + (*s == 'J'), &end, 10);
		if (end == s + (*s == 'J') || r->day < 0 || r->day > 365)
			return false;
	}
	s = end;
	if (*s == '/' && (s++, !tz_clock(&s, &r->time)))
		return false;
	*p = s;
	return true;
}

static bool
parse_footer(struct pf_tz *z, const char *s)
{
	int32_t off;

	if (!tz_name(&s, z->std_abbr, sizeof(z->std_abbr)) ||
	    !tz_clock(&s, &off))
		return false;
	z->std_off = -off;
	z->has_rule = true;
	if (*s == '\0')
		return true;
	if (!tz_name(&s, z->dst_abbr, sizeof(z->dst_abbr)))
		return false;
	z->dst_off = z->std_off + 3600;
	if (*s != ',' && *s != '\0') {
		if (!tz_clock(&s, &off))
			return false;
		z->dst_off = -off;
	}
	if (*s++ != ',' || !tz_rule(&s, &z->start) || *s++ != ',' ||
	    !tz_rule(&s, &z->end) || *s != '\0')
		return false;
	z->has_dst = true;
	return true;
}

/* The local epoch second at which rule r falls in year y. */
static int64_t
rule_local(const struct rule *r, int64_t y)
{
	int64_t days;
	int first, mday, leap = pf_days_in_month(y, 2) == 29;

	if (r->kind == 'M') {
		days = pf_days_from_civil(y, r->month, 1);
		first = (int)(((days % 7) + 11) % 7);	/* 1970-01-01: Thursday */
		mday = 1 + (r->day - first + 7) % 7 + 7 * (r->week - 1);
		while (mday > pf_days_in_month(y, r->month))
			mday -= 7;
		days += mday - 1;
	} else if (r->kind == 'J')
		days = pf_days_from_civil(y, 1, 1) + r->day - 1 +
		    (leap && r->day >= 60);
	else
		days = pf_days_from_civil(y, 1, 1) + r->day;
	return days * 86400 + r->time;
}

static int32_t
rule_offset(const struct pf_tz *z, int64_t t, const char **abbr)
{
	int64_t y, start, end;
	int m, d;
	bool dst;

	if (!z->has_dst) {
		*abbr = z->std_abbr;
		return z->std_off;
	}
	pf_civil_from_days((t + z->std_off) / 86400 -
	    ((t + z->std_off) % 86400 < 0), &y, &m, &d);
	start = rule_local(&z->start, y) - z->std_off;
	end = rule_local(&z->end, y) - z->dst_off;
	dst = start < end ? t >= start && t < end : !(t >= end && t < start);
	*abbr = dst ? z->dst_abbr : z->std_abbr;
	return dst ? z->dst_off : z->std_off;
}

/* TZif files */

static bool
parse_tzif(struct pf_tz *z, const unsigned char *p, size_t len)
{
	const unsigned char *end = p + len, *h = p;
	size_t cnt[6], i, need;
	char footer[128];
	const unsigned char *f;

	if (len < 44 || memcmp(p, "TZif", 4) != 0)
		return false;
	for (i = 0; i < 6; i++)
		cnt[i] = (size_t)(uint32_t)be(h + 20 + 4 * i, 4);
	if (p[4] < '2')
		return false;	/* version 1: 32-bit only, not in use */
	/* Skip the v1 block to the v2 header. */
	need = 44 + cnt[3] * 5 + cnt[4] * 6 + cnt[5] + cnt[2] * 8 + cnt[1] +
	    cnt[0];
	if (need + 44 > len)
		return false;
	h = p + need;
	if (memcmp(h, "TZif", 4) != 0)
		return false;
	for (i = 0; i < 6; i++)
		cnt[i] = (size_t)(uint32_t)be(h + 20 + 4 * i, 4);
	p = h + 44;
	need = cnt[3] * 9 + cnt[4] * 6 + cnt[5] + cnt[2] * 12 + cnt[1] + cnt[0];
	if (cnt[4] == 0 || cnt[4] > 256 || (size_t)(end - p) < need)
		return false;
	z->ntrans = cnt[3];
	z->trans = pf_xmalloc((cnt[3] + 1) * sizeof(*z->trans));
	z->idx = pf_xmalloc(cnt[3] + 1);
	for (i = 0; i < cnt[3]; i++)
		z->trans[i] = be(p + 8 * i, 8);
	p += 8 * cnt[3];
	for (i = 0; i < cnt[3]; i++)
		if ((z->idx[i] = p[i]) >= cnt[4])
			return false;
	p += cnt[3];
	z->ntypes = cnt[4];
	z->types = pf_xmalloc(cnt[4] * sizeof(*z->types));
	for (i = 0; i < cnt[4]; i++) {
		z->types[i].utoff = (int32_t)be(p + 6 * i, 4);
		z->types[i].abbr = p[6 * i + 5];
		if ((size_t)z->types[i].abbr >= cnt[5])
			return false;
	}
	p += 6 * cnt[4];
	z->abbrs = pf_xmalloc(cnt[5] + 1);
	memcpy(z->abbrs, p, cnt[5]);
	z->abbrs[cnt[5]] = '\0';
	p += cnt[5] + cnt[2] * 12 + cnt[1] + cnt[0];
	/* The footer: "\nTZ\n". */
	if (p < end && *p == '\n' &&
	    (f = memchr(p + 1, '\n', (size_t)(end - p - 1))) != NULL &&
	    (size_t)(f - p - 1) < sizeof(footer) && f > p + 1) {
		memcpy(footer, p + 1, (size_t)(f - p - 1));
		footer[f - p - 1] = '\0';
		if (!parse_footer(z, footer))
			z->has_rule = z->has_dst = false;
	}
	return true;
}

static bool
valid_name(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len > 100 || name[0] == '/' || name[0] == '.')
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '/' || c == '_' ||
		    c == '-' || c == '+'))
			return false;
		if (c == '/' && i + 1 < len && name[i + 1] == '.')
			return false;
	}
	return true;
}

static void
load(struct pf_tz *z)
{
	const char *dir = getenv("TZDIR");
	unsigned char buf[65536];
	char path[4200];
	size_t len;
	FILE *f;

	if (dir == NULL || *dir == '\0')
		dir = "/usr/share/zoneinfo";
	snprintf(path, sizeof(path), "%s/%s", dir, z->name);
	if ((f = fopen(path, "rb")) == NULL)
		return;
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	z->found = parse_tzif(z, buf, len);
}

const struct pf_tz *
pf_tz_get(const char *name, size_t len)
{
	struct pf_tz *z;

	if (!valid_name(name, len))
		return NULL;
	pthread_mutex_lock(&lock);
	for (z = zones; z != NULL; z = z->next)
		if (strlen(z->name) == len && memcmp(z->name, name, len) == 0)
			break;
	if (z == NULL && nzones < MAX_ZONES) {
		z = pf_xcalloc(1, sizeof(*z));
		z->name = pf_xstrndup(name, len);
		load(z);
		z->next = zones;
		zones = z;
		nzones++;
	}
	pthread_mutex_unlock(&lock);
	return z != NULL && z->found ? z : NULL;
}

int32_t
pf_tz_offset(const struct pf_tz *z, int64_t t, const char **abbr)
{
	const struct ttype *ty;
	const char *dummy;
	size_t lo = 0, hi = z->ntrans;

	if (abbr == NULL)
		abbr = &dummy;
	if (z->ntrans > 0 && t >= z->trans[z->ntrans - 1] && z->has_rule)
		return rule_offset(z, t, abbr);
	if (z->ntrans == 0 && z->has_rule)
		return rule_offset(z, t, abbr);
	/* The last transition at or before t. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (z->trans[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	ty = &z->types[lo == 0 ? 0 : z->idx[lo - 1]];
	*abbr = z->abbrs + ty->abbr;
	return ty->utoff;
}

int64_t
pf_tz_from_local(const struct pf_tz *z, int64_t local)
{
	int32_t before = pf_tz_offset(z, local - 86400, NULL);
	int32_t after = pf_tz_offset(z, local + 86400, NULL);
	int64_t a = local - before, b = local - after;
	bool a_ok, b_ok;

	if (before == after)
		return a;
	a_ok = pf_tz_offset(z, a, NULL) == before;
	b_ok = pf_tz_offset(z, b, NULL) == after;
	if (a_ok && b_ok)
		return a < b ? a : b;	/* a repeated hour: the first */
	if (b_ok && !a_ok)
		return b;
	return a;			/* in a gap: the offset before it */
}
