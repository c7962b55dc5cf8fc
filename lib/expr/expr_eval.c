/*
 * expr_eval.c - evaluating compiled expressions (see expr.h):
 * comparison, arithmetic, matching; values and the per-thread scratch
 * memory results go in are expr_value.c's.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "expr/expr_int.h"

/* Operands of a comparison: the value, and its number when it is one. */
struct operand {
	struct pf_value		 v;
	bool			 is_num;
	struct pf_number	 num;
	const char		*text;		/* constants: v as text */
	size_t			 text_len;
};

static void
eval_operand(struct pf_eval *ev, const struct pf_expr *e, uint32_t i,
    const struct pf_record *rec, struct operand *o)
{
	const struct pf_node *n = &e->nodes[i];

	if (n->kind == PF_N_CONST) {
		o->v = n->val;
		o->is_num = n->is_num;
		o->num = n->num;
		o->text = n->text;
		o->text_len = n->text_len;
		return;
	}
	o->text = NULL;
	pf_eval_node(ev, e, i, rec, &o->v);
	o->is_num = pf_value_number(&o->v, &o->num);
}

static void
operand_text(struct pf_eval *ev, const struct operand *o, const char **s,
    size_t *len)
{
	if (o->text) {
		*s = o->text;
		*len = o->text_len;
	} else
		pf_value_text(ev, &o->v, s, len);
}

static bool
is_empty(const struct pf_value *v)
{
	return v->type == PF_V_STR && v->len == 0;
}

static bool
cmp_result(int op, int c)
{
	switch (op) {
	case PF_OP_EQ: return c == 0;
	case PF_OP_NE: return c != 0;
	case PF_OP_LT: return c < 0;
	case PF_OP_LE: return c <= 0;
	case PF_OP_GT: return c > 0;
	default:       return c >= 0;
	}
}

bool
pf_compare_numbers(int op, const struct pf_number *a,
    const struct pf_number *b)
{
	int c;

	if (a->is_int && b->is_int)
		c = (a->i > b->i) - (a->i < b->i);
	else if (a->d < b->d)
		c = -1;
	else if (a->d > b->d)
		c = 1;
	else if (a->d == b->d)
		c = 0;
	else
		return false;	/* NaN */
	return cmp_result(op, c);
}

static bool
compare(struct pf_eval *ev, int op, struct operand *a, struct operand *b)
{
	int c;

	if (a->is_num && b->is_num) {
		return pf_compare_numbers(op, &a->num, &b->num);
	} else if ((a->is_num && is_empty(&b->v)) ||
	    (b->is_num && is_empty(&a->v))) {
		return false;
	} else {
		const char *as, *bs;
		size_t al, bl;

		operand_text(ev, a, &as, &al);
		operand_text(ev, b, &bs, &bl);
		c = memcmp(as, bs, al < bl ? al : bl);
		if (c == 0)
			c = (al > bl) - (al < bl);
	}
	return cmp_result(op, c);
}

/*
 * The common `field OP constant`, e.g. delay > 60 or type != "closed",
 * with the same rules as compare() but no generic values.
 */
static inline bool
compare_field_const(const struct pf_node *n, const struct pf_node *field,
    const struct pf_node *k, const struct pf_record *rec)
{
	struct pf_number num;
	const char *s = "";
	size_t len = 0;
	bool is_num;
	int c;

	if ((size_t)field->field < rec->nfields) {
		s = rec->fields[field->field].ptr;
		len = rec->fields[field->field].len;
	}
	if (k->is_num) {
		if (len == 0)
			return false;		/* empty against a number */
		is_num = pf_number_parse(s, len, &num);
	} else {
		is_num = false;
		if (k->text_len == 0 && len > 0 &&
		    pf_number_parse(s, len, &num))
			return false;		/* a number against empty */
	}
	if (!is_num) {
		c = len ? memcmp(s, k->text, len < k->text_len ? len :
		    k->text_len) : 0;
		if (c == 0)
			c = (len > k->text_len) - (len < k->text_len);
	} else if (num.is_int && k->num.is_int)
		c = (num.i > k->num.i) - (num.i < k->num.i);
	else if (num.d < k->num.d)
		c = -1;
	else if (num.d > k->num.d)
		c = 1;
	else if (num.d == k->num.d)
		c = 0;
	else
		return false;		/* NaN */
	return cmp_result(n->op, c);
}

