/*
 * expr_parse.c - the lexer and recursive-descent parser that compile an
 * expression into a node array (see expr.h for the language), plus column
 * lists (pf_projection) and top-level list splitting.
 *
 * The lexer knows whether an operand or an operator comes next from the
 * previous token, which is how '/' tells a regex from a division and '.'
 * a fraction (".5") from concatenation. Errors unwind with longjmp to
 * pf_expr_compile, which frees the partial expression.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr/expr_int.h"
#include "support/xalloc.h"

enum token_kind {
	T_END, T_NUM, T_STR, T_REGEX, T_IDENT, T_DOLLAR, T_BRACE,
	T_LPAREN, T_RPAREN, T_COMMA, T_QUESTION, T_COLON,
	T_OR, T_AND, T_NOT, T_IN, T_TRUE, T_FALSE,
	T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_MATCH, T_NMATCH,
	T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PERCENT, T_DOT,
	T_ASSIGN,	/* a single '=': only names projection columns */
	T_OTHER,	/* lenient lexing only: an unknown byte */
};

struct token {
	enum token_kind	kind;
	size_t		pos, len;	/* the token's bytes in the source */
};

struct parser {
	const char		*src;
	size_t			 len, cur;	/* cur: where the next token starts */
	size_t			 base;		/* added to positions in messages */
	struct token		 tok;
	bool			 after_operand;	/* an operator comes next */
	bool			 lenient;	/* never fail: for list splitting */
	int			 depth;		/* nesting, bounded for the stack */
	struct pf_expr		*e;
	const struct pf_schema	*schema;
	struct pf_expr_error	*err;
	jmp_buf			 fail;
};

static void fail(struct parser *, size_t, const char *, ...)
    __attribute__((noreturn, format(printf, 3, 4)));

static void
fail(struct parser *p, size_t pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	p->err->pos = p->base + pos;
	longjmp(p->fail, 1);
}

/* The token's text for messages, shortened. */
static const char *
token_text(const struct parser *p, const struct token *t, char *buf, size_t size)
{
	if (t->kind == T_END)
		return "end of expression";
	snprintf(buf, size, "'%.*s%s'", t->len > 24 ? 24 : (int)t->len,
	    p->src + t->pos, t->len > 24 ? "..." : "");
	return buf;
}

/* Lexer */

static bool
is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool
is_ident_char(char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\v' || c == '\f';
}

static size_t
skip_space(const struct parser *p, size_t i)
{
	while (i < p->len && is_space(p->src[i]))
		i++;
	return i;
}

static enum token_kind
keyword(const char *s, size_t len)
{
	static const struct { const char *word; enum token_kind kind; } kw[] = {
		{ "and", T_AND }, { "or", T_OR }, { "not", T_NOT },
		{ "in", T_IN }, { "true", T_TRUE }, { "false", T_FALSE },
	};
	size_t i;

	for (i = 0; i < sizeof(kw) / sizeof(kw[0]); i++)
		if (strlen(kw[i].word) == len && memcmp(kw[i].word, s, len) == 0)
			return kw[i].kind;
	return T_IDENT;
}

/* Scans a number starting at i; returns the index after it. */
static size_t
scan_number(const struct parser *p, size_t i)
{
	const char *s = p->src;

	while (i < p->len && is_digit(s[i]))
		i++;
	if (i + 1 < p->len && s[i] == '.' && is_digit(s[i + 1]))
		for (i++; i < p->len && is_digit(s[i]); i++)
			;
	if (i < p->len && (s[i] == 'e' || s[i] == 'E')) {
		size_t j = i + 1;

		if (j < p->len && (s[j] == '+' || s[j] == '-'))
			j++;
		if (j < p->len && is_digit(s[j])) {
			for (i = j; i < p->len && is_digit(s[i]); i++)
				;
		}
	}
	return i;
}

/* Scans a quoted string or regex body from i (after the opening quote). */
static size_t
scan_quoted(struct parser *p, size_t start, char quote, const char *what)
{
	size_t i = start + 1;
	bool in_class = false;

	for (; i < p->len; i++) {
		char c = p->src[i];

		if (c == '\\' && i + 1 < p->len)
			i++;
		else if (quote == '/' && c == '[')
			in_class = true;
		else if (quote == '/' && c == ']')
			in_class = false;
		else if (c == quote && !in_class)
			return i + 1;
	}
	if (p->lenient)
		return p->len;
	fail(p, start, "unterminated %s", what);
}

