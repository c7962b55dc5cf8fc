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

/* An item of the list, read in the first pass. */
struct item {
	enum { ITEM_STAR, ITEM_EXPR, ITEM_SELECT } kind;
	struct span		 span;
	char			*name;		/* ITEM_EXPR: `name = ` */
	struct pf_expr		*expr;		/* ITEM_EXPR */
	struct selection	 sel;		/* ITEM_SELECT */
	bool			 rename_in_place; /* SEL_RENAME after `*` or
					   after a column of the old field */
};

/* Adds field f as a column called name (or the field's own name). */
static void
add_field_column(struct pf_projection *pr, const struct pf_schema *schema,
    long f, const char *name, bool star, size_t pos)
{
	struct pf_expr_error unused;
	struct pf_column *c = add_column(pr);
	char ref[32];

	snprintf(ref, sizeof(ref), "$%ld", f + 1);
	c->expr = parse_compile_at(ref, strlen(ref), pos, schema, &unused);
	c->field = f;
	c->name = name != NULL ? pf_xstrdup(name) : field_name(schema, f);
	c->star = star;
}

/*
 * `*`: the input fields that no other item selects (selected[f]) and
 * that are not already a column of the same name made by an item
 * before it (the input's own repeated names all stay: a, a -> a, a_2).
 */
static void
add_star(struct pf_projection *pr, const struct pf_schema *schema,
    const bool *selected, size_t pos)
{
	size_t f, before = pr->ncols;
	long c;

	for (f = 0; schema && f < schema->nfields; f++)
		if (!(selected && selected[f]) &&
		    !(selected && (c = find_column(pr, schema->names[f])) >= 0 &&
		    (size_t)c < before))
			add_field_column(pr, schema, (long)f, NULL, true, pos);
	pr->rest_at = pr->ncols;
	pr->has_rest = true;
}

/* The column names a removal item names; returns how many it removed. */
static size_t
remove_selected(struct pf_projection *pr, const struct pf_schema *schema,
    const struct selection *sel)
{
	struct pf_eval *ev;
	size_t removed = 0, i, k;
	long c;

	if (sel->kind == SEL_REGEX) {
		ev = pf_eval_new();
		for (i = pr->ncols; i-- > 0; )
			if (select_regex_matches(ev, sel->regex,
			    pr->cols[i].name)) {
				remove_column(pr, i);
				removed++;
			}
		pf_eval_free(ev);
		return removed;
	}
	if (sel->name != NULL && (c = find_column(pr, sel->name)) >= 0) {
		remove_column(pr, (size_t)c);
		return 1;
	}
	for (k = 0; k < sel->nfields; k++) {
		char *name = field_name(schema, sel->fields[k]);

		if ((c = find_column(pr, name)) >= 0) {
			remove_column(pr, (size_t)c);
			removed++;
		}
		free(name);
	}
	return removed;
}

/* Builds the columns of item it (the second pass); -1 on an error. */
static int
add_item(struct pf_projection *pr, const struct pf_schema *schema,
    struct item *it, const bool *selected, const char *src,
    struct pf_expr_error *err)
{
	const struct span *s = &it->span;
	struct pf_column *c;
	long at_col;
	size_t k;

	switch (it->kind) {
	case ITEM_STAR:
		add_star(pr, schema, selected, s->start);
		return 0;
	case ITEM_SELECT:
		if (it->sel.remove) {
			/* A schema of any name knows no field to check. */
			if (remove_selected(pr, schema, &it->sel) > 0 ||
			    ((schema == NULL || schema->any_name) && (pr->has_rest ||
			    it->sel.name == NULL)))
				return 0;
			snprintf(err->msg, sizeof(err->msg), "no column '%.*s' to "
			    "remove", (int)(s->len > 65 ? 64 : s->len - 1),
			    src + s->start + 1);
			err->pos = s->start;
			return -1;
		}
		if (it->sel.kind == SEL_RENAME && it->rename_in_place &&
		    it->sel.nfields == 1) {
			char *old = field_name(schema, it->sel.fields[0]);

			at_col = find_column(pr, old);
			free(old);
			if (at_col >= 0) {
				free(pr->cols[at_col].name);
				pr->cols[at_col].name = pf_xstrdup(it->sel.name);
				return 0;
			}
		}
		for (k = 0; k < it->sel.nfields; k++)
			add_field_column(pr, schema, it->sel.fields[k],
			    it->sel.kind == SEL_RENAME ? it->sel.name : NULL,
			    false, s->start);
		return 0;
	case ITEM_EXPR:
		break;
	}
	if (selected != NULL && it->name != NULL &&
	    (at_col = find_column(pr, it->name)) >= 0) {
		/* An existing column: replaced in place. */
		c = &pr->cols[at_col];
		pf_expr_free(c->expr);
		c->expr = it->expr;
		c->field = pf_expr_field(it->expr);
		c->star = false;
		it->expr = NULL;
		return 0;
	}
	c = add_column(pr);
	c->expr = it->expr;
	c->field = pf_expr_field(it->expr);
	it->expr = NULL;
	if (it->name != NULL) {
		c->name = it->name;
		it->name = NULL;
	} else if (c->field >= 0)
		c->name = field_name(schema, c->field);
	else
		c->name = pf_xstrndup(src + s->start, s->len);
	return 0;
}

