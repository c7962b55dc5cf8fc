/*
 * expr_int.h - the inside of compiled expressions and evaluation state,
 * shared by expr_parse.c, expr_eval.c and expr_func.c only.
 *
 * A compiled expression is an array of nodes; children are indexes into
 * the same array, and the variable-length operand lists of function calls
 * and `in` live in a separate index array.
 */
#ifndef PF_EXPR_INT_H
#define PF_EXPR_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <locale.h>
#include <pcre2.h>

#include "support/buf.h"
#include "expr/expr.h"
#include "expr/notes.h"
#include "support/number.h"
#include "support/tzfile.h"

enum pf_node_kind {
	PF_N_CONST,	/* val; num/is_num pre-parsed */
	PF_N_FIELD,	/* field */
	PF_N_RAW,	/* $0 */
	PF_N_REGEX,	/* re; as a value it matches $0 */
	PF_N_NEG,	/* -a */
	PF_N_NOT,	/* !a */
	PF_N_AND,	/* a && b */
	PF_N_OR,	/* a || b */
	PF_N_COND,	/* a ? b : c */
	PF_N_CMP,	/* a op b, op a PF_OP_ comparison */
	PF_N_MATCH,	/* a =~ b; op is 1 for !~ */
	PF_N_IN,	/* a in (args) */
	PF_N_ARITH,	/* a op b, op one of + - * / % */
	PF_N_CONCAT,	/* a . b */
	PF_N_CALL,	/* func(args) */
};

enum pf_cmp_op { PF_OP_EQ, PF_OP_NE, PF_OP_LT, PF_OP_LE, PF_OP_GT, PF_OP_GE };

struct pf_eval;
struct pf_node;

typedef void pf_func_impl(struct pf_eval *, const struct pf_expr *,
    const struct pf_node *, const struct pf_record *, struct pf_value *);

/*
 * A function's check at compile time, with its arguments compiled:
 * returns NULL, or a message (in msg) and in *arg the argument it is
 * about. It may set up n (rand() numbers its call sites in n->field).
 */
typedef const char *pf_func_check(const struct pf_expr *e, struct pf_node *n,
    char *msg, size_t size, uint32_t *arg);

struct pf_func {
	const char	*name;
	int		 min_args;
	int		 max_args;	/* -1: any number */
	pf_func_impl	*impl;
	pf_func_check	*check;		/* or NULL */
	const char	*synopsis;	/* for help: "round(x[, d])" */
	const char	*help;		/* ... and what it gives */
};

struct pf_node {
	enum pf_node_kind	 kind;
	int			 op;
	uint32_t		 a, b, c;	/* children */
	uint32_t		 args, nargs;	/* into expr->args */
	long			 field;
	const struct pf_func	*func;
	pcre2_code		*re;
	bool			 pattern;	/* regex used by =~ or replace */
	struct pf_value		 val;		/* constants; owns val.s */
	bool			 is_num;	/* val is a number: num */
	struct pf_number	 num;
	char			*text;		/* constants: val as text (owned) */
	size_t			 text_len;
	size_t			 pos;		/* in the source, for messages */
	size_t			 from, to;	/* calls and arithmetic: their
						   text in expr->src */
};

struct pf_expr {
	char		*src;		/* the source compiled (owned) */
	struct pf_node	*nodes;
	size_t		 nnodes, cap;
	uint32_t	*args;
	size_t		 nargs, argcap;
	uint32_t	 root;
	long		 max_field;
	bool		 uses_raw;
	bool		 uses_nr;	/* calls nr() */
};

/* Patterns compiled at run time from the value right of =~. */
#define PF_REGEX_CACHE 8

struct pf_regex_entry {
	char		*pat;
	size_t		 len;
	pcre2_code	*code;		/* NULL: the pattern does not compile */
	int		 errcode;	/* why not */
};

/* Scratch memory that never moves until the next reset. */
struct pf_scratch_block {
	char	*data;
	size_t	 cap;
};