static void
next(struct parser *p)
{
	const char *s = p->src;
	size_t i = skip_space(p, p->cur), start = i;
	enum token_kind k;
	char c, d;

	if (i >= p->len) {
		p->tok = (struct token){ T_END, p->len, 0 };
		p->cur = p->len;
		return;
	}
	c = s[i];
	d = i + 1 < p->len ? s[i + 1] : '\0';
	i++;
	switch (c) {
	case '(': k = T_LPAREN; break;
	case ')': k = T_RPAREN; break;
	case ',': k = T_COMMA; break;
	case '?': k = T_QUESTION; break;
	case ':': k = T_COLON; break;
	case '+': k = T_PLUS; break;
	case '-': k = T_MINUS; break;
	case '*': k = T_STAR; break;
	case '%': k = T_PERCENT; break;
	case '|':
		if (d != '|')
			goto unknown;
		k = T_OR;
		i++;
		break;
	case '&':
		if (d != '&')
			goto unknown;
		k = T_AND;
		i++;
		break;
	case '!':
		k = d == '=' ? T_NE : d == '~' ? T_NMATCH : T_NOT;
		if (k != T_NOT)
			i++;
		break;
	case '=':
		k = d == '=' ? T_EQ : d == '~' ? T_MATCH : T_ASSIGN;
		if (k != T_ASSIGN)
			i++;
		break;
	case '<':
		k = d == '=' ? T_LE : T_LT;
		if (d == '=')
			i++;
		break;
	case '>':
		k = d == '=' ? T_GE : T_GT;
		if (d == '=')
			i++;
		break;
	case '"':
	case '\'':
		k = T_STR;
		i = scan_quoted(p, start, c, "string");
		break;
	case '/':
		if (p->after_operand) {
			k = T_SLASH;
			break;
		}
		k = T_REGEX;
		i = scan_quoted(p, start, '/', "regex");
		while (i < p->len && is_ident_char(s[i]))
			i++;		/* flags, checked by the parser */
		break;
	case '.':
		if (!p->after_operand && is_digit(d)) {
			k = T_NUM;
			i = scan_number(p, i);
		} else
			k = T_DOT;
		break;
	case '{':
		k = T_BRACE;
		while (i < p->len && s[i] != '}')
			i++;
		if (i < p->len)
			i++;
		else if (!p->lenient)
			fail(p, start, "unterminated '{' field name");
		break;
	case '$':
		k = T_DOLLAR;
		if (is_digit(d))
			while (i < p->len && is_digit(s[i]))
				i++;
		else if (is_ident_start(d))
			while (i < p->len && is_ident_char(s[i]))
				i++;
		else if (!p->lenient)
			fail(p, start, "expected a field number or name after '$'");
		break;
	default:
		if (is_digit(c)) {
			k = T_NUM;
			i = scan_number(p, start);
		} else if (is_ident_start(c)) {
			while (i < p->len && is_ident_char(s[i]))
				i++;
			k = keyword(s + start, i - start);
		} else
			goto unknown;
	}
	goto done;
unknown:
	if (!p->lenient)
		fail(p, start, "unexpected character '%c'", c);
	k = T_OTHER;
done:
	p->tok = (struct token){ k, start, i - start };
	p->cur = i;
	switch (k) {
	case T_NUM: case T_STR: case T_REGEX: case T_IDENT: case T_DOLLAR:
	case T_BRACE: case T_RPAREN: case T_TRUE: case T_FALSE:
		p->after_operand = true;
		break;
	default:
		p->after_operand = false;
	}
}

static void
expect(struct parser *p, enum token_kind k, const char *msg)
{
	char buf[40];

	if (p->tok.kind != k)
		fail(p, p->tok.pos, "%s, got %s", msg,
		    token_text(p, &p->tok, buf, sizeof(buf)));
	next(p);
}

/* Nodes */

static uint32_t
new_node(struct parser *p, enum pf_node_kind kind, size_t pos)
{
	struct pf_expr *e = p->e;
	struct pf_node *n;

	if (e->nnodes == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 16;
		e->nodes = pf_xrealloc(e->nodes, e->cap * sizeof(*e->nodes));
	}
	n = &e->nodes[e->nnodes];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->pos = p->base + pos;
	n->field = -1;
	return (uint32_t)e->nnodes++;
}

static struct pf_node *
node(struct parser *p, uint32_t i)
{
	return &p->e->nodes[i];
}

