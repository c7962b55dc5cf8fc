/*
 * test_record.c - the batch cutter (chunk.c) and field splitter
 * (record.c), with libcsv as the reference parser for random CSV.
 */
#include <csv.h>
#include <stdlib.h>
#include <string.h>

#include "csv/chunk.h"
#include "csv/record.h"
#include "support/suggest.h"
#include "unit.h"

static const struct pf_dialect csv = { PF_CSV, ',', true };
static const struct pf_dialect tsv = { PF_TSV, '\t', true };
static const struct pf_dialect plain = { PF_LINES, '\0', false };

/* Splits text (copied, with the sentinel) and renders each record as
 * "f1|f2|...;" with status marks, to compare as one string. */
static char *
render(const struct pf_dialect *d, const char *text, size_t *total_lines)
{
	static char out[4096];
	struct pf_splitter sp = { 0 };
	struct pf_record rec;
	enum pf_split_status st;
	size_t len = strlen(text), lines, i, n = 0;
	struct pf_buf b = { 0 };
	const char *p, *next, *copy;

	pf_buf_add(&b, text, len);
	pf_split_pad(&b);
	copy = b.data;
	*total_lines = 0;
	out[0] = '\0';
	for (p = copy; (next = pf_split_next(&sp, d, p, copy + len, &rec,
	    &lines, &st)) != NULL; p = next) {
		*total_lines += lines;
		if (st == PF_SPLIT_BAD_QUOTE)
			n += (size_t)snprintf(out + n, sizeof(out) - n, "BAD<%.*s>;",
			    (int)rec.raw_len, rec.raw);
		else if (st == PF_SPLIT_UNTERMINATED)
			n += (size_t)snprintf(out + n, sizeof(out) - n, "OPEN<%.*s>;",
			    (int)rec.raw_len, rec.raw);
		else {
			for (i = 0; i < rec.nfields; i++)
				n += (size_t)snprintf(out + n, sizeof(out) - n,
				    "%s%.*s", i ? "|" : "", (int)rec.fields[i].len,
				    rec.fields[i].ptr);
			n += (size_t)snprintf(out + n, sizeof(out) - n, ";");
		}
	}
	*total_lines += lines;
	pf_splitter_free(&sp);
	pf_buf_free(&b);
	return out;
}

static void
test_split_plain(void)
{
	size_t lines;

	CHECK_STR(render(&csv, "a,b,c\n1,2,3\n", &lines), "a|b|c;1|2|3;");
	CHECK(lines == 2);
	CHECK_STR(render(&csv, "a,b\n1,2", &lines), "a|b;1|2;");
	CHECK(lines == 1);
	CHECK_STR(render(&csv, "a,,\n,,\n", &lines), "a||;||;");
	CHECK_STR(render(&csv, "a,b\r\n1,2\r\n", &lines), "a|b;1|2;");
	CHECK_STR(render(&csv, "a\n\n\r\nb\n", &lines), "a;b;");
	CHECK(lines == 4);
}

static void
test_split_quoted(void)
{
	size_t lines;

	CHECK_STR(render(&csv, "\"a,b\",c\n", &lines), "a,b|c;");
	CHECK_STR(render(&csv, "\"say \"\"hi\"\"\",x\n", &lines),
	    "say \"hi\"|x;");
	CHECK_STR(render(&csv, "\"two\nlines\",x\ny,z\n", &lines),
	    "two\nlines|x;y|z;");
	CHECK(lines == 3);
	CHECK_STR(render(&csv, "\"\",\"\"\n", &lines), "|;");
	CHECK_STR(render(&csv, "\"a\"\r\n\"b\"", &lines), "a;b;");
	CHECK_STR(render(&csv, "\"a\"\"\",\"b\"\"c\"\"\"\n", &lines),
	    "a\"|b\"c\";");
}