struct pf_eval {
	pcre2_match_data	*md;
	pcre2_match_context	*mctx;		/* limits; made on first match */
	pcre2_jit_stack		*jit_stack;
	bool			 failed;	/* a regex failed: see error */
	char			 error[200];
	struct pf_scratch_block	*blocks;
	size_t			 nblocks, cur, used;
	struct pf_buf		 work;		/* building results of unknown size */
	locale_t		 utf8;		/* for lower/upper, made on first use */
	bool			 utf8_tried;
	struct pf_regex_entry	 cache[PF_REGEX_CACHE];
	unsigned		 cache_next;
	const struct pf_tz	*tz;		/* the zone last named ... */
	char			 tz_name[64];	/* ... by this name */
	size_t			 tz_len;
	/* pf_eval_select() (expr_vector.c): */
	bool			 probing;	/* note nothing, set noted */
	bool			 noted;		/* pf_note() was called */
	uint32_t		*vector_mem;	/* the selections' memory */
	size_t			 vector_cap;
	void			*columns;	/* ... and number columns' */
	size_t			 columns_cap;
};

/* expr_eval.c */
void pf_eval_node(struct pf_eval *ev, const struct pf_expr *e, uint32_t i,
    const struct pf_record *rec, struct pf_value *out);
/*
 * Of the records recs[sel[0..n)], writes to out (ascending) those where
 * comparison node n, `field OP k` with k a constant, is true; returns
 * how many. As pf_eval_node() on n, one record at a time.
 */
size_t pf_select_field_const(const struct pf_node *n,
    const struct pf_node *field, const struct pf_node *k,
    const struct pf_record *recs, const uint32_t *sel, size_t nsel,
    uint32_t *out);
/* a OP b for two numbers, as the language compares them (NaN: false). */
bool pf_compare_numbers(int op, const struct pf_number *a,
    const struct pf_number *b);
/*
 * a op b (op one of + - * / % ^): integers while they fit, doubles
 * otherwise. False, with out empty, for a division or remainder by zero.
 */
bool pf_arith(int op, const struct pf_number *a, const struct pf_number *b,
    struct pf_value *out);
/* -a: an integer unless it does not fit. */
void pf_negate(const struct pf_number *a, struct pf_value *out);
char *pf_scratch_alloc(struct pf_eval *ev, size_t n);
char *pf_scratch_copy(struct pf_eval *ev, const char *s, size_t n);
bool pf_value_number(const struct pf_value *v, struct pf_number *n);

/* expr_notes.c */
/*
 * A value v at node n that could not be computed with (v NULL for a
 * division by zero): noted in the thread's set (notes.h), or with
 * --strict the evaluation fails. joins_text: n is a + on text.
 */
void pf_note(struct pf_eval *ev, const struct pf_expr *e,
    const struct pf_node *n, const struct pf_record *rec,
    enum pf_note_kind kind, const struct pf_value *v, bool joins_text);

/* expr_regex.c */
pcre2_code *pf_regex_compile(const char *pat, size_t len, uint32_t flags,
    int *errcode, size_t *erroffset);
/*
 * pcre2_match() of re on s with the evaluation's limits. A PCRE2 error
 * (match limit, JIT stack, ...) fails the evaluation (see
 * pf_eval_error()) and is returned as PCRE2_ERROR_NOMATCH.
 */
int pf_regex_match(struct pf_eval *ev, const pcre2_code *re, const char *s,
    size_t len, size_t off);
/* The pattern of node i: its literal regex, or its value compiled. */
const pcre2_code *pf_eval_regex(struct pf_eval *ev, const struct pf_expr *e,
    uint32_t i, const struct pf_record *rec);
/* Frees the evaluation's compiled patterns and match context. */
void pf_eval_regex_free(struct pf_eval *ev);

static inline void
pf_set_str(struct pf_value *v, const char *s, size_t len)
{
	v->type = PF_V_STR;
	v->s = s;
	v->len = len;
}

static inline void
pf_set_int(struct pf_value *v, int64_t i)
{
	v->type = PF_V_INT;
	v->i = i;
}

static inline void
pf_set_num(struct pf_value *v, double d)
{
	v->type = PF_V_NUM;
	v->d = d;
}

static inline void
pf_set_bool(struct pf_value *v, bool b)
{
	v->type = PF_V_BOOL;
	v->i = b;
}

static inline void
pf_set_number(struct pf_value *v, const struct pf_number *n)
{
	if (n->is_int)
		pf_set_int(v, n->i);
	else
		pf_set_num(v, n->d);
}

/* expr_func.c */
const struct pf_func *pf_func_find(const char *name, size_t len);
/* The i-th function in the table (by name), or NULL past the last. */
const struct pf_func *pf_func_at(size_t i);
/* "len, lower, ...": for "unknown function" messages. Caller frees. */
char *pf_func_list(void);

#endif
