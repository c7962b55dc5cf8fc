/*
 * expr_nodes.c - building the node array: fields, constants, string and
 * regex literals, operands and argument lists (see expr_parser.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr/expr_parser.h"
#include "support/xalloc.h"


uint32_t
node_new(struct parser *p, enum pf_node_kind kind, size_t pos)
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

struct pf_node *
node_at(struct parser *p, uint32_t i)
{
	return &p->e->nodes[i];
}

/*
 * Constant folding: an operator on constants only (60 * 60, -(2), !true,
 * 1 < 2) becomes the constant it evaluates to, once, instead of at each
 * record; so `delay > 60 * 60` takes the evaluator's field-constant
 * path and `pfilter 1 < 2` is a constant EXPR. Only when the result is
 * a number or a truth and evaluating it notes nothing: 1 / 0 and
 * "a" + 1 are still noted at each record, as the language says.
 */
static void
fold(struct parser *p, uint32_t i)
{
	static const struct pf_record no_record = { .raw = "" };
	const struct pf_node *n = node_at(p, i);
	struct pf_eval *ev;
	struct pf_value v;

	switch (n->kind) {
	case PF_N_ARITH:
	case PF_N_CMP:
	case PF_N_AND:
	case PF_N_OR:
		if (node_at(p, n->b)->kind != PF_N_CONST)
			return;
		/* FALLTHROUGH */
	case PF_N_NEG:
	case PF_N_NOT:
		if (node_at(p, n->a)->kind != PF_N_CONST)
			return;
		break;
	default:
		return;
	}
	ev = pf_eval_new();
	ev->probing = true;	/* a note sets noted, and notes nothing */
	pf_eval_node(ev, p->e, i, &no_record, &v);
	if (!ev->noted && !ev->failed && v.type != PF_V_STR)
		node_set_const(p, i, &v);
	pf_eval_free(ev);
}

uint32_t
node_binary(struct parser *p, enum pf_node_kind kind, int op, uint32_t a, uint32_t b,
    size_t pos)
{
	uint32_t i = node_new(p, kind, pos);

	node_at(p, i)->op = op;
	node_at(p, i)->a = a;
	node_at(p, i)->b = b;
	fold(p, i);
	return i;
}

/* Appends operand indexes to e->args; returns where they start. */
uint32_t
node_add_args(struct parser *p, const uint32_t *list, size_t n)
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

void
node_set_const(struct parser *p, uint32_t i, const struct pf_value *v)
{
	struct pf_node *n = node_at(p, i);

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

uint32_t
node_field(struct parser *p, long index, size_t pos)
{
	uint32_t i = node_new(p, index < 0 ? PF_N_RAW : PF_N_FIELD, pos);

	node_at(p, i)->field = index;
	return i;
}

/* Fails with the "unknown field" message listing the schema. */
static void __attribute__((noreturn))
unknown_field(struct parser *p, const char *name, size_t len, size_t pos)
{
	static const struct pf_schema none = { 0 };
	char msg[sizeof(p->err->msg)];

	pf_field_unknown_text(p->schema ? p->schema : &none, name, len, NULL,
	    msg, sizeof(msg));
	parse_fail(p, pos, "%s", msg);
}

long
node_find_field(struct parser *p, const char *name, size_t len, size_t pos)
{
	long i = p->schema ? pf_schema_find(p->schema, name, len) : -1;

	if (i < 0)
		unknown_field(p, name, len, pos);
	return i;
}

/* $N, $name */
uint32_t
node_dollar_field(struct parser *p, const struct token *t)
{
	const char *s = p->src + t->pos + 1;
	size_t len = t->len - 1, k;
	long n = 0;

	if (!lex_is_digit(s[0]))
		return node_field(p, node_find_field(p, s, len, t->pos), t->pos);
	for (k = 0; k < len; k++) {
		if (n > 100000000)
			parse_fail(p, t->pos, "field number %.*s is too large",
			    (int)len, s);
		n = n * 10 + (s[k] - '0');
	}
	if (n > 0 && p->schema && p->schema->has_header &&
	    (size_t)n > p->schema->nfields)
		unknown_field(p, p->src + t->pos, t->len, t->pos);
	if (n > 1 && p->schema && p->schema->one_field)
		parse_fail(p, t->pos, "no field %.*s with --lines and no -d: "
		    "each line is one field, $1 (give -d to split lines, "
		    "-d ' ' at blanks)", (int)t->len, p->src + t->pos);
	return node_field(p, n - 1, t->pos);	/* $0 is -1: the raw record */
}

/* Decodes the escapes of a string literal into a malloc'd string. */
uint32_t
node_string(struct parser *p, const struct token *t)
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
	i = node_new(p, PF_N_CONST, t->pos);
	node_set_const(p, i, &v);
	return i;
}

uint32_t
node_regex(struct parser *p, const struct token *t)
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
			parse_fail(p, t->pos + k,
			    "unknown regex flag '%c' (flags: i, x, s, m)", s[k]);
		}
	}
	re = pf_regex_compile(s + 1, end - 2, flags, &errcode, &erroffset);
	if (re == NULL) {
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		parse_fail(p, t->pos + 1 + erroffset, "bad regex: %s", (char *)msg);
	}
	i = node_new(p, PF_N_REGEX, t->pos);
	node_at(p, i)->re = re;
	return i;
}

/*
 * Node i is the pattern of =~, !~ or replace(): a regex literal, or a
 * constant compiled now, so that a bad one is a usage error here rather
 * than a failure at every record.
 */
void
node_pattern(struct parser *p, uint32_t i)
{
	struct pf_node *n = node_at(p, i);
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
		parse_fail(p, n->pos, "bad regex: %s", (char *)msg);
	}
}
