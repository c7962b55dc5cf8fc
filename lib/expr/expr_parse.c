/*
 * expr_parse.c - the recursive-descent grammar that compiles an
 * expression into a node array (see expr.h for the language), and the
 * compilation entry points.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr/expr_parser.h"
#include "support/suggest.h"
#include "support/xalloc.h"


/*
 * Evaluation recurses as deep as the tree, so nesting is bounded: every
 * parenthesis, prefix operator and binary operator in a chain counts.
 */
#define MAX_DEPTH 1000

static void
deepen(struct parser *p)
{
	if (++p->depth > MAX_DEPTH)
		parse_fail(p, p->tok.pos, "expression nested too deeply (more than %d "
		    "levels)", MAX_DEPTH);
}

/* Node i's text is src[from, the end of the last token read). */
static void
set_span(struct parser *p, uint32_t i, size_t from)
{
	node_at(p, i)->from = from;
	node_at(p, i)->to = p->prev_end;
}

static uint32_t parse_cond(struct parser *);
static uint32_t parse_not(struct parser *);
static uint32_t parse_unary(struct parser *);

/*
 * "; did you mean 'NAME'?" for the function nearest to the one typed,
 * from the list of all ("abs, ceil, ..."), or "". In static storage.
 */
static const char *
nearest_function(const char *typed, size_t len, const char *all)
{
	static _Thread_local char text[80];
	const char *names[256];
	char *copy = pf_xstrdup(all), *name, *save = NULL;
	size_t n = 0;
	long near;

	for (name = strtok_r(copy, ", ", &save); name != NULL && n < 256;
	    name = strtok_r(NULL, ", ", &save))
		names[n++] = name;
	near = pf_suggest(typed, len, names, n);
	text[0] = '\0';
	if (near >= 0)
		snprintf(text, sizeof(text), "; did you mean '%s'?",
		    names[near]);
	free(copy);
	return text;
}

/* name( args ) with the current token the name */
static uint32_t
parse_call(struct parser *p)
{
	struct token name = p->tok;
	const struct pf_func *f;
	uint32_t list[64], i;
	char *all;
	size_t n = 0;

	f = pf_func_find(p->src + name.pos, name.len);
	if (f == NULL) {
		all = pf_func_list();
		snprintf(p->err->msg, sizeof(p->err->msg),
		    "unknown function '%.*s'%s (the functions: "
		    "'pflow help expressions')",
		    name.len > 32 ? 32 : (int)name.len, p->src + name.pos,
		    nearest_function(p->src + name.pos, name.len, all));
		free(all);
		p->err->pos = p->base + name.pos;
		longjmp(p->fail, 1);
	}
	lex_next(p);
	lex_expect(p, T_LPAREN, "expected '('");
	if (p->tok.kind != T_RPAREN) {
		for (;;) {
			if (n == sizeof(list) / sizeof(list[0]))
				parse_fail(p, p->tok.pos, "too many arguments");
			list[n++] = parse_cond(p);
			if (p->tok.kind != T_COMMA)
				break;
			lex_next(p);
		}
	}
	lex_expect(p, T_RPAREN, "expected ')' after function arguments");
	if ((int)n < f->min_args || (f->max_args >= 0 && (int)n > f->max_args)) {
		if (f->max_args == f->min_args)
			parse_fail(p, name.pos, "%s() takes %d argument%s, got %zu",
			    f->name, f->min_args, f->min_args == 1 ? "" : "s", n);
		else if (f->max_args < 0)
			parse_fail(p, name.pos, "%s() takes at least %d argument%s, "
			    "got %zu", f->name, f->min_args,
			    f->min_args == 1 ? "" : "s", n);
		else
			parse_fail(p, name.pos, "%s() takes %d to %d arguments, got %zu",
			    f->name, f->min_args, f->max_args, n);
	}
	if (strcmp(f->name, "replace") == 0 || strcmp(f->name, "match") == 0)
		node_pattern(p, list[1]);
	if (strcmp(f->name, "pow") == 0) {	/* pow(a, b) is a ** b */
		i = node_binary(p, PF_N_ARITH, '^', list[0], list[1], name.pos);
		set_span(p, i, name.pos);
		return i;
	}
	i = node_new(p, PF_N_CALL, name.pos);
	set_span(p, i, name.pos);
	node_at(p, i)->func = f;
	node_at(p, i)->args = node_add_args(p, list, n);
	node_at(p, i)->nargs = (uint32_t)n;
	if (f->check != NULL) {
		char msg[200];
		uint32_t bad = 0;

		if (f->check(p->e, node_at(p, i), msg, sizeof(msg), &bad))
			parse_fail(p, node_at(p, list[bad])->pos - p->base,
			    "%s", msg);
	}
	return i;
}