static uint32_t
binary(struct parser *p, enum pf_node_kind kind, int op, uint32_t a, uint32_t b,
    size_t pos)
{
	uint32_t i = new_node(p, kind, pos);

	node(p, i)->op = op;
	node(p, i)->a = a;
	node(p, i)->b = b;
	return i;
}

/* Appends operand indexes to e->args; returns where they start. */
static uint32_t
add_args(struct parser *p, const uint32_t *list, size_t n)
{
	struct pf_expr *e = p->e;
	uint32_t start = (uint32_t)e->nargs;

	if (n == 0)		/* nr(): no arguments, maybe no array yet */
		return start;
	if (e->nargs + n > e->argcap) {
		e->argcap = (e->nargs + n) * 2;
		e->args = pf_xrealloc(e->args, e->argcap * sizeof(*e->args));
	}
	memcpy(e->args + e->nargs, list, n * sizeof(*list));
	e->nargs += n;
	return start;
}

static void
set_const(struct parser *p, uint32_t i, const struct pf_value *v)
{
	struct pf_node *n = node(p, i);

	char buf[PF_NUMBER_MAX];

	n->kind = PF_N_CONST;
	n->val = *v;
	n->is_num = pf_value_number(&n->val, &n->num);
	free(n->text);
	switch (v->type) {
	case PF_V_STR:
		n->text = pf_xstrndup(v->s, v->len);
		n->text_len = v->len;
		break;
	case PF_V_BOOL:
		n->text = pf_xstrdup(v->i ? "true" : "false");
		n->text_len = strlen(n->text);
		break;
	case PF_V_INT:
		n->text_len = pf_format_int(v->i, buf);
		n->text = pf_xstrdup(buf);
		break;
	case PF_V_NUM:
		n->text_len = pf_format_double(v->d, buf);
		n->text = pf_xstrdup(buf);
		break;
	}
}

static uint32_t
field_node(struct parser *p, long index, size_t pos)
{
	uint32_t i = new_node(p, index < 0 ? PF_N_RAW : PF_N_FIELD, pos);

	node(p, i)->field = index;
	return i;
}

/* Fails with the "unknown field" message listing the schema. */
static void __attribute__((noreturn))
unknown_field(struct parser *p, const char *name, size_t len, size_t pos)
{
	char list[160];

	list[0] = '\0';
	if (p->schema && p->schema->nfields) {
		char *all = pf_schema_list(p->schema);

		snprintf(list, sizeof(list), "%s", all);
		free(all);
		if (strlen(list) == sizeof(list) - 1)
			memcpy(list + sizeof(list) - 4, "...", 4);
	}
	fail(p, pos, "unknown field '%.*s' (fields: %s)", len > 64 ? 64 : (int)len,
	    name, list[0] ? list : "none");
}

static long
find_field(struct parser *p, const char *name, size_t len, size_t pos)
{
	long i = p->schema ? pf_schema_find(p->schema, name, len) : -1;

	if (i < 0)
		unknown_field(p, name, len, pos);
	return i;
}

/* $N, $name */
static uint32_t
dollar_field(struct parser *p, const struct token *t)
{
	const char *s = p->src + t->pos + 1;
	size_t len = t->len - 1, k;
	long n = 0;

	if (!is_digit(s[0]))
		return field_node(p, find_field(p, s, len, t->pos), t->pos);
	for (k = 0; k < len; k++) {
		if (n > 100000000)
			fail(p, t->pos, "field number %.*s is too large",
			    (int)len, s);
		n = n * 10 + (s[k] - '0');
	}
	if (n > 0 && p->schema && p->schema->has_header &&
	    (size_t)n > p->schema->nfields)
		unknown_field(p, p->src + t->pos, t->len, t->pos);
	return field_node(p, n - 1, t->pos);	/* $0 is -1: the raw record */
}

/* Decodes the escapes of a string literal into a malloc'd string. */
static uint32_t
string_const(struct parser *p, const struct token *t)
{
	const char *s = p->src + t->pos + 1;
	size_t len = t->len - 2, k, n = 0;
	char *out = pf_xmalloc(len + 1);
	struct pf_value v = { .type = PF_V_STR };
	uint32_t i;

	for (k = 0; k < len; k++) {
		char c = s[k];

		if (c == '\\' && k + 1 < len) {
			switch (s[k + 1]) {
			case 'n': c = '\n'; k++; break;
			case 't': c = '\t'; k++; break;
			case 'r': c = '\r'; k++; break;
			case '\\': case '"': case '\'':
				c = s[++k];
				break;
			}
		}
		out[n++] = c;
	}
	out[n] = '\0';
	v.s = out;
	v.len = n;
	i = new_node(p, PF_N_CONST, t->pos);
	set_const(p, i, &v);
	return i;
}

