/*
 * test_output.c - the record writer (output.c): CSV minimal quoting, TSV
 * escapes, JSON Lines (escapes, U+FFFD for ill-formed UTF-8, numbers,
 * records wider than the header), plain lines.
 */
#include <string.h>

#include "csv/output.h"
#include "unit.h"

static char *names2[] = { "a", "b" };

/* Writes one record of the given fields and returns the text. */
static const char *
record(enum pf_format format, char delim, const char *f1, const char *f2)
{
	static char text[256];
	struct pf_output o;
	struct pf_buf b = { 0 };
	size_t n = f2 != NULL ? 2 : 1;

	pf_output_init(&o, format, delim, names2, n);
	pf_output_field(&o, &b, 0, f1, strlen(f1), PF_JSON_AUTO);
	if (f2 != NULL)
		pf_output_field(&o, &b, 1, f2, strlen(f2), PF_JSON_AUTO);
	pf_output_end(&o, &b, n);
	memcpy(text, b.data, b.len);
	text[b.len] = '\0';
	pf_buf_free(&b);
	pf_output_free(&o);
	return text;
}

static void
test_csv_quotes_only_when_it_must(void)
{
	CHECK_STR(record(PF_CSV, ',', "plain", "x y"), "plain,x y\n");
	CHECK_STR(record(PF_CSV, ',', "a,b", "q\"q"), "\"a,b\",\"q\"\"q\"\n");
	CHECK_STR(record(PF_CSV, ',', "l1\nl2", "cr\r"),
	    "\"l1\nl2\",\"cr\r\"\n");
	CHECK_STR(record(PF_CSV, ',', " lead", "trail "),
	    "\" lead\",\"trail \"\n");
	CHECK_STR(record(PF_CSV, ',', "", ""), ",\n");
	CHECK_STR(record(PF_CSV, ';', "a,b", "c;d"), "a,b;\"c;d\"\n");
	CHECK_STR(record(PF_CSV, ',', "\"", "é,ü"), "\"\"\"\",\"é,ü\"\n");
}

static void
test_csv_lone_empty_field(void)
{
	/* One empty column must not read back as an empty line. */
	CHECK_STR(record(PF_CSV, ',', "", NULL), "\"\"\n");
	CHECK_STR(record(PF_CSV, ',', "x", NULL), "x\n");
}

static void
test_tsv_escapes(void)
{
	CHECK_STR(record(PF_TSV, '\t', "a\tb", "c\\d"), "a\\tb\tc\\\\d\n");
	CHECK_STR(record(PF_TSV, '\t', "l1\nl2", "r\r"), "l1\\nl2\tr\\r\n");
	CHECK_STR(record(PF_TSV, '\t', "a,\"b\"", ""), "a,\"b\"\t\n");
}

static void
test_jsonl(void)
{
	struct pf_output o;
	struct pf_buf b = { 0 };

	CHECK_STR(record(PF_JSONL, ',', "x\"y\\", "t\tn\n\x01"),
	    "{\"a\":\"x\\\"y\\\\\",\"b\":\"t\\tn\\n\\u0001\"}\n");
	pf_output_init(&o, PF_JSONL, ',', names2, 2);
	pf_output_field(&o, &b, 0, "3.5", 3, PF_JSON_NUMBER);
	pf_output_field(&o, &b, 1, "", 0, PF_JSON_NUMBER);	/* an empty number */
	pf_output_end(&o, &b, 2);
	CHECK_BYTES(b.data, b.len, "{\"a\":3.5,\"b\":\"\"}\n");
	b.len = 0;
	pf_output_header(&o, &b);
	CHECK(b.len == 0);
	pf_buf_free(&b);
	pf_output_free(&o);
}

static void
test_lines_and_header(void)
{
	struct pf_output o;
	struct pf_buf b = { 0 };
	char *names[] = { "id", "elevation ft" };

	CHECK_STR(record(PF_LINES, ':', "a,b", "c\"d"), "a,b:c\"d\n");
	pf_output_init(&o, PF_CSV, ',', names, 2);
	pf_output_header(&o, &b);
	CHECK_BYTES(b.data, b.len, "id,elevation ft\n");
	pf_buf_free(&b);
	pf_output_free(&o);
}

static void
test_whole_record(void)
{
	struct pf_field f[] = { { "1", 1 }, { "x,y", 3 }, { "", 0 } };
	struct pf_output o;
	struct pf_buf b = { 0 };

	pf_output_init(&o, PF_CSV, ',', names2, 2);
	pf_output_record(&o, &b, f, NULL, 3);
	CHECK_BYTES(b.data, b.len, "1,\"x,y\",\n");
	pf_buf_free(&b);
	pf_output_free(&o);
}

/*
 * The JSON Lines value written for the bytes s[0..len) of JSON kind kind:
 * "{"a":VALUE}\n".
 */
