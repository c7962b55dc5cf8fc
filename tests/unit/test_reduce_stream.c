/*
 * test_reduce_stream.c - unit tests of lib/reduce/stream_time.c: event times
 * in (ISO 8601, epoch seconds) and out (window labels), and the parsing
 * and checking of the endless-input options.
 */
#include <stdint.h>
#include <string.h>

#include "reduce/reduce_int.h"
#include "support/timeutil.h"
#include "unit.h"

static int64_t
t(const char *s)
{
	int64_t ms = -42;

	return pf_stream_parse_time(s, strlen(s), &ms) ? ms : -42;
}

static void
test_parse_time(void)
{
	CHECK(t("1970-01-01") == 0);
	CHECK(t("1970-01-01T00:00:01") == 1000);
	CHECK(t("2001-01-01T00:01") == 978307260000);
	CHECK(t("2001-01-01 00:01:00Z") == 978307260000);
	CHECK(t("2001-01-01T01:01+01:00") == 978307260000);
	CHECK(t("2001-01-01T01:01+0100") == 978307260000);
	CHECK(t("2001-01-01T01:01+01") == 978307260000);
	CHECK(t("2000-12-31T23:01-01:00") == 978307260000);
	CHECK(t("1970-01-01T00:00:00.25") == 250);
	CHECK(t("1970-01-01T00:00:00,1239") == 123);
	CHECK(t("2024-02-29") == 1709164800000);
	CHECK(t("1969-12-31T23:59:59") == -1000);
	CHECK(t("12.5") == 12500);
	CHECK(t("-0.5") == -500);
	CHECK(t("1700000000") == 1700000000000);
	/* Not times. */
	CHECK(t("") == -42);
	CHECK(t("2023-02-29") == -42);
	CHECK(t("2001-13-01") == -42);
	CHECK(t("2001-01-01T24:00") == -42);
	CHECK(t("2001-01-01T10") == -42);
	CHECK(t("2001-01-01x") == -42);
	CHECK(t("2001-01-01T10:00:00.") == -42);
	CHECK(t("abc") == -42);
}

static void
test_format_time(void)
{
	char buf[64];

	pf_iso_time_format_ms(0, buf, sizeof(buf));
	CHECK_STR(buf, "1970-01-01T00:00:00Z");
	pf_iso_time_format_ms(978307260000, buf, sizeof(buf));
	CHECK_STR(buf, "2001-01-01T00:01:00Z");
	pf_iso_time_format_ms(-250, buf, sizeof(buf));
	CHECK_STR(buf, "1969-12-31T23:59:59.750Z");
	pf_iso_time_format_ms(1709164800000 + 86399999, buf, sizeof(buf));
	CHECK_STR(buf, "2024-02-29T23:59:59.999Z");
}

static void
test_options(void)
{
	struct pf_reduce_args a;
	char err[256];

	memset(&a, 0, sizeof(a));
	CHECK(!pf_reduce_streaming(&a));
	CHECK(pf_reduce_parse_window("count:10", &a, err, sizeof(err)));
	CHECK(a.window == PF_WINDOW_COUNT && a.window_records == 10);
	CHECK(pf_reduce_streaming(&a));
	CHECK(pf_reduce_parse_window("time:1.5s", &a, err, sizeof(err)));
	CHECK(a.window == PF_WINDOW_TIME && a.window_ms == 1500);
	CHECK(pf_reduce_parse_window("event:1d", &a, err, sizeof(err)));
	CHECK(a.window == PF_WINDOW_EVENT && a.window_ms == 86400000);
	CHECK(!pf_reduce_check_stream(&a, err, sizeof(err)));
	CHECK_STR(err, "--window event:... needs --time FIELD");
	a.time_field = "date";
	CHECK(pf_reduce_check_stream(&a, err, sizeof(err)));
	CHECK(!pf_reduce_parse_window("count:0", &a, err, sizeof(err)));
	CHECK(!pf_reduce_parse_window("count:x", &a, err, sizeof(err)));
	CHECK(!pf_reduce_parse_window("event:", &a, err, sizeof(err)));
	CHECK(!pf_reduce_parse_window("hourly", &a, err, sizeof(err)));
	CHECK_STR(err, "bad --window 'hourly' (count:N, time:DURATION or "
	    "event:DURATION, e.g. event:1d)");
}

int
main(void)
{
	UNIT_RUN(test_parse_time);
	UNIT_RUN(test_format_time);
	UNIT_RUN(test_options);
	return UNIT_DONE();
}
