/*
 * expr_select.c - the selection items of pmap's column list: the forms
 * that pick input fields rather than compute a value, written so that
 * none of them can be read as an expression:
 *
 *   3  $3              a field by 1-based position (as -k reads it)
 *   a..b  2..4         the fields from a to b by position, inclusive, both
 *                      ends a name, {any name}, N or $N; reversed when b
 *                      comes before a; `a..` runs to the last field and
 *                      `..b` from the first
 *   /re/flags          the fields whose names match the regex
 *   old as new         field old under the name new (`AS` too)
 *   -SEL               removes columns: -name, -{any name}, -3, -a..b,
 *                      -/re/ (a regex here matches the columns so far)
 *
 * A plain name (`origin`) stays an expression: expr_columns.c treats an
 * expression that is only a field as a selection of it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr/expr_parser.h"
#include "support/xalloc.h"

/* A field reference as typed: name, {name}, N, $N or $name. */
struct ref {
	size_t	pos, len;	/* the typed text, for messages */
	size_t	name, name_len;	/* the name or digits inside it */
};

static size_t
skip_blanks(const char *s, size_t i, size_t end)
{
	while (i < end && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
	    s[i] == '\r'))
		i++;
	return i;
}

/* Scans a reference at i; returns the index after it, or i if none. */
static size_t
scan_ref(const char *s, size_t i, size_t end, struct ref *r)
{
	size_t j = i;

	r->pos = i;
	if (j < end && s[j] == '{') {
		while (j < end && s[j] != '}')
			j++;
		if (j >= end || j == i + 1)
			return i;
		r->name = i + 1;
		r->name_len = j - i - 1;
		r->len = j + 1 - i;
		return j + 1;
	}
	if (j < end && s[j] == '$')
		j++;
	r->name = j;
	if (j < end && lex_is_digit(s[j]))
		while (j < end && lex_is_digit(s[j]))
			j++;
	else if (j < end && lex_is_ident_start(s[j]))
		while (j < end && lex_is_ident_char(s[j]))
			j++;
	else
		return i;
	r->name_len = j - r->name;
	r->len = j - i;
	return j;
}

/* Fails with the unknown-field message for ref r. */
static int
unknown_ref(const char *src, const struct ref *r,
    const struct pf_schema *schema, struct pf_expr_error *err)
{
	pf_field_unknown_text(schema, src + r->pos, r->len, NULL, err->msg,
	    sizeof(err->msg));
	err->pos = r->pos;
	return -1;
}

/* The 0-based field of r, or -1 after filling err. */
static long
resolve(const char *src, const struct ref *r,
    const struct pf_schema *schema, struct pf_expr_error *err)
{
	long f = pf_schema_find(schema, src + r->name, r->name_len);

	if (f < 0) {
		unknown_ref(src, r, schema, err);
		return -1;
	}
	return f;
}

static void
add_field(struct selection *sel, long f)
{
	sel->fields = pf_xrealloc(sel->fields,
	    (sel->nfields + 1) * sizeof(*sel->fields));
	sel->fields[sel->nfields++] = f;
}

/* The field of ref a (nothing to check on a schema of any name). */
static int
one_field(const char *src, const struct ref *a,
    const struct pf_schema *schema, struct selection *sel,
    struct pf_expr_error *err)
{
	long f;

	if (schema->any_name)
		return 1;
	if ((f = resolve(src, a, schema, err)) < 0)
		return -1;
	add_field(sel, f);
	return 1;
}

/* A range a..b (either end may be missing): its fields, in order. */
static int
range_fields(const char *src, const struct ref *a, const struct ref *b,
    const struct pf_schema *schema, struct selection *sel,
    struct pf_expr_error *err)
{
	long from = 0, to, f;

	if (schema->any_name)
		return 1;	/* no header to count: nothing to check */
	to = (long)schema->nfields - 1;
	if (a->len > 0 && (from = resolve(src, a, schema, err)) < 0)
		return -1;
	if (b->len > 0 && (to = resolve(src, b, schema, err)) < 0)
		return -1;
	if (from <= to)
		for (f = from; f <= to; f++)
			add_field(sel, f);
	else
		for (f = from; f >= to; f--)
			add_field(sel, f);
	return 1;
}