size_t
pf_select_field_const(const struct pf_node *n, const struct pf_node *field,
    const struct pf_node *k, const struct pf_record *recs,
    const uint32_t *sel, size_t nsel, uint32_t *out)
{
	/* Bit c + 1 of truth[op]: whether op holds when the sign is c. */
	static const unsigned truth[] = {
		[PF_OP_EQ] = 2, [PF_OP_NE] = 5, [PF_OP_LT] = 1,
		[PF_OP_LE] = 3, [PF_OP_GT] = 4, [PF_OP_GE] = 6,
	};
	const unsigned holds = truth[n->op];
	const size_t f = (size_t)field->field;
	const bool int_k = k->is_num && k->num.is_int;
	const int64_t kv = k->num.i;
	size_t i, m = 0;
	int64_t v;
	bool t;

	for (i = 0; i < nsel; i++) {
		const struct pf_record *r = &recs[sel[i]];

		/* An integer field against an integer: no call, no branch
		   on the operator. */
		if (int_k && f < r->nfields && pf_number_plain_int(
		    r->fields[f].ptr, r->fields[f].len, &v))
			t = holds >> ((v > kv) - (v < kv) + 1) & 1;
		else
			t = compare_field_const(n, field, k, r);
		out[m] = sel[i];
		m += t;
	}
	return m;
}

void
pf_negate(const struct pf_number *a, struct pf_value *out)
{
	if (a->is_int && a->i != INT64_MIN)
		pf_set_int(out, -a->i);
	else
		pf_set_num(out, -a->d);
}

static void
set_empty(struct pf_value *out)
{
	pf_set_str(out, "", 0);
}

/* b ** e for integers, when the result is one that fits. */
static bool
int_pow(int64_t b, int64_t e, int64_t *r)
{
	int64_t acc = 1;

	if (e < 0)
		return false;
	while (e > 0) {
		if ((e & 1) && __builtin_mul_overflow(acc, b, &acc))
			return false;
		e >>= 1;
		if (e > 0 && __builtin_mul_overflow(b, b, &b))
			return false;
	}
	*r = acc;
	return true;
}

bool
pf_arith(int op, const struct pf_number *a, const struct pf_number *b,
    struct pf_value *out)
{
	int64_t r;

	if (a->is_int && b->is_int) {
		switch (op) {
		case '+':
			if (!__builtin_add_overflow(a->i, b->i, &r)) {
				pf_set_int(out, r);
				return true;
			}
			break;
		case '-':
			if (!__builtin_sub_overflow(a->i, b->i, &r)) {
				pf_set_int(out, r);
				return true;
			}
			break;
		case '*':
			if (!__builtin_mul_overflow(a->i, b->i, &r)) {
				pf_set_int(out, r);
				return true;
			}
			break;
		case '^':
			if (int_pow(a->i, b->i, &r)) {
				pf_set_int(out, r);
				return true;
			}
			break;
		case '/':
			if (b->i == 0) {
				set_empty(out);
				return false;
			}
			if (b->i == -1 && a->i == INT64_MIN)
				break;
			if (a->i % b->i == 0) {
				pf_set_int(out, a->i / b->i);
				return true;
			}
			break;
		case '%':
			if (b->i == 0) {
				set_empty(out);
				return false;
			}
			pf_set_int(out, b->i == -1 ? 0 : a->i % b->i);
			return true;
		}
	}
	switch (op) {
	case '+':
		pf_set_num(out, a->d + b->d);
		return true;
	case '-':
		pf_set_num(out, a->d - b->d);
		return true;
	case '*':
		pf_set_num(out, a->d * b->d);
		return true;
	case '^':
		pf_set_num(out, pow(a->d, b->d));
		return true;
	case '/':
		if (b->d == 0) {
			set_empty(out);
			return false;
		}
		pf_set_num(out, a->d / b->d);
		return true;
	default:
		if (b->d == 0) {
			set_empty(out);
			return false;
		}
		pf_set_num(out, fmod(a->d, b->d));
		return true;
	}
}

/*
 * Arithmetic with an operand that is not a number: empty, and the first
 * operand that is neither a number nor empty noted.
 */
static void
arith_unreadable(struct pf_eval *ev, const struct pf_expr *e,
    const struct pf_node *n, const struct pf_record *rec,
    const struct operand *a, const struct operand *b, struct pf_value *out)
{
	const struct operand *bad = !a->is_num && !is_empty(&a->v) ? a :
	    !b->is_num && !is_empty(&b->v) ? b : NULL;

	if (bad != NULL)
		pf_note(ev, e, n, rec, PF_NOTE_NUMBER, &bad->v,
		    n->kind == PF_N_ARITH && n->op == '+');
	set_empty(out);
}

static void
concat(struct pf_eval *ev, const struct pf_value *a, const struct pf_value *b,
    struct pf_value *out)
{
	const char *as, *bs;
	size_t al, bl;
	char *p;

	pf_value_text(ev, a, &as, &al);
	pf_value_text(ev, b, &bs, &bl);
	if (bl == 0) {
		pf_set_str(out, as, al);
		return;
	}
	if (al == 0) {
		pf_set_str(out, bs, bl);
		return;
	}
	p = pf_scratch_alloc(ev, al + bl);
	memcpy(p, as, al);
	memcpy(p + al, bs, bl);
	pf_set_str(out, p, al + bl);
}

static bool
regex_match(struct pf_eval *ev, const pcre2_code *re, const char *s, size_t len)
{
	return pf_regex_match(ev, re, s, len, 0) >= 0;
}