static uint32_t
parse_primary(struct parser *p)
{
	struct token t = p->tok;
	struct pf_value v = { 0 };
	struct pf_number num;
	char buf[40];
	uint32_t i;

	switch (t.kind) {
	case T_NUM:
		if (!pf_number_parse(p->src + t.pos, t.len, &num))
			parse_fail(p, t.pos, "bad number");
		lex_next(p);
		pf_set_number(&v, &num);
		i = node_new(p, PF_N_CONST, t.pos);
		node_set_const(p, i, &v);
		return i;
	case T_STR:
		lex_next(p);
		return node_string(p, &t);
	case T_REGEX:
		lex_next(p);
		return node_regex(p, &t);
	case T_TRUE:
	case T_FALSE:
		lex_next(p);
		pf_set_bool(&v, t.kind == T_TRUE);
		i = node_new(p, PF_N_CONST, t.pos);
		node_set_const(p, i, &v);
		return i;
	case T_IDENT:
		if (lex_skip_space(p, p->cur) < p->len &&
		    p->src[lex_skip_space(p, p->cur)] == '(')
			return parse_call(p);
		lex_next(p);
		if (pf_func_find(p->src + t.pos, t.len) && (p->schema == NULL ||
		    pf_schema_find(p->schema, p->src + t.pos, t.len) < 0))
			parse_fail(p, p->tok.pos, "expected '(' after function name "
			    "'%.*s'", (int)t.len, p->src + t.pos);
		return node_field(p, node_find_field(p, p->src + t.pos, t.len,
		    t.pos), t.pos);
	case T_DOLLAR:
		lex_next(p);
		return node_dollar_field(p, &t);
	case T_BRACE:
		if (t.len <= 2)
			parse_fail(p, t.pos, "empty field name in {}");
		lex_next(p);
		return node_field(p, node_find_field(p, p->src + t.pos + 1,
		    t.len - 2, t.pos), t.pos);
	case T_LPAREN:
		lex_next(p);
		i = parse_cond(p);
		lex_expect(p, T_RPAREN, "expected ')'");
		return i;
	case T_MINUS:
		return parse_unary(p);
	case T_NOT:
		return parse_not(p);
	default:
		parse_fail(p, t.pos, "expected an operand, got %s",
		    lex_token_text(p, &t, buf, sizeof(buf)));
	}
}

/*
 * A level of left-associative binary operators: a.b.c, a*b/c, a+b-c,
 * a&&b&&c, a||b||c. ops lists its tokens (at most 3; T_END ends a shorter list);
 * arith nodes keep the operator's character.
 */
struct binary_level {
	enum token_kind	 ops[3];
	enum pf_node_kind kind;
	uint32_t	 (*operand)(struct parser *);
};

static bool
level_has(const struct binary_level *lv, enum token_kind k)
{
	int i;

	for (i = 0; i < 3 && lv->ops[i] != T_END; i++)
		if (lv->ops[i] == k)
			return true;
	return false;
}

static uint32_t
parse_level(struct parser *p, const struct binary_level *lv)
{
	int depth = p->depth;
	size_t from = p->tok.pos;
	uint32_t a = lv->operand(p);

	while (level_has(lv, p->tok.kind)) {
		size_t pos = p->tok.pos;
		int op = lv->kind == PF_N_ARITH ? p->src[pos] : 0;

		deepen(p);
		lex_next(p);
		a = node_binary(p, lv->kind, op, a, lv->operand(p), pos);
		set_span(p, a, from);
	}
	p->depth = depth;
	return a;
}

static const struct binary_level concat_level =
    { { T_DOT, T_END, T_END }, PF_N_CONCAT, parse_primary };

static uint32_t
parse_concat(struct parser *p)
{
	return parse_level(p, &concat_level);
}

/*
 * a ** b: right associative, and tighter than a unary minus on its left
 * (-2 ** 2 is -4) but not on its right (2 ** -1 is 0.5), as in Python.
 */
static uint32_t
parse_pow(struct parser *p)
{
	int depth = p->depth;
	size_t from = p->tok.pos, pos;
	uint32_t a = parse_concat(p), b;

	if (p->tok.kind != T_POW)
		return a;
	pos = p->tok.pos;
	deepen(p);
	lex_next(p);
	b = parse_unary(p);
	p->depth = depth;
	a = node_binary(p, PF_N_ARITH, '^', a, b, pos);
	set_span(p, a, from);
	return a;
}