/*
 * The fields a regex selects: those of the schema whose names it
 * matches ($0 of a bare regex, expr.h, is here the name).
 */
static int
regex_fields(const char *src, size_t at, size_t len,
    const struct pf_schema *schema, struct selection *sel,
    struct pf_expr_error *err)
{
	struct pf_eval *ev;
	size_t f;

	sel->regex = parse_compile_at(src + at, len, at, schema, err);
	if (sel->regex == NULL)
		return -1;
	if (sel->remove)
		return 1;	/* matched against the columns: columns.c */
	ev = pf_eval_new();
	for (f = 0; f < schema->nfields; f++)
		if (select_regex_matches(ev, sel->regex, schema->names[f]))
			add_field(sel, (long)f);
	pf_eval_free(ev);
	if (sel->nfields == 0 && !schema->any_name) {
		snprintf(err->msg, sizeof(err->msg), "no field matches %.*s",
		    (int)(len > 64 ? 64 : len), src + at);
		err->pos = at;
		return -1;
	}
	return 1;
}

bool
select_regex_matches(struct pf_eval *ev, const struct pf_expr *re,
    const char *name)
{
	struct pf_record rec = { .raw = name, .raw_len = strlen(name) };
	struct pf_value v;

	pf_eval_reset(ev);
	pf_eval(ev, re, &rec, &v);
	return pf_value_truthy(&v);
}

/* The word `as` (either case) between blanks at i; the index after it. */
static size_t
as_word(const char *s, size_t i, size_t end)
{
	size_t j = skip_blanks(s, i, end);

	if (j == i || j + 2 > end || (s[j] != 'a' && s[j] != 'A') ||
	    (s[j + 1] != 's' && s[j + 1] != 'S'))
		return i;
	if (j + 2 < end && lex_is_ident_char(s[j + 2]))
		return i;
	return j + 2;
}

int
select_parse(const char *src, size_t start, size_t len,
    const struct pf_schema *schema, struct selection *sel,
    struct pf_expr_error *err)
{
	size_t end = start + len, i = start, j;
	struct ref a = { 0 }, b = { 0 }, to = { 0 };
	struct parser p = { .src = src, .len = end, .cur = start,
	    .lenient = true };

	memset(sel, 0, sizeof(*sel));
	if (i < end && src[i] == '-') {
		sel->remove = true;
		i++;
	}
	if (i < end && src[i] == '/') {
		p.cur = i;
		lex_next(&p);
		if (p.tok.kind != T_REGEX || p.tok.pos + p.tok.len != end)
			return 0;
		sel->kind = SEL_REGEX;
		return regex_fields(src, i, end - i, schema, sel, err);
	}
	j = scan_ref(src, i, end, &a);
	if (j + 1 < end && src[j] == '.' && src[j + 1] == '.') {
		size_t k = scan_ref(src, j + 2, end, &b);

		if (k != end || (j == i && k == j + 2))
			return 0;	/* not a range: "..", "a..b c" */
		sel->kind = SEL_FIELDS;
		return range_fields(src, &a, &b, schema, sel, err);
	}
	if (j == i)
		return 0;
	if (j == end) {
		bool digits = src[a.pos] != '{' && lex_is_digit(src[a.name]);

		/* A name or $N alone is an expression (columns.c). */
		if (!sel->remove && (!digits || src[a.pos] == '$'))
			return 0;
		sel->kind = SEL_FIELDS;
		if (!digits) {
			sel->name = pf_xstrndup(src + a.name, a.name_len);
			return 1;	/* removed by column name: columns.c */
		}
		return one_field(src, &a, schema, sel, err);
	}
	/* old as new */
	if (sel->remove || (i = as_word(src, j, end)) == j)
		return 0;
	i = skip_blanks(src, i, end);
	if (i == end || scan_ref(src, i, end, &to) != end ||
	    src[to.pos] == '$' || (src[to.pos] != '{' &&
	    !lex_is_ident_start(src[to.pos])))
		return 0;
	sel->kind = SEL_RENAME;
	sel->name = pf_xstrndup(src + to.name, to.name_len);
	return one_field(src, &a, schema, sel, err);
}

void
select_free(struct selection *sel)
{
	free(sel->fields);
	free(sel->name);
	if (sel->regex != NULL)
		pf_expr_free(sel->regex);
	memset(sel, 0, sizeof(*sel));
}