static uint32_t
regex_literal(struct parser *p, const struct token *t)
{
	const char *s = p->src + t->pos;
	size_t end = t->len, k, erroffset;
	uint32_t flags = 0, i;
	PCRE2_UCHAR msg[200];
	int errcode;
	pcre2_code *re;

	while (end > 1 && s[end - 1] != '/')
		end--;
	for (k = end; k < t->len; k++) {
		switch (s[k]) {
		case 'i': flags |= PCRE2_CASELESS; break;
		case 'x': flags |= PCRE2_EXTENDED; break;
		case 's': flags |= PCRE2_DOTALL; break;
		case 'm': flags |= PCRE2_MULTILINE; break;
		default:
			fail(p, t->pos + k,
			    "unknown regex flag '%c' (flags: i, x, s, m)", s[k]);
		}
	}
	re = pf_regex_compile(s + 1, end - 2, flags, &errcode, &erroffset);
	if (re == NULL) {
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		fail(p, t->pos + 1 + erroffset, "bad regex: %s", (char *)msg);
	}
	i = new_node(p, PF_N_REGEX, t->pos);
	node(p, i)->re = re;
	return i;
}

/*
 * Node i is the pattern of =~, !~ or replace(): a regex literal, or a
 * constant compiled now, so that a bad one is a usage error here rather
 * than a failure at every record.
 */
static void
pattern_operand(struct parser *p, uint32_t i)
{
	struct pf_node *n = node(p, i);
	PCRE2_UCHAR msg[200];
	size_t erroffset;
	int errcode;

	if (n->kind == PF_N_REGEX) {
		n->pattern = true;
		return;
	}
	if (n->kind != PF_N_CONST || p->lenient)
		return;
	n->re = pf_regex_compile(n->text, n->text_len, 0, &errcode,
	    &erroffset);
	if (n->re == NULL) {
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		fail(p, n->pos, "bad regex: %s", (char *)msg);
	}
}

/* Grammar, loosest first */

/*
 * Evaluation recurses as deep as the tree, so nesting is bounded: every
 * parenthesis, prefix operator and binary operator in a chain counts.
 */
#define MAX_DEPTH 1000

static void
deepen(struct parser *p)
{
	if (++p->depth > MAX_DEPTH)
		fail(p, p->tok.pos, "expression nested too deeply (more than %d "
		    "levels)", MAX_DEPTH);
}

static uint32_t parse_cond(struct parser *);
static uint32_t parse_not(struct parser *);
static uint32_t parse_unary(struct parser *);