static void
eval_match(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	const pcre2_code *re;
	struct pf_value v;
	const char *s;
	size_t len;

	pf_eval_node(ev, e, n->a, rec, &v);
	pf_value_text(ev, &v, &s, &len);
	re = pf_eval_regex(ev, e, n->b, rec);
	if (re == NULL) {	/* a bad pattern from the data: failed */
		pf_set_bool(out, false);
		return;
	}
	pf_set_bool(out, regex_match(ev, re, s, len) != (n->op != 0));
}

static void
eval_in(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out)
{
	struct operand a, b;
	uint32_t k;

	eval_operand(ev, e, n->a, rec, &a);
	for (k = 0; k < n->nargs; k++) {
		eval_operand(ev, e, e->args[n->args + k], rec, &b);
		if (compare(ev, PF_OP_EQ, &a, &b)) {
			pf_set_bool(out, true);
			return;
		}
	}
	pf_set_bool(out, false);
}

void
pf_eval_node(struct pf_eval *ev, const struct pf_expr *e, uint32_t i,
    const struct pf_record *rec, struct pf_value *out)
{
	const struct pf_node *n = &e->nodes[i];
	struct pf_value a, b;
	struct operand oa, ob;

	switch (n->kind) {
	case PF_N_CONST:
		*out = n->val;
		return;
	case PF_N_FIELD:
		if ((size_t)n->field < rec->nfields)
			pf_set_str(out, rec->fields[n->field].ptr,
			    rec->fields[n->field].len);
		else
			set_empty(out);
		return;
	case PF_N_RAW:
		pf_set_str(out, rec->raw, rec->raw_len);
		return;
	case PF_N_REGEX:
		pf_set_bool(out, regex_match(ev, n->re, rec->raw, rec->raw_len));
		return;
	case PF_N_NEG:
		eval_operand(ev, e, n->a, rec, &oa);
		if (!oa.is_num) {
			if (!is_empty(&oa.v))
				pf_note(ev, e, n, rec, PF_NOTE_NUMBER, &oa.v,
				    false);
			set_empty(out);
			return;
		}
		pf_negate(&oa.num, out);
		return;
	case PF_N_NOT:
		pf_eval_node(ev, e, n->a, rec, &a);
		pf_set_bool(out, !pf_value_truthy(&a));
		return;
	case PF_N_AND:
		pf_eval_node(ev, e, n->a, rec, &a);
		if (!pf_value_truthy(&a)) {
			pf_set_bool(out, false);
			return;
		}
		pf_eval_node(ev, e, n->b, rec, &b);
		pf_set_bool(out, pf_value_truthy(&b));
		return;
	case PF_N_OR:
		pf_eval_node(ev, e, n->a, rec, &a);
		if (pf_value_truthy(&a)) {
			pf_set_bool(out, true);
			return;
		}
		pf_eval_node(ev, e, n->b, rec, &b);
		pf_set_bool(out, pf_value_truthy(&b));
		return;
	case PF_N_COND:
		pf_eval_node(ev, e, n->a, rec, &a);
		pf_eval_node(ev, e, pf_value_truthy(&a) ? n->b : n->c, rec, out);
		return;
	case PF_N_CMP:
		if (e->nodes[n->a].kind == PF_N_FIELD &&
		    e->nodes[n->b].kind == PF_N_CONST) {
			pf_set_bool(out, compare_field_const(n,
			    &e->nodes[n->a], &e->nodes[n->b], rec));
			return;
		}
		eval_operand(ev, e, n->a, rec, &oa);
		eval_operand(ev, e, n->b, rec, &ob);
		pf_set_bool(out, compare(ev, n->op, &oa, &ob));
		return;
	case PF_N_MATCH:
		eval_match(ev, e, n, rec, out);
		return;
	case PF_N_IN:
		eval_in(ev, e, n, rec, out);
		return;
	case PF_N_ARITH:
		eval_operand(ev, e, n->a, rec, &oa);
		eval_operand(ev, e, n->b, rec, &ob);
		if (!oa.is_num || !ob.is_num) {
			arith_unreadable(ev, e, n, rec, &oa, &ob, out);
			return;
		}
		if (!pf_arith(n->op, &oa.num, &ob.num, out))
			pf_note(ev, e, n, rec, PF_NOTE_ZERO, NULL, false);
		return;
	case PF_N_CONCAT:
		pf_eval_node(ev, e, n->a, rec, &a);
		pf_eval_node(ev, e, n->b, rec, &b);
		concat(ev, &a, &b, out);
		return;
	case PF_N_CALL:
		n->func->impl(ev, e, n, rec, out);
		return;
	}
}

void
pf_eval(struct pf_eval *ev, const struct pf_expr *e,
    const struct pf_record *rec, struct pf_value *out)
{
	pf_eval_node(ev, e, e->root, rec, out);
}
