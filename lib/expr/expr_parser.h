/*
 * expr_parser.h - private to the expression compiler: tokens, the
 * parser's state, and the functions its four files share:
 *
 *   expr_lex.c      the lexer (tokens from the source text)
 *   expr_nodes.c    building nodes: constants, fields, strings, regexes
 *   expr_parse.c    the grammar (recursive descent) and compilation
 *   expr_columns.c  column lists (pf_projection) and list splitting
 *   expr_select.c   the selection items of pmap's column lists
 *
 * Errors unwind with longjmp (parse_fail) to parse_compile_at, which
 * frees the partial expression.
 */
#ifndef PF_EXPR_PARSER_H
#define PF_EXPR_PARSER_H

#include <setjmp.h>

#include "expr/expr_int.h"

enum token_kind {
	T_END, T_NUM, T_STR, T_REGEX, T_IDENT, T_DOLLAR, T_BRACE,
	T_LPAREN, T_RPAREN, T_COMMA, T_QUESTION, T_COLON,
	T_OR, T_AND, T_NOT, T_IN, T_TRUE, T_FALSE,
	T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_MATCH, T_NMATCH,
	T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PERCENT, T_DOT, T_POW,
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
	size_t			 prev_end;	/* where the token before tok ends */
	bool			 after_operand;	/* an operator comes next */
	bool			 lenient;	/* never fail: for list splitting */
	int			 depth;		/* nesting, bounded for the stack */
	struct pf_expr		*e;
	const struct pf_schema	*schema;
	struct pf_expr_error	*err;
	jmp_buf			 fail;
};

/* Lexer (expr_lex.c) */

/* Records the error at pos of the source and unwinds to compilation. */
void parse_fail(struct parser *p, size_t pos, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 3, 4)));
/* The token's text for messages, shortened, in buf. */
const char *lex_token_text(const struct parser *p, const struct token *t,
    char *buf, size_t size);
bool lex_is_digit(char c);
/* [A-Za-z_] starts an identifier, [A-Za-z0-9_] goes on with one. */
bool lex_is_ident_start(char c);
bool lex_is_ident_char(char c);
/* The first non-space byte at or after i. */
size_t lex_skip_space(const struct parser *p, size_t i);
/* Reads the next token into p->tok. */
void lex_next(struct parser *p);
/* Fails with msg unless the current token is k; then reads the next. */
void lex_expect(struct parser *p, enum token_kind k, const char *msg);

/* Nodes (expr_nodes.c); each returns the new node's index. */

uint32_t node_new(struct parser *p, enum pf_node_kind kind, size_t pos);
struct pf_node *node_at(struct parser *p, uint32_t i);
uint32_t node_binary(struct parser *p, enum pf_node_kind kind, int op,
    uint32_t a, uint32_t b, size_t pos);
/* Appends operand indexes to e->args; returns where they start. */
uint32_t node_add_args(struct parser *p, const uint32_t *list, size_t n);
void node_set_const(struct parser *p, uint32_t i, const struct pf_value *v);
uint32_t node_field(struct parser *p, long index, size_t pos);
/* The field called name, or a failure listing the fields. */
long node_find_field(struct parser *p, const char *name, size_t len,
    size_t pos);
/* $N, $name */
uint32_t node_dollar_field(struct parser *p, const struct token *t);
/* A string literal, its escapes decoded. */
uint32_t node_string(struct parser *p, const struct token *t);
/* A /regex/ literal, compiled now. */
uint32_t node_regex(struct parser *p, const struct token *t);
/* The right side of =~ / !~: a constant string becomes a compiled regex. */
void node_pattern(struct parser *p, uint32_t i);

/* Grammar (expr_parse.c) */

/* Compiles src[0..len) whose first byte is at offset base of the user's text. */
struct pf_expr *parse_compile_at(const char *src, size_t len, size_t base,
    const struct pf_schema *schema, struct pf_expr_error *err);

/* Selections of pmap's column lists (expr_select.c) */

enum selection_kind {
	SEL_FIELDS,	/* 3, a..b; with remove also -name (name set) */
	SEL_REGEX,	/* /re/: fields holds the names it matches */
	SEL_RENAME,	/* old as new: fields holds old, name new */
};

struct selection {
	enum selection_kind	 kind;
	bool			 remove;	/* written with a leading '-' */
	long			*fields;	/* 0-based, in order */
	size_t			 nfields;
	char			*name;
	struct pf_expr		*regex;		/* SEL_REGEX */
};

/*
 * Reads the item src[start..start+len) as a selection (the forms in
 * expr_select.c) against schema. Returns 1 and fills *sel (free it with
 * select_free), 0 when the item is no selection (an expression), -1 on
 * an error (in err: an unknown field, a regex that matches nothing).
 */
int select_parse(const char *src, size_t start, size_t len,
    const struct pf_schema *schema, struct selection *sel,
    struct pf_expr_error *err);
/* Whether the selection's regex matches name (ev: scratch). */
bool select_regex_matches(struct pf_eval *ev, const struct pf_expr *re,
    const char *name);
void select_free(struct selection *sel);

#endif