static void
test_split_malformed(void)
{
	size_t lines;

	/* A quote inside an unquoted field is data, as Python's csv reads it. */
	CHECK_STR(render(&csv, "a,b\"c,d\nx,y\n", &lines), "a|b\"c|d;x|y;");
	CHECK_STR(render(&csv, "a,b\"c\"d\nx,y\n", &lines), "a|b\"c\"d;x|y;");
	CHECK_STR(render(&csv, "x\"\n\"y,z\"\n", &lines), "x\";y,z;");
	/* Text after a closing quote: malformed, its quotes are data. */
	CHECK_STR(render(&csv, "\"ab\"c,d\nx\n", &lines), "BAD<\"ab\"c,d>;x;");
	CHECK_STR(render(&csv, "\"ab\"c\"d\nx\n", &lines), "BAD<\"ab\"c\"d>;x;");
	/* An unterminated quote costs the line where it opens. */
	CHECK_STR(render(&csv, "x\n\"open\n", &lines), "x;OPEN<\"open>;");
	CHECK(lines == 2);
	CHECK_STR(render(&csv, "a,\"b\nc,d\ne,f", &lines), "OPEN<a,\"b>;c|d;e|f;");
	CHECK(lines == 2);
	CHECK_STR(render(&csv, "\"m\nn\",\"o\np,q\n", &lines),
	    "OPEN<\"m\nn\",\"o>;p|q;");
	CHECK(lines == 3);
	CHECK_STR(render(&csv, "\"ab\"c,\"d\ne\n", &lines), "OPEN<\"ab\"c,\"d>;e;");
}

static void
test_split_tsv_and_lines(void)
{
	size_t lines;
	struct pf_dialect semi = { PF_LINES, ';', false };

	CHECK_STR(render(&tsv, "a\t\"b\tc\n", &lines), "a|\"b|c;");
	CHECK_STR(render(&plain, "a,b\n\nc\r\n", &lines), "a,b;;c;");
	CHECK_STR(render(&semi, "a;b\n", &lines), "a|b;");
}

/*
 * One splitter, one buffer used again for other bytes of the same length
 * (as a batch pool does): what the splitter kept of the first walk (the
 * masks after its last record, a run) must not serve the second. The
 * first buffer ends in empty lines, skipped without a record; the second
 * holds a record where the first had an empty line.
 */
static void
test_buffer_used_again(void)
{
	static const char *const first[] = { "D\x04\n\n", "a,b\nc,d\n", "x\n\n\n\n\n" };
	static const char *const second[] = { "\r\n\n1", "e,f\ng,h\n", "\n\ny,z\n" };
	struct pf_splitter sp = { 0 };
	struct pf_record rec;
	enum pf_split_status st;
	char buf[16 + PF_SPLIT_PAD], got[64];
	const char *p, *end;
	size_t i, lines, total, n;

	for (i = 0; i < 3; i++) {
		size_t len = strlen(first[i]);

		CHECK(strlen(second[i]) == len);
		memset(buf, 0, sizeof(buf));
		memcpy(buf, first[i], len);
		buf[len] = '\n';
		end = buf + len;
		for (p = buf; (p = pf_split_next(&sp, &csv, p, end, &rec,
		    &lines, &st)) != NULL;)
			;
		memcpy(buf, second[i], len);
		got[0] = '\0';
		total = n = 0;
		for (p = buf; (p = pf_split_next(&sp, &csv, p, end, &rec,
		    &lines, &st)) != NULL; total += lines)
			n += (size_t)snprintf(got + n, sizeof(got) - n,
			    "%.*s;", (int)rec.raw_len, rec.raw);
		total += lines;
		CHECK_STR(got, i == 0 ? "1;" : i == 1 ? "e,f;g,h;" : "y,z;");
		CHECK(total == (i == 2 ? 3 : 2));
	}
	pf_splitter_free(&sp);
}

/* --tsv decodes \t \n \r \\ where fields are split; other \x stays. */
static void
test_split_tsv_escapes(void)
{
	struct pf_dialect bs = { PF_TSV, '\\', false };
	size_t lines;

	CHECK_STR(render(&tsv, "a\\tb\tc\\\\d\n", &lines), "a\tb|c\\d;");
	CHECK_STR(render(&tsv, "x\\qy\t\\\n", &lines), "x\\qy|\\;");
	CHECK_STR(render(&tsv, "\\n\\r\t\\\\n\r\n", &lines), "\n\r|\\n;");
	CHECK(lines == 1);
	CHECK_STR(render(&tsv, "p\tq\nr\\t\ts\n", &lines), "p|q;r\t|s;");
	CHECK_STR(render(&tsv, "0123456789abcdef0123\t1\\n2\t3\t4",
	    &lines), "0123456789abcdef0123|1\n2|3|4;");
	CHECK_STR(render(&tsv, "\\\\\\t\\x\t\t\\", &lines), "\\\t\\x||\\;");
	/* A backslash delimiter is only a delimiter. */
	CHECK_STR(render(&bs, "a\\tb\n", &lines), "a|tb;");
}

