/*
 * expr.h - the expression language of pfilter, pmap and key expressions.
 *
 * An expression is compiled once against the header schema (field names
 * become indexes) into an immutable struct pf_expr that all worker threads
 * share; each thread evaluates it with its own struct pf_eval.
 *
 * FIELDS
 *   name          a header field whose name is an identifier [A-Za-z_][A-Za-z0-9_]*
 *   {any name}    any header field, e.g. {elevation ft}, or {3} for position 3
 *   $3            a field by 1-based position (with a header, at most the
 *                 number of header fields); $name also works
 *   $0            the whole raw record
 *   A field missing from a short record is the empty string. The words
 *   and, or, not, in, true, false are reserved: reach such fields with {}.
 *   An identifier followed by '(' is a function call.
 *
 * LITERALS
 *   42  -3.5  1e3  .5         numbers
 *   "text"  'text'            strings; escapes \" \' \\ \n \t \r (any other
 *                             backslash is kept as is, e.g. "\d")
 *   /pattern/flags            a PCRE2 regex, flags i (caseless), x
 *                             (extended), s (dot matches newline), m
 *                             (multiline). Recognised where an operand is
 *                             expected, so a / b is a division. Used on its
 *                             own (not after =~ or in replace) it matches
 *                             $0, as in awk: pfilter '/error/'.
 *   true  false               booleans
 *
 * OPERATORS, loosest first
 *   c ? a : b                 conditional (right associative)
 *   (Nesting, including chains like a + b + c, is limited to 1000 levels.)
 *   ||  or                    logical or  (short-circuit, gives a boolean)
 *   &&  and                   logical and (short-circuit, gives a boolean)
 *   !  not                    logical not
 *   == != < <= > >=           comparison
 *   =~ !~                     regex match / no match
 *   x in (a, b, ...)          x == a or x == b ...
 *   + -                       addition, subtraction
 *   * / %                     multiplication, division, remainder
 *   -x                        negation
 *   a ** b                    power (right associative; -2 ** 2 is -4)
 *   a . b                     string concatenation
 *   ( )                       grouping
 *
 * VALUES
 *   A value is a string, an integer (int64), a number (double) or a
 *   boolean. Fields are strings; a string that is wholly a decimal number
 *   (see number.h: no spaces) counts as a number where one is needed.
 *   Booleans count as 1 and 0 where a number is needed and are written
 *   "true" and "false". Numbers are written in the shortest form that
 *   reads back to the same value; integral values without a decimal point.
 *
 *   Comparison is numeric when both sides are numbers, byte-wise (memcmp,
 *   shorter first) otherwise; when one side is empty and the other a
 *   number, every comparison is false (also != and !~ style negations:
 *   "x != 5" is false for an empty x). Comparisons and logic give booleans.
 *
 *   Arithmetic uses 64-bit integers while both operands are integers and
 *   nothing overflows, doubles otherwise. Division gives an integer when
 *   it is exact, a double otherwise; % is the C remainder (sign of the
 *   dividend), fmod for doubles. Arithmetic on something that is not a
 *   number, or empty, and division or remainder by zero give the empty
 *   string.
 *
 *   Truth: a boolean is its value; a number is true when nonzero; a string
 *   is true unless it is empty, "0" or "false".
 *
 *   Regex matching is in UTF mode (PCRE2_UTF | PCRE2_UCP |
 *   PCRE2_MATCH_INVALID_UTF): . is one character, \w \d \b and caseless
 *   matching are Unicode-aware, and invalid UTF-8 in the subject never
 *   matches across the bad bytes and never fails. The right side of =~ may be any expression; its value is
 *   compiled as a pattern (cached per thread); a pattern that does not
 *   compile makes both =~ and !~ false.
 *
 * FUNCTIONS (text arguments take numbers in their written form)
 *   len(s)            characters in s (UTF-8; each invalid byte counts one)
 *   lower(s) upper(s) Unicode case mapping (C.UTF-8), invalid bytes kept
 *   trim(s)           s without leading and trailing ASCII white space
 *   substr(s, start[, n])  the characters of s from 1-based position
 *                     start, n of them or to the end, as in awk: positions
 *                     before 1 or after the end are clipped, so
 *                     substr("hello", 0, 2) is "h"; start and n are
 *                     truncated to integers; non-numbers give empty.
 *   replace(s, re, repl)   every match of re in s replaced by repl, where
 *                     $0..$9 are the match and its groups (empty when
 *                     unset) and $$ is "$"; re is a regex literal or an
 *                     expression (a pattern that does not compile leaves
 *                     s unchanged). An empty match copies the next
 *                     character: replace("abc", //, "-") is "-a-b-c-".
 *   num(x)            x as a number, or empty when it is not one
 *   int(x)            truncated toward zero
 *   round(x[, d])     rounded half away from zero, to d decimal places
 *                     (d may be negative); the decimal form of x is
 *                     rounded, so round(2.675, 2) is 2.68
 *   floor(x) ceil(x) abs(x)
 *   min(a, ...) max(a, ...)  the least / greatest argument, ignoring empty
 *                     ones; numeric when all the others are numbers,
 *                     byte-wise otherwise; the chosen argument unchanged
 *   isnum(x)          whether x is a number
 *   isempty(x)        whether x is the empty string
 *   coalesce(a, ...)  the first non-empty argument (or empty)
 *   time, strftime, the date parts, format, split, index, contains,
 *   startswith, endswith, lpad, rpad, repeat, match, sqrt, log, log10, exp,
 *   pow, md5, sha1, sha256, xxh64, rand, typeof: man/expressions.mdoc is
 *   their reference (expr_func_time.c, expr_func_format.c,
 *   expr_func_more.c). Values a function or operator cannot compute with
 *   give empty and are counted (notes.h).
 */