static uint32_t
parse_unary(struct parser *p)
{
	int depth = p->depth;
	size_t pos = p->tok.pos;
	struct pf_node *n;
	uint32_t a;

	if (p->tok.kind != T_MINUS)
		return parse_pow(p);
	deepen(p);
	lex_next(p);
	a = parse_unary(p);
	p->depth = depth;
	n = node_at(p, a);
	/* Fold the sign into number literals: -3.5, x > -1 */
	if (n->kind == PF_N_CONST && (n->val.type == PF_V_INT ||
	    n->val.type == PF_V_NUM) && !(n->val.type == PF_V_INT &&
	    n->val.i == INT64_MIN)) {
		struct pf_value v = n->val;

		if (v.type == PF_V_INT)
			v.i = -v.i;
		else
			v.d = -v.d;
		node_set_const(p, a, &v);
		n->pos = p->base + pos;
		return a;
	}
	a = node_binary(p, PF_N_NEG, 0, a, 0, pos);
	set_span(p, a, pos);
	return a;
}

static const struct binary_level mul_level =
    { { T_STAR, T_SLASH, T_PERCENT }, PF_N_ARITH, parse_unary };

static uint32_t
parse_mul(struct parser *p)
{
	return parse_level(p, &mul_level);
}

static const struct binary_level add_level =
    { { T_PLUS, T_MINUS, T_END }, PF_N_ARITH, parse_mul };

static uint32_t
parse_add(struct parser *p)
{
	return parse_level(p, &add_level);
}

static uint32_t
parse_in(struct parser *p)
{
	uint32_t a = parse_add(p), list[256], i;
	size_t n = 0, pos;

	if (p->tok.kind != T_IN)
		return a;
	pos = p->tok.pos;
	lex_next(p);
	lex_expect(p, T_LPAREN, "expected '(' after 'in'");
	for (;;) {
		if (n == sizeof(list) / sizeof(list[0]))
			parse_fail(p, p->tok.pos, "too many values in 'in' list");
		list[n++] = parse_cond(p);
		if (p->tok.kind != T_COMMA)
			break;
		lex_next(p);
	}
	lex_expect(p, T_RPAREN, "expected ')' after 'in' list");
	i = node_new(p, PF_N_IN, pos);
	node_at(p, i)->a = a;
	node_at(p, i)->args = node_add_args(p, list, n);
	node_at(p, i)->nargs = (uint32_t)n;
	return i;
}

static uint32_t
parse_match(struct parser *p)
{
	int depth = p->depth;
	uint32_t a = parse_in(p), b;

	while (p->tok.kind == T_MATCH || p->tok.kind == T_NMATCH) {
		struct token t = p->tok;

		deepen(p);
		lex_next(p);
		b = parse_in(p);
		node_pattern(p, b);
		a = node_binary(p, PF_N_MATCH, t.kind == T_NMATCH, a, b, t.pos);
	}
	p->depth = depth;
	return a;
}

static uint32_t
parse_cmp(struct parser *p)
{
	int depth = p->depth;
	uint32_t a = parse_match(p), b;
	enum pf_cmp_op op;

	for (;;) {
		struct token t = p->tok;

		switch (t.kind) {
		case T_EQ: op = PF_OP_EQ; break;
		case T_NE: op = PF_OP_NE; break;
		case T_LT: op = PF_OP_LT; break;
		case T_LE: op = PF_OP_LE; break;
		case T_GT: op = PF_OP_GT; break;
		case T_GE: op = PF_OP_GE; break;
		case T_ASSIGN:
			parse_fail(p, t.pos, "unexpected '=' (use '==' to compare)");
		default:
			p->depth = depth;
			return a;
		}
		deepen(p);
		lex_next(p);
		b = parse_match(p);
		/* 60 < delay becomes delay > 60, for the evaluator's fast path. */
		if (node_at(p, a)->kind == PF_N_CONST &&
		    node_at(p, b)->kind == PF_N_FIELD) {
			uint32_t swap = a;

			a = b;
			b = swap;
			op = op == PF_OP_LT ? PF_OP_GT : op == PF_OP_GT ? PF_OP_LT :
			    op == PF_OP_LE ? PF_OP_GE : op == PF_OP_GE ? PF_OP_LE : op;
		}
		a = node_binary(p, PF_N_CMP, op, a, b, t.pos);
	}
}

static uint32_t
parse_not(struct parser *p)
{
	int depth = p->depth;
	size_t pos = p->tok.pos;
	uint32_t a;

	if (p->tok.kind != T_NOT)
		return parse_cmp(p);
	deepen(p);
	lex_next(p);
	a = parse_not(p);
	p->depth = depth;
	return node_binary(p, PF_N_NOT, 0, a, 0, pos);
}