static void
test_chunk_cut(void)
{
	const char *s = "a,\"x\ny\"\nb,c\n\"open\n";
	char buf[91];

	CHECK(pf_chunk_cut(&csv, s, strlen(s)) == 12);
	CHECK(pf_chunk_cut(&csv, "abc", 3) == 0);
	CHECK(pf_chunk_cut(&csv, "a\nb", 3) == 2);
	CHECK(pf_chunk_cut(&csv, "\"a\nb", 4) == 0);
	CHECK(pf_chunk_cut(&plain, "\"a\nb", 4) == 3);
	/* Quotes inside unquoted fields are data, also past 64 bytes. */
	CHECK(pf_chunk_cut(&csv, "x\"y\na\n", 6) == 6);
	CHECK(pf_chunk_cut(&csv, "\"a\"b\"\nc\n", 8) == 8);
	s = "12345678901234567890123456789012345678901234567890123456789,"
	    "\"q\nz\",x\"y\nb\n";
	CHECK(pf_chunk_cut(&csv, s, strlen(s)) == strlen(s));
	s = "12345678901234567890123456789012345678901234567890123456789,"
	    "\"q\nz\",\"y\nb\n";
	CHECK(pf_chunk_cut(&csv, s, strlen(s)) == 0);
	/* After a block with a stray quote, parity starts again. */
	memset(buf, 'p', sizeof(buf));
	memcpy(buf, "1,x\"y\n", 6);
	memcpy(buf + 76, ",\"m\nn\"\nc\n\"open\n", 15);
	CHECK(pf_chunk_cut(&csv, buf, 85) == 85);
	CHECK(pf_chunk_cut(&csv, buf, 91) == 85);
	CHECK(pf_chunk_cut(&csv, buf, 80) == 6);
}

/* A scan in blocks finds what one pass over the whole finds. */
static void
test_chunk_scan(void)
{
	const char *s = "a,\"x\ny\"\nb,c\n\"open\n";
	size_t len = strlen(s), split, last, got, at;
	enum pf_scan_state st;
	bool ok = true;

	for (split = 0; split <= len; split++) {
		st = PF_SCAN_START;
		last = 0;
		if ((got = pf_chunk_scan(&csv, s, split, &st)) > 0)
			last = got;
		if ((got = pf_chunk_scan(&csv, s + split, len - split,
		    &st)) > 0)
			last = split + got;
		at = pf_chunk_cut(&csv, s, len);
		/* "open is unterminated */
		ok = ok && last == at && st == PF_SCAN_QUOTED;
	}
	CHECK(ok);
	st = PF_SCAN_QUOTED;	/* inside quotes: no LF is a boundary */
	CHECK(pf_chunk_scan(&csv, "a\nb\n", 4, &st) == 0 &&
	    st == PF_SCAN_QUOTED);
	CHECK(pf_chunk_scan(&csv, "x\"\na\n", 5, &st) == 5 &&
	    st == PF_SCAN_START);
	st = PF_SCAN_UNQUOTED;	/* a quote after data is data */
	CHECK(pf_chunk_scan(&csv, "\"\na,", 4, &st) == 2 &&
	    st == PF_SCAN_START);
	st = PF_SCAN_CLOSED;	/* "" inside a quoted field */
	CHECK(pf_chunk_scan(&csv, "\"\na\"\n", 5, &st) == 5 &&
	    st == PF_SCAN_START);
	CHECK(pf_chunk_scan(&csv, "ab", 2, &st) == 0 &&
	    st == PF_SCAN_UNQUOTED);
	st = PF_SCAN_START;	/* lines: quotes are text */
	CHECK(pf_chunk_scan(&plain, "\"a\nb", 4, &st) == 3);
}

/* Records counted for count triggers end where the splitter ends them. */
static void
test_chunk_records(void)
{
	const char *s = "a\nc,x\"y\n\"b\nc\"\n\nf";
	const char *open = "a\n\"b\nc\nd\n";
	size_t end;

	CHECK(pf_chunk_records(&csv, s, strlen(s), 10, &end) == 4 &&
	    end == strlen(s));
	CHECK(pf_chunk_records(&csv, s, strlen(s), 2, &end) == 2 && end == 8);
	CHECK(pf_chunk_records(&csv, s, strlen(s), 3, &end) == 3 && end == 14);
	/* An unterminated quote: its line is a record, then the next line. */
	CHECK(pf_chunk_records(&csv, open, strlen(open), 10, &end) == 4);
	CHECK(pf_chunk_records(&csv, open, strlen(open), 2, &end) == 2 &&
	    end == 5);
	CHECK(pf_chunk_records(&plain, open, strlen(open), 10, &end) == 4);
}