#ifndef PF_EXPR_H
#define PF_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "csv/record.h"

struct pf_expr;			/* compiled, immutable, shared by threads */
struct pf_eval;			/* per-thread evaluation state */

struct pf_expr_error {
	char	msg[4096];	/* an unknown field lists every field */
	size_t	pos;		/* byte offset in the source */
};

enum pf_vtype { PF_V_STR, PF_V_INT, PF_V_NUM, PF_V_BOOL };

/*
 * STR: s/len (may point into the record or into eval scratch);
 * INT: i; NUM: d; BOOL: i (0 or 1).
 */
struct pf_value {
	enum pf_vtype	 type;
	int64_t		 i;
	double		 d;
	const char	*s;
	size_t		 len;
};

/*
 * Compiles src against schema (which may be NULL: no named fields).
 * Returns NULL and fills *err on a syntax error or an unknown field.
 */
struct pf_expr *pf_expr_compile(const char *src, const struct pf_schema *schema,
    struct pf_expr_error *err);
void pf_expr_free(struct pf_expr *e);
/* Highest 0-based field index the expression reads, or -1 for none. */
long pf_expr_max_field(const struct pf_expr *e);
/* Whether the expression calls nr() (it needs pf_record.nr). */
bool pf_expr_uses_nr(const struct pf_expr *e);
/* Whether the expression reads $0 (or matches a bare regex against it). */
bool pf_expr_uses_raw(const struct pf_expr *e);
/* If the expression is exactly a field reference, its index, else -1. */
long pf_expr_field(const struct pf_expr *e);
/*
 * If the expression is exactly a constant (`true`, `1`, `"x"`): true,
 * with *truth its truth; its value is then the same for every record.
 */
bool pf_expr_constant(const struct pf_expr *e, bool *truth);

struct pf_eval *pf_eval_new(void);
void pf_eval_free(struct pf_eval *ev);
/* Forgets scratch from earlier records: call once per record. */
void pf_eval_reset(struct pf_eval *ev);
void pf_eval(struct pf_eval *ev, const struct pf_expr *e,
    const struct pf_record *rec, struct pf_value *out);
/*
 * Why the record's evaluation failed, or NULL: a regex that errs while
 * matching (match limit, JIT stack limit) or a pattern from the data that
 * does not compile. The tool stops at the record (a data error). Valid
 * until the next pf_eval_reset().
 */
const char *pf_eval_error(const struct pf_eval *ev);
bool pf_value_truthy(const struct pf_value *v);
/*
 * The truth of e over a vector of records at once (expr_vector.c):
 * writes to sel (room for n) the indexes, ascending, of the records of
 * recs[0..n) whose value is true (false with invert), the ones pf_eval()
 * and pf_value_truthy() choose one at a time, and returns how many. Or
 * returns SIZE_MAX, having noted nothing, when some record must be
 * evaluated on its own (a value to note (notes.h), or a failure): the
 * caller then evaluates the records one at a time. Forgets scratch as
 * pf_eval_reset() does.
 */
size_t pf_eval_select(struct pf_eval *ev, const struct pf_expr *e,
    const struct pf_record *recs, size_t n, bool invert, uint32_t *sel);
/* Text form of v; valid until the next pf_eval_reset(). */
void pf_value_text(struct pf_eval *ev, const struct pf_value *v,
    const char **s, size_t *len);

/*
 * A comma-separated list of columns, as pmap's EXPR and preduce's -k:
 * items are `name = expr` (name an identifier or {any name}) or `expr`.
 * An item that is a plain field reference is named after the field, any
 * other unnamed item by its trimmed source text; `*` expands to all the
 * schema's fields: the fields a record has, so a narrower record (no
 * header) writes fewer, and a wider one its further fields there too
 * (rest_at).
 */
struct pf_column {
	char		*name;
	struct pf_expr	*expr;
	long		 field;		/* >= 0 when the column is just that field */
	bool		 star;		/* from `*`: absent when the record is
					   narrower */
};

struct pf_projection {
	size_t		  ncols;
	struct pf_column *cols;
	size_t		  rest_at;	/* with has_rest: the fields past the
					   schema go before cols[rest_at] */
	bool		  has_rest;	/* the last `*` */
};

struct pf_projection *pf_projection_compile(const char *src,
    const struct pf_schema *schema, struct pf_expr_error *err);
/*
 * pf_projection_compile() for pmap's column list, which may edit the
 * columns so far: `NAME = expr` where NAME is already a column replaces
 * it in place (name and position kept); `-NAME` removes column NAME.
 */
struct pf_projection *pf_projection_compile_columns(const char *src,
    const struct pf_schema *schema, struct pf_expr_error *err);
void pf_projection_free(struct pf_projection *p);
/* The highest 0-based field index any column reads, or -1 for none. */
long pf_projection_max_field(const struct pf_projection *p);
/* Whether any column calls nr(). */
bool pf_projection_uses_nr(const struct pf_projection *p);

/*
 * Splits src at top-level commas (not inside parentheses, strings, {names}
 * or regex literals) into trimmed items. Returns the count (0 for a blank
 * src; "a,,b" has an empty second item); *items is a malloc'd array of
 * malloc'd strings.
 */
size_t pf_expr_split_list(const char *src, char ***items);

/*
 * The language in brief: a malloc'd text for the end of --help (syntax
 * and the functions' names), and the reference "pflow help expressions"
 * prints (each function's synopsis and what it gives).
 */
char *pf_expr_summary(void);
void pf_expr_help(FILE *out);

/*
 * The seed of rand() (--seed): call before compiling. Without it, the
 * first expression that calls rand() draws a fresh seed.
 */
void pf_expr_seed(uint64_t seed);

#endif
