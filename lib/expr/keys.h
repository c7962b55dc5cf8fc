/*
 * keys.h - key lists (-k KEY[,KEY...]): compiled once against the
 * header, then each record's key encoded as bytes for a hash table.
 *
 * A KEY is a field by the field rule (pf_field_lookup: exact name,
 * {braced name}, 1-based position), else an expression (see
 * pf_projection_compile). A record's key of one part is that part's
 * bytes; of several, each part length-prefixed (pf_key_add, table.h), so
 * that ("a,b") and ("a", "b") differ, unless the caller sets join_sep
 * after compiling: then the parts are joined by that byte (ppartition's
 * documented key, whose hash names the partition).
 */
#ifndef PF_KEYS_H
#define PF_KEYS_H

#include <stddef.h>

#include "support/buf.h"
#include "expr/expr.h"
#include "csv/record.h"

struct pf_keys {
	struct pf_projection	*proj;
	size_t			 n;
	bool			 uses_eval;	/* a key is an expression */
	long			 single_field;	/* the key's one field, or -1 */
	bool			 fold_case;	/* encode A-Z as a-z (pjoin) */
	int			 join_sep;	/* -1, or the byte that joins
						   parts (ppartition) */
};

/*
 * Resolves one item of a key list by the field rule: returns its 0-based
 * field; or PF_KEY_EXPRESSION when it is to be compiled as an expression;
 * or PF_KEY_UNKNOWN after reporting (pf_field_unknown, quoted whole) an
 * item that can only mean a field: a position, a {braced name}, or a
 * name with spaces that is no expression ("Major Genres"). Against a
 * schema of any name (record.h), only such an item is a field: all
 * others are expressions, so that their syntax is checked.
 */
#define PF_KEY_EXPRESSION	(-1)
#define PF_KEY_UNKNOWN		(-2)
long pf_key_item_field(const char *item, size_t len,
    const struct pf_schema *schema);

/*
 * Compiles a -k list against schema into k. On an error, reports it
 * (with the source, as pf_report_expr_error) and returns 2; else 0.
 */
int pf_keys_compile(struct pf_keys *k, const char *src,
    const struct pf_schema *schema);
void pf_keys_free(struct pf_keys *k);

/*
 * Encodes rec's key into out (replacing what it held). ev is a worker's
 * evaluator (needed when uses_eval), reset here. Returns NULL, or why an
 * expression failed (a regex error, pf_eval_error()).
 */
const char *pf_keys_encode(const struct pf_keys *k, struct pf_eval *ev,
    const struct pf_record *rec, struct pf_buf *out);

#endif
