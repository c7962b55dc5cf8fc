/*
 * expr_columns.c - column lists (pf_projection: "a, b=expr, -c") and
 * splitting a list at its top-level commas.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr/expr_parser.h"
#include "support/xalloc.h"

struct span {
	size_t	start, len;
};

/* Splits src at top-level commas into trimmed spans; returns the count. */
static size_t
split_spans(const char *src, struct span **out)
{
	struct parser p = { .src = src, .len = strlen(src), .lenient = true };
	struct span *spans = NULL;
	size_t n = 0, start = 0, end = 0;
	int depth = 0;

	/* Lenient lexing never fails: no setjmp needed. */
	if (lex_skip_space(&p, 0) == p.len) {
		*out = NULL;
		return 0;
	}
	for (;;) {
		lex_next(&p);
		if (p.tok.kind == T_END ||
		    (p.tok.kind == T_COMMA && depth == 0)) {
			spans = pf_xrealloc(spans, (n + 1) * sizeof(*spans));
			start = lex_skip_space(&p, start);
			spans[n].start = start;
			spans[n].len = end > start ? end - start : 0;
			n++;
			if (p.tok.kind == T_END)
				break;
			start = end = p.cur;
			continue;
		}
		if (p.tok.kind == T_LPAREN)
			depth++;
		else if (p.tok.kind == T_RPAREN && depth > 0)
			depth--;
		end = p.tok.pos + p.tok.len;
	}
	*out = spans;
	return n;
}

size_t
pf_expr_split_list(const char *src, char ***items)
{
	struct span *spans;
	size_t n = split_spans(src, &spans), i;

	*items = pf_xmalloc(n * sizeof(**items));
	for (i = 0; i < n; i++)
		(*items)[i] = pf_xstrndup(src + spans[i].start, spans[i].len);
	free(spans);
	return n;
}

long
pf_projection_max_field(const struct pf_projection *pr)
{
	long last = -1, f;
	size_t i;

	for (i = 0; i < pr->ncols; i++) {
		f = pr->cols[i].field >= 0 ? pr->cols[i].field :
		    pf_expr_max_field(pr->cols[i].expr);
		if (f > last)
			last = f;
	}
	return last;
}

void
pf_projection_free(struct pf_projection *pr)
{
	size_t i;

	if (pr == NULL)
		return;
	for (i = 0; i < pr->ncols; i++) {
		free(pr->cols[i].name);
		pf_expr_free(pr->cols[i].expr);
	}
	free(pr->cols);
	free(pr);
}

static struct pf_column *
add_column(struct pf_projection *pr)
{
	struct pf_column *c;

	pr->cols = pf_xrealloc(pr->cols, (pr->ncols + 1) * sizeof(*pr->cols));
	c = &pr->cols[pr->ncols++];
	memset(c, 0, sizeof(*c));
	c->field = -1;
	return c;
}

/* The name a field column gets: its header name, or its position. */
static char *
field_name(const struct pf_schema *schema, long field)
{
	char buf[32];

	if (schema && (size_t)field < schema->nfields)
		return pf_xstrdup(schema->names[field]);
	snprintf(buf, sizeof(buf), "%ld", field + 1);
	return pf_xstrdup(buf);
}

/*
 * Reads a column name at the parser's position: an identifier or {any
 * name}. Returns it (malloc'd), the parser past it, or NULL.
 */
static char *
name_token(struct parser *p)
{
	struct token name;

	lex_next(p);
	name = p->tok;
	if (name.kind != T_IDENT && !(name.kind == T_BRACE && name.len > 2 &&
	    p->src[name.pos + name.len - 1] == '}'))
		return NULL;
	lex_next(p);
	if (name.kind == T_BRACE)
		return pf_xstrndup(p->src + name.pos + 1, name.len - 2);
	return pf_xstrndup(p->src + name.pos, name.len);
}

/*
 * If span s starts with `name =` (an identifier or {any name}, then a
 * single '='), returns the name and sets *expr_at past the '='.
 */
static char *
column_name(const char *src, const struct span *s, size_t *expr_at)
{
	struct parser p = { .src = src, .len = s->start + s->len,
	    .cur = s->start, .lenient = true };
	char *name = name_token(&p);

	if (name != NULL && p.tok.kind != T_ASSIGN) {
		free(name);
		return NULL;
	}
	if (name != NULL)
		*expr_at = p.cur;
	return name;
}

/* If span s is `-NAME` (an identifier or {any name}), returns NAME. */
static char *
removed_name(const char *src, const struct span *s)
{
	struct parser p = { .src = src, .len = s->start + s->len,
	    .cur = s->start + 1, .lenient = true };
	char *name;

	if (s->len < 2 || src[s->start] != '-')
		return NULL;
	name = name_token(&p);
	if (name != NULL && p.tok.kind != T_END) {
		free(name);
		return NULL;
	}
	return name;
}