/* name( args ) with the current token the name */
static uint32_t
parse_call(struct parser *p)
{
	struct token name = p->tok;
	const struct pf_func *f;
	uint32_t list[64], i;
	size_t n = 0;
	char *all;

	f = pf_func_find(p->src + name.pos, name.len);
	if (f == NULL) {
		all = pf_func_list();
		snprintf(p->err->msg, sizeof(p->err->msg),
		    "unknown function '%.*s' (functions: %s)",
		    name.len > 32 ? 32 : (int)name.len, p->src + name.pos, all);
		free(all);
		p->err->pos = p->base + name.pos;
		longjmp(p->fail, 1);
	}
	next(p);
	expect(p, T_LPAREN, "expected '('");
	if (p->tok.kind != T_RPAREN) {
		for (;;) {
			if (n == sizeof(list) / sizeof(list[0]))
				fail(p, p->tok.pos, "too many arguments");
			list[n++] = parse_cond(p);
			if (p->tok.kind != T_COMMA)
				break;
			next(p);
		}
	}
	expect(p, T_RPAREN, "expected ')' after function arguments");
	if ((int)n < f->min_args || (f->max_args >= 0 && (int)n > f->max_args)) {
		if (f->max_args == f->min_args)
			fail(p, name.pos, "%s() takes %d argument%s, got %zu",
			    f->name, f->min_args, f->min_args == 1 ? "" : "s", n);
		else if (f->max_args < 0)
			fail(p, name.pos, "%s() takes at least %d argument%s, "
			    "got %zu", f->name, f->min_args,
			    f->min_args == 1 ? "" : "s", n);
		else
			fail(p, name.pos, "%s() takes %d to %d arguments, got %zu",
			    f->name, f->min_args, f->max_args, n);
	}
	if (strcmp(f->name, "replace") == 0)
		pattern_operand(p, list[1]);
	i = new_node(p, PF_N_CALL, name.pos);
	node(p, i)->func = f;
	node(p, i)->args = add_args(p, list, n);
	node(p, i)->nargs = (uint32_t)n;
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
			fail(p, t.pos, "bad number");
		next(p);
		pf_set_number(&v, &num);
		i = new_node(p, PF_N_CONST, t.pos);
		set_const(p, i, &v);
		return i;
	case T_STR:
		next(p);
		return string_const(p, &t);
	case T_REGEX:
		next(p);
		return regex_literal(p, &t);
	case T_TRUE:
	case T_FALSE:
		next(p);
		pf_set_bool(&v, t.kind == T_TRUE);
		i = new_node(p, PF_N_CONST, t.pos);
		set_const(p, i, &v);
		return i;
	case T_IDENT:
		if (skip_space(p, p->cur) < p->len &&
		    p->src[skip_space(p, p->cur)] == '(')
			return parse_call(p);
		next(p);
		if (pf_func_find(p->src + t.pos, t.len) && (p->schema == NULL ||
		    pf_schema_find(p->schema, p->src + t.pos, t.len) < 0))
			fail(p, p->tok.pos, "expected '(' after function name "
			    "'%.*s'", (int)t.len, p->src + t.pos);
		return field_node(p, find_field(p, p->src + t.pos, t.len,
		    t.pos), t.pos);
	case T_DOLLAR:
		next(p);
		return dollar_field(p, &t);
	case T_BRACE:
		if (t.len <= 2)
			fail(p, t.pos, "empty field name in {}");
		next(p);
		return field_node(p, find_field(p, p->src + t.pos + 1,
		    t.len - 2, t.pos), t.pos);
	case T_LPAREN:
		next(p);
		i = parse_cond(p);
		expect(p, T_RPAREN, "expected ')'");
		return i;
	case T_MINUS:
		return parse_unary(p);
	case T_NOT:
		return parse_not(p);
	default:
		fail(p, t.pos, "expected an operand, got %s",
		    token_text(p, &t, buf, sizeof(buf)));
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
	uint32_t a = lv->operand(p);

	while (level_has(lv, p->tok.kind)) {
		size_t pos = p->tok.pos;
		int op = lv->kind == PF_N_ARITH ? p->src[pos] : 0;

		deepen(p);
		next(p);
		a = binary(p, lv->kind, op, a, lv->operand(p), pos);
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

static uint32_t
parse_unary(struct parser *p)
{
	int depth = p->depth;
	size_t pos = p->tok.pos;
	struct pf_node *n;
	uint32_t a;

	if (p->tok.kind != T_MINUS)
		return parse_concat(p);
	deepen(p);
	next(p);
	a = parse_unary(p);
	p->depth = depth;
	n = node(p, a);
	/* Fold the sign into number literals: -3.5, x > -1 */
	if (n->kind == PF_N_CONST && (n->val.type == PF_V_INT ||
	    n->val.type == PF_V_NUM) && !(n->val.type == PF_V_INT &&
	    n->val.i == INT64_MIN)) {
		struct pf_value v = n->val;

		if (v.type == PF_V_INT)
			v.i = -v.i;
		else
			v.d = -v.d;
		set_const(p, a, &v);
		n->pos = p->base + pos;
		return a;
	}
	return binary(p, PF_N_NEG, 0, a, 0, pos);
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
	next(p);
	expect(p, T_LPAREN, "expected '(' after 'in'");
	for (;;) {
		if (n == sizeof(list) / sizeof(list[0]))
			fail(p, p->tok.pos, "too many values in 'in' list");
		list[n++] = parse_cond(p);
		if (p->tok.kind != T_COMMA)
			break;
		next(p);
	}
	expect(p, T_RPAREN, "expected ')' after 'in' list");
	i = new_node(p, PF_N_IN, pos);
	node(p, i)->a = a;
	node(p, i)->args = add_args(p, list, n);
	node(p, i)->nargs = (uint32_t)n;
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
		next(p);
		b = parse_in(p);
		pattern_operand(p, b);
		a = binary(p, PF_N_MATCH, t.kind == T_NMATCH, a, b, t.pos);
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
			fail(p, t.pos, "unexpected '=' (use '==' to compare)");
		default:
			p->depth = depth;
			return a;
		}
		deepen(p);
		next(p);
		b = parse_match(p);
		/* 60 < delay becomes delay > 60, for the evaluator's fast path. */
		if (node(p, a)->kind == PF_N_CONST &&
		    node(p, b)->kind == PF_N_FIELD) {
			uint32_t swap = a;

			a = b;
			b = swap;
			op = op == PF_OP_LT ? PF_OP_GT : op == PF_OP_GT ? PF_OP_LT :
			    op == PF_OP_LE ? PF_OP_GE : op == PF_OP_GE ? PF_OP_LE : op;
		}
		a = binary(p, PF_N_CMP, op, a, b, t.pos);
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
	next(p);
	a = parse_not(p);
	p->depth = depth;
	return binary(p, PF_N_NOT, 0, a, 0, pos);
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
	next(p);
	i = new_node(p, PF_N_COND, pos);
	node(p, i)->a = c;
	/* Parsing may move the nodes: no node pointer across the call. */
	b = parse_cond(p);
	node(p, i)->b = b;
	expect(p, T_COLON, "expected ':' in conditional");
	b = parse_cond(p);
	node(p, i)->c = b;
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
	free(e);
}

/* Compiles src[0..len) whose first byte is at offset base of the user's text. */
static struct pf_expr *
compile_at(const char *src, size_t len, size_t base,
    const struct pf_schema *schema, struct pf_expr_error *err)
{
	struct parser p = {
		.src = src, .len = len, .base = base, .schema = schema,
		.err = err,
	};
	size_t i;
	char buf[40];

	p.e = pf_xcalloc(1, sizeof(*p.e));
	if (setjmp(p.fail)) {
		pf_expr_free(p.e);
		return NULL;
	}
	next(&p);
	if (p.tok.kind == T_END)
		fail(&p, p.tok.pos, "empty expression");
	p.e->root = parse_cond(&p);
	if (p.tok.kind != T_END)
		fail(&p, p.tok.pos, "unexpected %s",
		    token_text(&p, &p.tok, buf, sizeof(buf)));

	p.e->max_field = -1;
	for (i = 0; i < p.e->nnodes; i++) {
		const struct pf_node *n = &p.e->nodes[i];

		if (n->kind == PF_N_FIELD && n->field > p.e->max_field)
			p.e->max_field = n->field;
		if (n->kind == PF_N_RAW || (n->kind == PF_N_REGEX && !n->pattern))
			p.e->uses_raw = true;
		if (n->func != NULL && strcmp(n->func->name, "nr") == 0)
			p.e->uses_nr = true;
	}
	return p.e;
}

struct pf_expr *
pf_expr_compile(const char *src, const struct pf_schema *schema,
    struct pf_expr_error *err)
{
	return compile_at(src, strlen(src), 0, schema, err);
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

/* Lists */

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
	if (skip_space(&p, 0) == p.len) {
		*out = NULL;
		return 0;
	}
	for (;;) {
		next(&p);
		if (p.tok.kind == T_END ||
		    (p.tok.kind == T_COMMA && depth == 0)) {
			spans = pf_xrealloc(spans, (n + 1) * sizeof(*spans));
			start = skip_space(&p, start);
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

	next(p);
	name = p->tok;
	if (name.kind != T_IDENT && !(name.kind == T_BRACE && name.len > 2 &&
	    p->src[name.pos + name.len - 1] == '}'))
		return NULL;
	next(p);
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
 * none). Returns 1 when span s was such an edit, 0 when it is not one,
 * -1 on an error (in err).
 */
static int
remove_edit(struct pf_projection *pr, const char *src, const struct span *s,
    struct pf_expr_error *err)
{
	char *name = removed_name(src, s);
	long i;

	if (name == NULL)
		return 0;
	if ((i = find_column(pr, name)) < 0) {
		snprintf(err->msg, sizeof(err->msg), "no column '%s' to "
		    "remove", name);
		err->pos = s->start;
		free(name);
		return -1;
	}
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
				c->expr = compile_at(ref, strlen(ref), s->start,
				    schema, err);
				c->field = (long)f;
				c->star = true;
			}
			pr->rest_at = pr->ncols;
			pr->has_rest = true;
			continue;
		}
		if (edits && name == NULL &&
		    (edit = remove_edit(pr, src, s, err)) != 0) {
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
		e = compile_at(src + at, end - at, at, schema, err);
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
