/*
 * expr_func.h - private to the expression functions (expr_func.c,
 * expr_func_text.c): reading arguments, setting results, and the text
 * functions the table in expr_func.c names.
 */
#ifndef PF_EXPR_FUNC_H
#define PF_EXPR_FUNC_H

#include "expr/expr_int.h"

/* Arguments */

static inline void
arg(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    uint32_t k, const struct pf_record *rec, struct pf_value *v)
{
	pf_eval_node(ev, e, e->args[n->args + k], rec, v);
}

static inline void
arg_text(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    uint32_t k, const struct pf_record *rec, const char **s, size_t *len)
{
	struct pf_value v;

	arg(ev, e, n, k, rec, &v);
	pf_value_text(ev, &v, s, len);
}

static inline bool
arg_number(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    uint32_t k, const struct pf_record *rec, struct pf_number *num)
{
	struct pf_value v;

	arg(ev, e, n, k, rec, &v);
	return pf_value_number(&v, num);
}

static inline void
set_empty(struct pf_value *out)
{
	pf_set_str(out, "", 0);
}

/* An integral double as an integer when it fits, else as a number. */
static inline void
set_integral(struct pf_value *out, double d)
{
	if (d >= -9223372036854775808.0 && d < 9223372036854775808.0)
		pf_set_int(out, (int64_t)d);
	else
		pf_set_num(out, d);
}

/* Text functions (expr_func_text.c) */
void fn_len(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_lower(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_upper(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_trim(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_substr(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_replace(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);

#endif