/* The index of the column called name, or -1. */
static long
find_column(const struct pf_projection *pr, const char *name)
{
	size_t i;

	for (i = 0; i < pr->ncols; i++)
		if (strcmp(pr->cols[i].name, name) == 0)
			return (long)i;
	return -1;
}

static void
remove_column(struct pf_projection *pr, size_t i)
{
	free(pr->cols[i].name);
	if (pr->cols[i].expr != NULL)
		pf_expr_free(pr->cols[i].expr);
	memmove(&pr->cols[i], &pr->cols[i + 1],
	    (pr->ncols - i - 1) * sizeof(*pr->cols));
	pr->ncols--;
	if (pr->has_rest && i < pr->rest_at)
		pr->rest_at--;
}

/*
 * pmap's edits: `-NAME` removes column NAME (an error when there is
 * none; but `*` of a schema of any name, record.h, may have had it).
 * Returns 1 when span s was such an edit, 0 when it is not one, -1 on an
 * error (in err).
 */
static int
remove_edit(struct pf_projection *pr, const struct pf_schema *schema,
    const char *src, const struct span *s, struct pf_expr_error *err)
{
	char *name = removed_name(src, s);
	bool star_unknown;
	long i;

	if (name == NULL)
		return 0;
	star_unknown = pr->has_rest && schema != NULL && schema->any_name;
	if ((i = find_column(pr, name)) < 0 && !star_unknown) {
		snprintf(err->msg, sizeof(err->msg), "no column '%s' to "
		    "remove", name);
		err->pos = s->start;
		free(name);
		return -1;
	}
	if (i >= 0)
		remove_column(pr, (size_t)i);
	free(name);
	return 1;
}

static struct pf_projection *
compile_columns(const char *src, const struct pf_schema *schema,
    struct pf_expr_error *err, bool edits)
{
	struct pf_projection *pr = pf_xcalloc(1, sizeof(*pr));
	struct span *spans;
	size_t n = split_spans(src, &spans), i, f;
	long at_col;
	int edit;

	if (n == 0) {
		snprintf(err->msg, sizeof(err->msg), "empty expression");
		err->pos = 0;
		goto fail;
	}
	for (i = 0; i < n; i++) {
		const struct span *s = &spans[i];
		size_t at = s->start, end = s->start + s->len;
		char *name = column_name(src, s, &at);
		struct pf_column *c;
		struct pf_expr *e;

		if (name == NULL && s->len == 1 && src[s->start] == '*') {
			for (f = 0; schema && f < schema->nfields; f++) {
				char ref[32];

				snprintf(ref, sizeof(ref), "$%zu", f + 1);
				c = add_column(pr);
				c->name = pf_xstrdup(schema->names[f]);
				c->expr = parse_compile_at(ref, strlen(ref), s->start,
				    schema, err);
				c->field = (long)f;
				c->star = true;
			}
			pr->rest_at = pr->ncols;
			pr->has_rest = true;
			continue;
		}
		if (edits && name == NULL &&
		    (edit = remove_edit(pr, schema, src, s, err)) != 0) {
			if (edit < 0)
				goto fail;
			continue;
		}
		if (s->len == 0 || (name && at >= end)) {
			free(name);
			snprintf(err->msg, sizeof(err->msg), "empty column");
			err->pos = name ? end : s->start;
			goto fail;
		}
		e = parse_compile_at(src + at, end - at, at, schema, err);
		if (e == NULL) {
			free(name);
			goto fail;
		}
		if (edits && name != NULL &&
		    (at_col = find_column(pr, name)) >= 0) {
			/* An existing column: replaced in place. */
			c = &pr->cols[at_col];
			pf_expr_free(c->expr);
			c->expr = e;
			c->field = pf_expr_field(e);
			c->star = false;
			free(name);
			continue;
		}
		c = add_column(pr);
		c->expr = e;
		c->field = pf_expr_field(e);
		if (name)
			c->name = name;
		else if (c->field >= 0)
			c->name = field_name(schema, c->field);
		else
			c->name = pf_xstrndup(src + s->start, s->len);
	}
	free(spans);
	return pr;
fail:
	free(spans);
	pf_projection_free(pr);
	return NULL;
}

struct pf_projection *
pf_projection_compile(const char *src, const struct pf_schema *schema,
    struct pf_expr_error *err)
{
	return compile_columns(src, schema, err, false);
}

struct pf_projection *
pf_projection_compile_columns(const char *src, const struct pf_schema *schema,
    struct pf_expr_error *err)
{
	return compile_columns(src, schema, err, true);
}
