/*
 * keys.c - key lists and record keys (see keys.h).
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr/keys.h"
#include "expr/report.h"
#include "support/status.h"
#include "support/table.h"
#include "support/xalloc.h"

/*
 * True when item reads as a field name with spaces ("Major Genres"):
 * words of letters, digits, '_' and non-ASCII bytes, with a space
 * between two of them.
 */
static bool
spaced_name(const char *item, size_t len)
{
	bool space = false;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)item[i];

		if (c == ' ')
			space = true;
		else if (!(c >= 0x80 || c == '_' || (c >= '0' && c <= '9') ||
		    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			return false;
	}
	return space && item[0] != ' ' && item[len - 1] != ' ';
}

long
pf_key_item_field(const char *item, size_t len,
    const struct pf_schema *schema)
{
	struct pf_expr_error err;
	struct pf_expr *e = NULL;
	long field;
	char *copy;

	/*
	 * An exact header name wins. A schema of any name (record.h) knows
	 * none: there an item is an expression when it may be one ("a +"
	 * is then a syntax error, not a name), and a field only when it can
	 * only be one (below).
	 */
	if (!schema->any_name &&
	    (field = pf_field_lookup(schema, item, len)) >= 0)
		return field;
	if (!(len > 0 && (item[0] == '{' ||
	    strspn(item, "0123456789") >= len)) && !spaced_name(item, len))
		return PF_KEY_EXPRESSION;
	copy = pf_xstrndup(item, len);
	/* "a and b" is an expression; "Major Genres" can only be a name */
	if (spaced_name(item, len))
		e = pf_expr_compile(copy, schema, &err);
	if (e != NULL) {
		pf_expr_free(e);
		free(copy);
		return PF_KEY_EXPRESSION;
	}
	if (schema->any_name)
		field = pf_field_lookup(schema, item, len);
	else {
		pf_field_unknown(schema, copy, NULL);
		field = PF_KEY_UNKNOWN;
	}
	free(copy);
	return field;
}

/*
 * The list as an expression list for pf_projection_compile(), each item
 * by pf_key_item_field(): a field becomes "$N", anything else stays an
 * expression. Returns NULL after reporting an item that names no field;
 * else the list, malloc'd.
 */
static char *
keys_source(const char *src, const struct pf_schema *schema)
{
	struct pf_buf b = { 0 };
	char **items;
	size_t n, i;
	long field;
	bool bad = false;
	char ref[24];

	n = pf_expr_split_list(src, &items);
	for (i = 0; i < n; i++) {
		if (i > 0)
			pf_buf_addc(&b, ',');
		field = bad ? PF_KEY_EXPRESSION :
		    pf_key_item_field(items[i], strlen(items[i]), schema);
		if (field >= 0) {
			snprintf(ref, sizeof(ref), "$%ld", field + 1);
			pf_buf_adds(&b, ref);
		} else if (field == PF_KEY_UNKNOWN)
			bad = true;
		else
			pf_buf_adds(&b, items[i]);
		free(items[i]);
	}
	free(items);
	pf_buf_addc(&b, '\0');
	if (bad) {
		free(b.data);
		return NULL;
	}
	return b.data;
}

int
pf_keys_compile(struct pf_keys *k, const char *src,
    const struct pf_schema *schema)
{
	struct pf_expr_error err;
	char *fixed;
	size_t i;

	memset(k, 0, sizeof(*k));
	k->single_field = -1;
	k->join_sep = -1;
	if ((fixed = keys_source(src, schema)) == NULL)
		return PF_USAGE;
	k->proj = pf_projection_compile(fixed, schema, &err);
	if (k->proj == NULL) {
		pf_report_expr_error(fixed, &err);
		free(fixed);
		return PF_USAGE;
	}
	free(fixed);
	k->n = k->proj->ncols;
	for (i = 0; i < k->n; i++)
		if (k->proj->cols[i].field < 0)
			k->uses_eval = true;
	if (k->n == 1 && k->proj->cols[0].field >= 0)
		k->single_field = k->proj->cols[0].field;
	return 0;
}

void
pf_keys_free(struct pf_keys *k)
{
	if (k->proj != NULL)
		pf_projection_free(k->proj);
	k->proj = NULL;
}

/*
 * Appends part i: its bytes alone for a key of one part, or after the
 * join byte, or length-prefixed.
 */
static void
add_part(const struct pf_keys *k, struct pf_buf *out, size_t i,
    const char *s, size_t len)
{
	size_t at;
	char *p;

	if (k->n == 1 || k->join_sep >= 0) {
		if (i > 0 && k->join_sep >= 0)
			pf_buf_addc(out, (char)k->join_sep);
		at = out->len;
		pf_buf_add(out, s, len);
	} else {
		pf_buf_reserve(out, PF_KEY_ROOM(len));
		p = out->data + out->len;
		pf_key_add(&p, s, len);
		out->len = (size_t)(p - out->data);
		at = out->len - len;
	}
	for (; k->fold_case && at < out->len; at++)
		if (out->data[at] >= 'A' && out->data[at] <= 'Z')
			out->data[at] += 'a' - 'A';
}

const char *
pf_keys_encode(const struct pf_keys *k, struct pf_eval *ev,
    const struct pf_record *rec, struct pf_buf *out)
{
	const struct pf_column *col;
	struct pf_value v;
	const char *s;
	size_t i, len;

	out->len = 0;
	if (k->uses_eval)
		pf_eval_reset(ev);
	for (i = 0; i < k->n; i++) {
		col = &k->proj->cols[i];
		if (col->field >= 0) {
			if ((size_t)col->field < rec->nfields)
				add_part(k, out, i, rec->fields[col->field].ptr,
				    rec->fields[col->field].len);
			else
				add_part(k, out, i, "", 0);
		} else {
			pf_eval(ev, col->expr, rec, &v);
			if (pf_eval_error(ev) != NULL)
				return pf_eval_error(ev);
			pf_value_text(ev, &v, &s, &len);
			add_part(k, out, i, s, len);
		}
	}
	return NULL;
}
