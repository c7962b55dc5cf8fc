/*
 * stream_time.c - preduce's event times (--time's field: ISO 8601 or
 * epoch seconds, to milliseconds) and the options of snapshots and
 * windows (--every, --interval, --window, --time, --lateness).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reduce/stream_int.h"
#include "support/number.h"
#include "support/timeutil.h"

bool
pf_stream_clock_ms(const char *p, const char *end, int64_t *ms)
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
pf_stream_parse_time(const char *s, size_t len, int64_t *ms)
{
	struct pf_number n;
	int64_t day;

	if (len >= 10 && s[4] == '-') {
		if (!pf_iso_date(s, &day) || !pf_stream_clock_ms(s + 10, s + len, ms))
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

/* Option parsing (called by cmd/preduce.c). */

bool
pf_reduce_streaming(const struct pf_reduce_args *args)
{
	return args->every > 0 || args->interval_ms > 0 ||
	    args->window != PF_WINDOW_NONE;
}

bool
pf_reduce_parse_window(const char *spec, struct pf_reduce_args *args,
    char *err, size_t errlen)
{
	const char *colon = strchr(spec, ':');
	char *end;
	unsigned long long n;
	long ms;

	if (colon == NULL)
		goto bad;
	if (strncmp(spec, "count:", 6) == 0) {
		errno = 0;
		n = strtoull(colon + 1, &end, 10);
		if (colon[1] < '0' || colon[1] > '9' || *end != '\0' ||
		    n == 0 || errno != 0)
			goto bad;
		args->window = PF_WINDOW_COUNT;
		args->window_records = n;
		return true;
	}
	if (strncmp(spec, "time:", 5) == 0 || strncmp(spec, "event:", 6) == 0) {
		if (!pf_parse_duration(colon + 1, &ms) || ms <= 0)
			goto bad;
		args->window = spec[0] == 't' ? PF_WINDOW_TIME :
		    PF_WINDOW_EVENT;
		args->window_ms = ms;
		return true;
	}
bad:
	snprintf(err, errlen, "bad --window '%s' (count:N, time:DURATION or "
	    "event:DURATION, e.g. event:1d)", spec);
	return false;
}

bool
pf_reduce_check_stream(const struct pf_reduce_args *args, char *err,
    size_t errlen)
{
	if (args->merge && pf_reduce_streaming(args))
		snprintf(err, errlen, "--merge takes no --every, --interval "
		    "or --window");
	else if (args->window == PF_WINDOW_EVENT && args->time_field == NULL)
		snprintf(err, errlen, "--window event:... needs --time FIELD");
	else if (args->window != PF_WINDOW_EVENT && args->time_field != NULL)
		snprintf(err, errlen, "--time goes with --window event:...");
	else if (args->window != PF_WINDOW_EVENT && args->lateness_ms > 0)
		snprintf(err, errlen, "--lateness goes with --window "
		    "event:...");
	else
		return true;
	return false;
}