static const char *
json_kind_value(const char *s, size_t len, enum pf_json_kind kind)
{
	static char text[256];
	struct pf_output o;
	struct pf_buf b = { 0 };
	size_t n;

	pf_output_init(&o, PF_JSONL, ',', names2, 1);
	pf_output_field(&o, &b, 0, s, len, kind);
	pf_output_end(&o, &b, 1);
	/* Strip {"a": and }\n. */
	n = b.len - 5 - 2;
	memcpy(text, b.data + 5, n);
	text[n] = '\0';
	pf_buf_free(&b);
	pf_output_free(&o);
	return text;
}

static const char *
json_value(const char *s, size_t len, bool is_number)
{
	return json_kind_value(s, len,
	    is_number ? PF_JSON_NUMBER : PF_JSON_AUTO);
}

/* A value read from JSON is written back with its JSON type. */
static void
test_jsonl_kinds(void)
{
	CHECK_STR(json_kind_value("42", 2, PF_JSON_STRING), "\"42\"");
	CHECK_STR(json_kind_value("42", 2, PF_JSON_AUTO), "42");
	CHECK_STR(json_kind_value("true", 4, PF_JSON_LITERAL), "true");
	CHECK_STR(json_kind_value("true", 4, PF_JSON_AUTO), "\"true\"");
	CHECK_STR(json_kind_value("", 0, PF_JSON_NULL), "null");
	CHECK_STR(json_kind_value("", 0, PF_JSON_AUTO), "\"\"");
	CHECK_STR(json_kind_value("[1,{\"a\":\"\\u00e9\"}]", 18,
	    PF_JSON_LITERAL), "[1,{\"a\":\"\\u00e9\"}]");
	/* Bytes that are no UTF-8 inside a container's string: U+FFFD. */
	CHECK_STR(json_kind_value("[\"a\xff\"]", 6, PF_JSON_LITERAL),
	    "[\"a\xef\xbf\xbd\"]");
}

/*
 * Ill-formed UTF-8: each maximal subpart becomes one U+FFFD. The wanted
 * values are Python's json.dumps(s.decode("utf-8", "replace"),
 * ensure_ascii=False).
 */
