/*
 * test_output.c - the record writer (output.c): CSV minimal quoting, TSV
 * escapes, JSON Lines, plain lines.
 */
#include <string.h>

#include "output.h"
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
	pf_output_field(&o, &b, 0, f1, strlen(f1), false);
	if (f2 != NULL)
		pf_output_field(&o, &b, 1, f2, strlen(f2), false);
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
	pf_output_field(&o, &b, 0, "3.5", 3, true);
	pf_output_field(&o, &b, 1, "", 0, true);	/* an empty number */
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
	pf_output_record(&o, &b, f, 3);
	CHECK_BYTES(b.data, b.len, "1,\"x,y\",\n");
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
	return UNIT_DONE();
}
