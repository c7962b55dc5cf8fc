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
	return pf_time_clock_ms(p, end, ms);
}

bool
pf_stream_parse_time(const char *s, size_t len, int64_t *ms)
{
	return pf_time_parse_ms(s, len, ms);
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