/* CR-only line ends are found in a file's first record. */
static void
test_chunk_cr_only(void)
{
	CHECK(pf_chunk_cr_only(&csv, "a,b\r1,2\r", 8));
	CHECK(!pf_chunk_cr_only(&csv, "a,b\r\n1,2\r\n", 10));
	CHECK(!pf_chunk_cr_only(&csv, "\"a\rb\",c\n1,2\r3", 13));
	CHECK(!pf_chunk_cr_only(&csv, "a,b\n1,2\r3", 9));
	CHECK(!pf_chunk_cr_only(&csv, "a,b\r", 4));	/* LF may follow */
	CHECK(pf_chunk_cr_only(&tsv, "a\tb\r1\t2\r", 8));
	CHECK(pf_chunk_cr_only(&plain, "x\ry\r", 4));
	CHECK(!pf_chunk_cr_only(&plain, "x\ry\nz\n", 6));
}

/* libcsv's view of a buffer, rendered like render() does. */
struct ref {
	char	out[8192];
	size_t	n;
	int	field;
};

static void
ref_field(void *s, size_t len, void *data)
{
	struct ref *r = data;

	r->n += (size_t)snprintf(r->out + r->n, sizeof(r->out) - r->n, "%s%.*s",
	    r->field++ ? "|" : "", (int)len, (const char *)s);
}

static void
ref_record(int c, void *data)
{
	struct ref *r = data;

	(void)c;
	r->n += (size_t)snprintf(r->out + r->n, sizeof(r->out) - r->n, ";");
	r->field = 0;
}

/*
 * Random well-formed CSV, split in random batches at pf_chunk_cut()
 * boundaries, must give libcsv's (strict mode) records exactly.
 */
static void
test_random_against_libcsv(void)
{
	static const char *pieces[] = { "a", "bc", ",", "\n", "\r\n", "\"q,\"",
	    "\"x\"\"y\"", "\"l\nm\"", "", "z z" };
	struct csv_parser parser;
	struct ref ref;
	char text[2048], mine[8192];
	struct pf_buf buf = { 0 };
	size_t len, pos, cut, lines, mn, round, i;
	struct pf_splitter sp = { 0 };
	struct pf_record rec;
	enum pf_split_status st;
	const char *p, *next;

	srand(7);
	for (round = 0; round < 2000; round++) {
		/* Records of 1-4 fields from pieces, never an empty line. */
		len = 0;
		for (i = 0; i < 12; i++) {
			int fields = 1 + rand() % 4, f;

			for (f = 0; f < fields; f++) {
				const char *piece = pieces[rand() % 10];

				if (strchr(piece, '\n') && piece[0] != '"')
					piece = "w";
				if (strcmp(piece, ",") == 0)
					piece = "v";
				len += (size_t)snprintf(text + len, sizeof(text) - len,
				    "%s%s", f ? "," : "", *piece ? piece : "e");
			}
			len += (size_t)snprintf(text + len, sizeof(text) - len,
			    "%s", rand() % 2 ? "\n" : "\r\n");
		}
		memset(&ref, 0, sizeof(ref));
		csv_init(&parser, CSV_STRICT);
		csv_parse(&parser, text, len, ref_field, ref_record, &ref);
		csv_fini(&parser, ref_field, ref_record, &ref);
		csv_free(&parser);

		/* Mine, in random batches. */
		mn = 0;
		mine[0] = '\0';
		for (pos = 0; pos < len; pos += cut) {
			size_t want = 1 + (size_t)rand() % 64;

			if (want > len - pos)
				want = len - pos;
			while ((cut = pf_chunk_cut(&csv, text + pos, want)) == 0 &&
			    want < len - pos)
				want++;
			if (cut == 0)
				cut = len - pos;
			buf.len = 0;
			pf_buf_add(&buf, text + pos, cut);
			pf_split_pad(&buf);
			for (p = buf.data; (next = pf_split_next(&sp, &csv, p,
			    buf.data + cut,
			    &rec, &lines, &st)) != NULL; p = next) {
				CHECK(st == PF_SPLIT_OK);
				for (i = 0; i < rec.nfields; i++)
					mn += (size_t)snprintf(mine + mn,
					    sizeof(mine) - mn, "%s%.*s", i ? "|" : "",
					    (int)rec.fields[i].len, rec.fields[i].ptr);
				mn += (size_t)snprintf(mine + mn, sizeof(mine) - mn,
				    ";");
			}
		}
		if (strcmp(mine, ref.out) != 0) {
			printf("# input: %s\n# mine: %s\n# libcsv: %s\n", text,
			    mine, ref.out);
			CHECK(!"differs from libcsv");
			break;
		}
	}
	pf_splitter_free(&sp);
	pf_buf_free(&buf);
}