static const struct binary_level and_level =
    { { T_AND, T_END, T_END }, PF_N_AND, parse_not };

static uint32_t
parse_and(struct parser *p)
{
	return parse_level(p, &and_level);
}

static const struct binary_level or_level =
    { { T_OR, T_END, T_END }, PF_N_OR, parse_and };

static uint32_t
parse_or(struct parser *p)
{
	return parse_level(p, &or_level);
}

/* Every nested expression (parentheses, arguments, branches) passes here. */
static uint32_t
parse_cond(struct parser *p)
{
	int depth = p->depth;
	uint32_t c, i, b;
	size_t pos;

	deepen(p);
	c = parse_or(p);
	if (p->tok.kind != T_QUESTION) {
		p->depth = depth;
		return c;
	}
	pos = p->tok.pos;
	lex_next(p);
	i = node_new(p, PF_N_COND, pos);
	node_at(p, i)->a = c;
	/* Parsing may move the nodes: no node pointer across the call. */
	b = parse_cond(p);
	node_at(p, i)->b = b;
	lex_expect(p, T_COLON, "expected ':' in conditional");
	b = parse_cond(p);
	node_at(p, i)->c = b;
	p->depth = depth;
	return i;
}

/* Compilation */

void
pf_expr_free(struct pf_expr *e)
{
	size_t i;

	if (e == NULL)
		return;
	for (i = 0; i < e->nnodes; i++) {
		struct pf_node *n = &e->nodes[i];

		if (n->kind == PF_N_CONST && n->val.type == PF_V_STR)
			free((char *)n->val.s);
		free(n->text);
		pcre2_code_free(n->re);
	}
	free(e->nodes);
	free(e->args);
	free(e->src);
	free(e);
}

/* Compiles src[0..len) whose first byte is at offset base of the user's text. */
struct pf_expr *
parse_compile_at(const char *src, size_t len, size_t base,
    const struct pf_schema *schema, struct pf_expr_error *err)
{
	struct parser p = {
		.src = src, .len = len, .base = base, .schema = schema,
		.err = err,
	};
	size_t i;
	char buf[40];

	p.e = pf_xcalloc(1, sizeof(*p.e));
	p.e->src = pf_xstrndup(src, len);
	if (setjmp(p.fail)) {
		pf_expr_free(p.e);
		return NULL;
	}
	lex_next(&p);
	if (p.tok.kind == T_END)
		parse_fail(&p, p.tok.pos, "empty expression");
	p.e->root = parse_cond(&p);
	if (p.tok.kind != T_END)
		parse_fail(&p, p.tok.pos, "unexpected %s",
		    lex_token_text(&p, &p.tok, buf, sizeof(buf)));

	p.e->max_field = -1;
	for (i = 0; i < p.e->nnodes; i++) {
		const struct pf_node *n = &p.e->nodes[i];

		if (n->kind == PF_N_FIELD && n->field > p.e->max_field)
			p.e->max_field = n->field;
		if (n->kind == PF_N_RAW || (n->kind == PF_N_REGEX && !n->pattern))
			p.e->uses_raw = true;
		if (n->func != NULL && (strcmp(n->func->name, "nr") == 0 ||
		    strcmp(n->func->name, "rand") == 0))
			p.e->uses_nr = true;
	}
	return p.e;
}

struct pf_expr *
pf_expr_compile(const char *src, const struct pf_schema *schema,
    struct pf_expr_error *err)
{
	return parse_compile_at(src, strlen(src), 0, schema, err);
}

long
pf_expr_max_field(const struct pf_expr *e)
{
	return e->max_field;
}

bool
pf_expr_uses_nr(const struct pf_expr *e)
{
	return e != NULL && e->uses_nr;
}

bool
pf_projection_uses_nr(const struct pf_projection *pr)
{
	size_t i;

	for (i = 0; pr != NULL && i < pr->ncols; i++)
		if (pf_expr_uses_nr(pr->cols[i].expr))
			return true;
	return false;
}

bool
pf_expr_uses_raw(const struct pf_expr *e)
{
	return e->uses_raw;
}

long
pf_expr_field(const struct pf_expr *e)
{
	const struct pf_node *n = &e->nodes[e->root];

	return n->kind == PF_N_FIELD ? n->field : -1;
}

bool
pf_expr_constant(const struct pf_expr *e, bool *truth)
{
	const struct pf_node *n = &e->nodes[e->root];

	if (n->kind != PF_N_CONST)
		return false;
	*truth = pf_value_truthy(&n->val);
	return true;
}