/*
 * Reads span s into *it (the first pass); -1 on an error. With edits
 * (pmap), the selection forms of expr_select.c are read too.
 */
static int
read_item(const char *src, const struct span *s,
    const struct pf_schema *schema, bool edits, struct item *it,
    struct pf_expr_error *err)
{
	size_t at = s->start, end = s->start + s->len;
	int sel;

	memset(it, 0, sizeof(*it));
	it->span = *s;
	if (s->len == 1 && src[s->start] == '*') {
		it->kind = ITEM_STAR;
		return 0;
	}
	it->name = column_name(src, s, &at);
	if (edits && it->name == NULL && s->len > 0) {
		static const struct pf_schema any = { .any_name = true };

		sel = select_parse(src, s->start, s->len, schema ? schema :
		    &any, &it->sel, err);
		if (sel < 0) {
			select_free(&it->sel);
			return -1;
		}
		if (sel > 0) {
			it->kind = ITEM_SELECT;
			return 0;
		}
	}
	it->kind = ITEM_EXPR;
	if (s->len == 0 || (it->name && at >= end)) {
		snprintf(err->msg, sizeof(err->msg), "empty column");
		err->pos = it->name ? end : s->start;
		return -1;
	}
	it->expr = parse_compile_at(src + at, end - at, at, schema, err);
	return it->expr == NULL ? -1 : 0;
}

/* Whether item it writes field f under its own name. */
static bool
selects(const struct item *it, long f)
{
	size_t k;

	if (it->kind == ITEM_EXPR)
		return it->name == NULL && pf_expr_field(it->expr) == f;
	if (it->kind != ITEM_SELECT || it->sel.remove ||
	    it->sel.kind == SEL_RENAME)
		return false;
	for (k = 0; k < it->sel.nfields; k++)
		if (it->sel.fields[k] == f)
			return true;
	return false;
}

/*
 * Which input fields the items select, for `*` (pmap only): fields,
 * ranges, regexes, a plain field reference and a rename that is not in
 * place. A rename is in place when a `*` or a column of its field comes
 * before it.
 */
static bool *
selected_fields(struct item *items, size_t n, const struct pf_schema *schema)
{
	size_t nf = schema ? schema->nfields : 0, i, k, j;
	bool *selected = pf_xcalloc(nf + 1, sizeof(bool));
	long f;

	for (i = 0; i < n; i++) {
		struct item *it = &items[i];

		if (it->kind == ITEM_EXPR && it->name == NULL &&
		    (f = pf_expr_field(it->expr)) >= 0 && (size_t)f < nf)
			selected[f] = true;
		if (it->kind != ITEM_SELECT || it->sel.remove)
			continue;
		if (it->sel.kind == SEL_RENAME && it->sel.nfields == 1) {
			f = it->sel.fields[0];
			for (j = 0; j < i && !it->rename_in_place; j++)
				it->rename_in_place = items[j].kind ==
				    ITEM_STAR || selects(&items[j], f);
			if (it->rename_in_place)
				continue;
		}
		for (k = 0; k < it->sel.nfields; k++)
			if (it->sel.fields[k] >= 0 &&
			    (size_t)it->sel.fields[k] < nf)
				selected[it->sel.fields[k]] = true;
	}
	return selected;
}

static void
free_items(struct item *items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(items[i].name);
		if (items[i].expr != NULL)
			pf_expr_free(items[i].expr);
		if (items[i].kind == ITEM_SELECT)
			select_free(&items[i].sel);
	}
	free(items);
}

static struct pf_projection *
compile_columns(const char *src, const struct pf_schema *schema,
    struct pf_expr_error *err, bool edits)
{
	struct pf_projection *pr = pf_xcalloc(1, sizeof(*pr));
	struct span *spans;
	size_t n = split_spans(src, &spans), i;
	struct item *items = pf_xcalloc(n + 1, sizeof(*items));
	bool *selected = NULL;

	if (n == 0) {
		snprintf(err->msg, sizeof(err->msg), "empty expression");
		err->pos = 0;
		goto fail;
	}
	for (i = 0; i < n; i++)
		if (read_item(src, &spans[i], schema, edits, &items[i],
		    err) < 0) {
			n = i + 1;
			goto fail;
		}
	if (edits)
		selected = selected_fields(items, n, schema);
	for (i = 0; i < n; i++)
		if (add_item(pr, schema, &items[i], selected, src, err) < 0)
			goto fail;
	free(selected);
	free_items(items, n);
	free(spans);
	return pr;
fail:
	free(selected);
	free_items(items, n);
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