static void
test_jsonl_utf8(void)
{
	static const struct {
		const char	*in, *want;
	} cases[] = {
	{ "caf\xc3\xa9", "\"caf\xc3\xa9\"" },
	{ "\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\"" },
	{ "\xc1\xbf", "\"\xef\xbf\xbd\xef\xbf\xbd\"" },
	{ "\xe0\x80\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },
	{ "\xe0\x9f\xbf", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },
	{ "\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },
	{ "\xed\xbf\xbf", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },
	{ "\xed\x9f\xbf", "\"\xed\x9f\xbf\"" },
	{ "\xf4\x90\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },
	{ "\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"" },
	{ "\xf0\x9f\x98", "\"\xef\xbf\xbd\"" },
	{ "\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"" },
	{ "a\xe2\x82", "\"a\xef\xbf\xbd\"" },
	{ "\xe2\x82x", "\"\xef\xbf\xbdx\"" },
	{ "\x80\xbf", "\"\xef\xbf\xbd\xef\xbf\xbd\"" },
	{ "\xf5\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\"" },
	{ "\xf8\x88\x80\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },
	{ "\xfe\xff", "\"\xef\xbf\xbd\xef\xbf\xbd\"" },
	{ "\xf0\x80\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },
	{ "\xc2", "\"\xef\xbf\xbd\"" },
	{ "\xf1\x80\x80\xe1\x80\xc2", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },
	{ "\xef\xbf\xbd", "\"\xef\xbf\xbd\"" },
	{ "ok\xe2\x82\xac\xc3", "\"ok\xe2\x82\xac\xef\xbf\xbd\"" },
	{ "\xe1\x80" "A\xe1", "\"\xef\xbf\xbd" "A\xef\xbf\xbd\"" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_STR(json_value(cases[i].in, strlen(cases[i].in), false),
		    cases[i].want);
	/* A sequence cut by the end of the field is not read past it. */
	CHECK_STR(json_value("\xe2\x82\xac", 2, false), "\"\xef\xbf\xbd\"");
}

static void
test_jsonl_control_bytes(void)
{
	CHECK_STR(json_value("\0x\x1f\x7f\b\f", 6, false),
	    "\"\\u0000x\\u001f\x7f\\u0008\\u000c\"");
	CHECK_STR(json_value("\r\n\t\"\\/", 6, false),
	    "\"\\r\\n\\t\\\"\\\\/\"");
}

/* Each special byte is found at any position of a longer field. */
static void
test_jsonl_every_position(void)
{
	static const struct {
		char		 c;
		const char	*want;
	} special[] = {
		{ '\x01', "\\u0001" }, { '\x1f', "\\u001f" }, { '"', "\\\"" },
		{ '\\', "\\\\" }, { '\x80', "\xef\xbf\xbd" }, { '\xff', "\xef\xbf\xbd" },
		{ '\x7f', "\x7f" }, { ' ', " " }, { '!', "!" }, { '[', "[" },
		{ ']', "]" }, { '~', "~" }, { '\x1b', "\\u001b" }, { '#', "#" },
	};
	char in[24], want[64];
	size_t k, at, n;
	bool ok = true;

	for (k = 0; k < sizeof(special) / sizeof(special[0]); k++)
		for (at = 0; at < sizeof(in); at++) {
			memset(in, 'a', sizeof(in));
			in[at] = special[k].c;
			n = 0;
			want[n++] = '"';
			memset(want + n, 'a', at);
			n += at;
			strcpy(want + n, special[k].want);
			n += strlen(special[k].want);
			memset(want + n, 'a', sizeof(in) - at - 1);
			n += sizeof(in) - at - 1;
			want[n++] = '"';
			want[n] = '\0';
			if (strcmp(json_value(in, sizeof(in), false), want) != 0) {
				printf("# byte 0x%02x at %zu: got %s\n",
				    (unsigned char)special[k].c, at,
				    json_value(in, sizeof(in), false));
				ok = false;
			}
		}
	CHECK(ok);
}

static void
test_jsonl_numbers(void)
{
	CHECK_STR(json_value("-12.5e+3", 8, true), "-12.5e+3");
	CHECK_STR(json_value("0", 1, true), "0");
	CHECK_STR(json_value("inf", 3, true), "null");
	CHECK_STR(json_value("-inf", 4, true), "null");
	CHECK_STR(json_value("nan", 3, true), "null");
	CHECK_STR(json_value("-nan", 4, true), "null");
	/* Not JSON numbers: written as strings, never as bad JSON. */
	CHECK_STR(json_value("007", 3, true), "\"007\"");
	CHECK_STR(json_value(".5", 2, true), "\".5\"");
	CHECK_STR(json_value("5.", 2, true), "\"5.\"");
	CHECK_STR(json_value("+1", 2, true), "\"+1\"");
	CHECK_STR(json_value("1e", 2, true), "\"1e\"");
	CHECK_STR(json_value("inf", 3, false), "\"inf\"");
}

static void
test_wider_than_header(void)
{
	struct pf_field f[] = { { "1", 1 }, { "b", 1 }, { "x\ty", 3 } };
	struct pf_field empty[] = { { "", 0 } };
	struct pf_output o;
	struct pf_buf b = { 0 };

	pf_output_init(&o, PF_JSONL, ',', names2, 1);
	pf_output_record(&o, &b, f, NULL, 3);
	CHECK_BYTES(b.data, b.len, "{\"a\":1,\"2\":\"b\",\"3\":\"x\\ty\"}\n");
	b.len = 0;
	pf_output_extra(&o, &b, true, 7, "z", 1, PF_JSON_AUTO);
	pf_output_extra(&o, &b, false, 8, "", 0, PF_JSON_AUTO);
	pf_output_end(&o, &b, 2);
	CHECK_BYTES(b.data, b.len, "{\"7\":\"z\",\"8\":\"\"}\n");
	pf_output_free(&o);
	pf_output_init(&o, PF_TSV, '\t', names2, 1);
	b.len = 0;
	pf_output_record(&o, &b, f, NULL, 3);
	CHECK_BYTES(b.data, b.len, "1\tb\tx\\ty\n");
	pf_output_free(&o);
	/* One empty field under a wide header is still not an empty line. */
	pf_output_init(&o, PF_CSV, ',', names2, 2);
	b.len = 0;
	pf_output_record(&o, &b, empty, NULL, 1);
	pf_output_record(&o, &b, f, NULL, 3);
	CHECK_BYTES(b.data, b.len, "\"\"\n1,b,x\ty\n");
	pf_buf_free(&b);
	pf_output_free(&o);
}

int
main(void)
{
	UNIT_RUN(test_csv_quotes_only_when_it_must);
	UNIT_RUN(test_csv_lone_empty_field);
	UNIT_RUN(test_tsv_escapes);
	UNIT_RUN(test_jsonl);
	UNIT_RUN(test_lines_and_header);
	UNIT_RUN(test_whole_record);
	UNIT_RUN(test_jsonl_utf8);
	UNIT_RUN(test_jsonl_control_bytes);
	UNIT_RUN(test_jsonl_every_position);
	UNIT_RUN(test_jsonl_numbers);
	UNIT_RUN(test_jsonl_kinds);
	UNIT_RUN(test_wider_than_header);
	return UNIT_DONE();
}
