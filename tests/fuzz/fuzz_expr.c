/*
 * fuzz_expr.c - fuzz target for the expression language (expr_parse.c,
 * expr_eval.c, expr_func.c).
 *
 * The input, as text (at most MAXLEN bytes, so that every run is quick),
 * is compiled as an expression and as a projection (pmap's column list)
 * against a small fixed schema; whatever compiles is evaluated on a few
 * fixed records, awkward ones included (short, long, empty fields,
 * invalid UTF-8, extreme numbers). Nothing may crash, leak or hang; a
 * compile error must say something.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr/expr.h"
#include "csv/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXLEN	2048

static char *names[] = { "a", "b", "name", "elevation ft", "when" };
static const struct pf_schema schema = { .nfields = 5, .names = names,
    .has_header = true };

/* Fields of the test records, one string per record, split at '\x1f'. */
static const char *const records[] = {
	"1\x1f" "2.5\x1f" "Z\xc3\xbcrich\x1f" "-12\x1f" "2024-01-31T10:20:30Z",
	"\x1f" "abc\x1f" "\xff\xfe\xc3\x1f" "1e308\x1f" "x",
	"9223372036854775807\x1f" "-9223372036854775808\x1f" "  sp aced \x1f"
	    "0\x1f" "1970-01-01",
	"only\x1f" "two",
	"-0\x1f" "nan\x1f" "inf\x1f" "0x10\x1f" "2024-02-30 25:61\x1f" "six"
	    "\x1f" "seven",
	"",
};

static void
fail(const char *what)
{
	fprintf(stderr, "fuzz_expr: %s\n", what);
	abort();
}

/* Builds a record over text (fields split at 0x1f) into rec/fields. */
static void
make_record(const char *text, struct pf_record *rec, struct pf_field *fields,
    size_t max)
{
	const char *p = text, *sep;
	size_t n = 0;

	rec->raw = text;
	rec->raw_len = strlen(text);
	for (;;) {
		sep = strchr(p, '\x1f');
		if (n == max)
			break;
		fields[n].ptr = p;
		fields[n].len = sep ? (size_t)(sep - p) : strlen(p);
		n++;
		if (sep == NULL)
			break;
		p = sep + 1;
	}
	rec->fields = fields;
	rec->nfields = n;
	rec->order = 0;
}

static void
use_value(struct pf_eval *ev, const struct pf_value *v)
{
	const char *s;
	size_t len, i;
	volatile unsigned sum = 0;

	(void)pf_value_truthy(v);
	pf_value_text(ev, v, &s, &len);
	if (len > 0 && s == NULL)
		fail("value text is NULL");
	for (i = 0; i < len; i++)	/* every byte must be readable */
		sum += (unsigned char)s[i];
}

static void
run_expr(const struct pf_expr *e, struct pf_eval *ev)
{
	struct pf_field fields[8];
	struct pf_record rec;
	struct pf_value v;
	size_t r;

	(void)pf_expr_max_field(e);
	(void)pf_expr_uses_raw(e);
	(void)pf_expr_field(e);
	for (r = 0; r < sizeof(records) / sizeof(records[0]); r++) {
		make_record(records[r], &rec, fields, 8);
		pf_eval_reset(ev);
		pf_eval(ev, e, &rec, &v);
		use_value(ev, &v);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pf_expr_error err;
	struct pf_projection *proj;
	struct pf_expr *e;
	struct pf_eval *ev;
	char *src;
	size_t i;

	if (size > MAXLEN)
		return 0;
	src = malloc(size + 1);
	if (src == NULL)
		abort();
	memcpy(src, data, size);
	src[size] = '\0';
	ev = pf_eval_new();

	memset(&err, 0, sizeof(err));
	if ((e = pf_expr_compile(src, &schema, &err)) != NULL) {
		run_expr(e, ev);
		pf_expr_free(e);
	} else if (err.msg[0] == '\0')
		fail("compile error without a message");

	memset(&err, 0, sizeof(err));
	if ((proj = pf_projection_compile(src, &schema, &err)) != NULL) {
		for (i = 0; i < proj->ncols; i++) {
			if (proj->cols[i].name == NULL)
				fail("projection column without a name");
			run_expr(proj->cols[i].expr, ev);
		}
		pf_projection_free(proj);
	} else if (err.msg[0] == '\0')
		fail("projection error without a message");

	pf_eval_free(ev);
	free(src);
	return 0;
}