static void
test_schema(void)
{
	char *names[] = { "id", "elevation ft", "3" };
	struct pf_schema s = { .nfields = 3, .names = names,
	    .has_header = true };
	struct pf_schema none = { .nfields = 2, .names = names,
	    .has_header = false };
	struct pf_schema any = { .any_name = true };	/* empty input */

	CHECK(pf_schema_find(&s, "id", 2) == 0);
	CHECK(pf_schema_find(&s, "elevation ft", 12) == 1);
	CHECK(pf_schema_find(&s, "3", 1) == 2);	/* a name wins */
	CHECK(pf_schema_find(&s, "2", 1) == 1);
	CHECK(pf_schema_find(&s, "4", 1) == -1);
	CHECK(pf_schema_find(&s, "nope", 4) == -1);
	CHECK(pf_schema_find(&none, "9", 1) == 8);
	CHECK(pf_schema_find(&none, "nope", 4) == -1);
	/* Any name is a field; positions are what they say, any of them. */
	CHECK(pf_schema_find(&any, "nope", 4) == 0);
	CHECK(pf_schema_find(&any, "a +", 3) == 0);
	CHECK(pf_schema_find(&any, "12", 2) == 11);
	CHECK(pf_field_lookup(&any, "{a:b}", 5) == 0);
}

/* "did you mean": distances, the nearest name, the unknown-field text. */
static void
test_unknown_field(void)
{
	static const char *const names[] = { "id", "delay", "origin",
	    "dme_latitude_deg", "Major Genre" };
	char *wide[60], msg[4096], *nl;
	struct pf_schema s = { 5, (char **)names, true, false, false };
	size_t i, lines;

	CHECK(pf_edit_distance("kitten", 6, "sitting", 7) == 3);
	CHECK(pf_edit_distance("dealy", 5, "delay", 5) == 1);
	CHECK(pf_edit_distance("", 0, "abc", 3) == 3);
	CHECK(pf_suggest("dealy", 5, names, 5) == 1);
	CHECK(pf_suggest("ORIGIN", 6, names, 5) == 2);
	CHECK(pf_suggest("dme_lat", 7, names, 5) == 3);
	CHECK(pf_suggest("Maj", 3, names, 5) == 4);
	CHECK(pf_suggest("ix", 2, names, 5) == -1);
	CHECK(pf_suggest("zzzzzz", 6, names, 5) == -1);
	CHECK(pf_suggest("id", 2, names, 5) == -1);
	pf_field_unknown_text(&s, "dealy", 5, "--time", msg, sizeof(msg));
	CHECK_STR(msg, "unknown field 'dealy' in --time; did you mean "
	    "'delay'? (fields: id, delay, origin, dme_latitude_deg, "
	    "Major Genre)");
	/* A wide header: every name, on lines of at most 76 bytes. */
	for (i = 0; i < 60; i++) {
		wide[i] = malloc(24);
		snprintf(wide[i], 24, "field_number_%zu", i);
	}
	s.names = wide;
	s.nfields = 60;
	pf_field_unknown_text(&s, "nope", 4, NULL, msg, sizeof(msg));
	CHECK(strstr(msg, "field_number_0,") != NULL);
	CHECK(strstr(msg, " field_number_59)") != NULL);
	for (lines = 0, nl = msg; (nl = strchr(nl, '\n')) != NULL; nl++)
		lines++;
	CHECK(lines >= 14);
	/* A small buffer ends the list with a count. */
	pf_field_unknown_text(&s, "nope", 4, NULL, msg, 200);
	CHECK(strlen(msg) < 200 && strstr(msg, " more)") != NULL);
	for (i = 0; i < 60; i++)
		free(wide[i]);
}

int
main(void)
{
	UNIT_RUN(test_split_plain);
	UNIT_RUN(test_split_quoted);
	UNIT_RUN(test_split_malformed);
	UNIT_RUN(test_split_tsv_and_lines);
	UNIT_RUN(test_split_tsv_escapes);
	UNIT_RUN(test_buffer_used_again);
	UNIT_RUN(test_chunk_cut);
	UNIT_RUN(test_chunk_scan);
	UNIT_RUN(test_chunk_records);
	UNIT_RUN(test_chunk_cr_only);
	UNIT_RUN(test_random_against_libcsv);
	UNIT_RUN(test_schema);
	UNIT_RUN(test_unknown_field);
	return UNIT_DONE();
}
