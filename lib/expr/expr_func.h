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

/*
 * Argument k as a number; a value that is neither one nor empty is
 * noted (notes.h) as not a number.
 */
static inline bool
arg_number_noted(struct pf_eval *ev, const struct pf_expr *e,
    const struct pf_node *n, uint32_t k, const struct pf_record *rec,
    struct pf_number *num)
{
	struct pf_value v;

	arg(ev, e, n, k, rec, &v);
	if (pf_value_number(&v, num))
		return true;
	if (!(v.type == PF_V_STR && v.len == 0))
		pf_note(ev, e, n, rec, PF_NOTE_NUMBER, &v, false);
	return false;
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
/* The length of the UTF-8 character at s (1 for an invalid byte). */
size_t utf8_char_len(const char *s, size_t len);

/* Time functions (expr_func_time.c) */
void fn_time(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_strftime(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_sec2date(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_sec2gmt(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_year(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_month(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_day(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_hour(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_minute(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_second(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_weekday(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_yearday(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
const char *check_time(const struct pf_expr *e, struct pf_node *n, char *msg,
    size_t size, uint32_t *arg_index);
const char *check_strftime(const struct pf_expr *e, struct pf_node *n, char *msg,
    size_t size, uint32_t *arg_index);
const char *check_date_part(const struct pf_expr *e, struct pf_node *n, char *msg,
    size_t size, uint32_t *arg_index);

/* format() (expr_func_format.c) */
void fn_format(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
const char *check_format(const struct pf_expr *e, struct pf_node *n, char *msg,
    size_t size, uint32_t *arg_index);

/* More text, numbers, hashes, rand, typeof (expr_func_more.c) */
void fn_split(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_index(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_contains(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_startswith(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_endswith(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_lpad(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_rpad(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_repeat(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_match(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_sqrt(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_log(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_log10(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_exp(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_md5(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_sha1(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_sha256(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_xxh64(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_rand(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
void fn_typeof(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, struct pf_value *out);
const char *check_match(const struct pf_expr *e, struct pf_node *n, char *msg,
    size_t size, uint32_t *arg_index);
const char *check_rand(const struct pf_expr *e, struct pf_node *n, char *msg,
    size_t size, uint32_t *arg_index);

#endif
