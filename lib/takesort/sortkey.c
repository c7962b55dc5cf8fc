/*
 * sortkey.c - ptakesort's keys: parsing -k and its suffixes, resolving
 * each key against the header, computing a record's key values, packing
 * a record with its keys into a blob, and the order of two records.
 *
 * Order within a key: numbers before non-numbers (under :num) before
 * empty values; :desc reverses numbers and strings but empty values
 * stay last. A key without :num or :str compares numerically when every
 * non-empty value of it in the whole input is a number, byte-wise
 * otherwise; a "strmask" names one such outcome (bit k set: automatic
 * key k compares as a string). Top-N and the whole sort use this one
 * comparison, so `-n HUGE` and the whole sort agree byte for byte.
 */
#include <err.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "support/number.h"
#include "support/status.h"
#include "support/xalloc.h"
#include "expr/report.h"
#include "takesort/keyvalue.h"
#include "takesort/takesort_int.h"


static inline int
bytes_cmp(const struct val *a, const struct val *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int c = n > 0 ? memcmp(a->s, b->s, n) : 0;

	if (c != 0)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}


/* Compares an integer with a double exactly (no rounding of i). */
static int
int_double_cmp(int64_t i, double d)
{
	double t;
	int64_t ti;

	if (d >= 9223372036854775808.0)
		return -1;
	if (d < -9223372036854775808.0)
		return 1;
	t = trunc(d);
	ti = (int64_t)t;
	if (i != ti)
		return i < ti ? -1 : 1;
	return d > t ? -1 : d < t;
}

#define EXACT_INT	(INT64_C(1) << 53)	/* a double holds |i| below */

/* Whether a number's text is an expression's "inf" or "-inf". */
static inline int
infinite_text(const struct val *v)
{
	return v->len > 0 && (v->s[0] == 'i' || (v->s[0] == '-' &&
	    v->len > 1 && v->s[1] == 'i'));
}

/*
 * Orders two numbers exactly, as written. The doubles (nearest to each
 * value) decide when they differ, since rounding keeps the order; equal
 * doubles of values not both exact (0.3 and 0.30000000000000001, 2^64
 * and 2^64 + 1, 1e-400 and 0) go to the decimal texts.
 */
static inline int
num_cmp(const struct val *a, const struct val *b)
{
	double da, db;
	int c;

	if (a->is_int && b->is_int)
		return a->i < b->i ? -1 : a->i > b->i;
	if (a->is_int && a->i > -EXACT_INT && a->i < EXACT_INT) {
		if ((c = int_double_cmp(a->i, b->d)) != 0)
			return c;
	} else if (b->is_int && b->i > -EXACT_INT && b->i < EXACT_INT) {
		if ((c = -int_double_cmp(b->i, a->d)) != 0)
			return c;
	} else {
		da = a->is_int ? (double)a->i : a->d;
		db = b->is_int ? (double)b->i : b->d;
		if (da != db)
			return da < db ? -1 : 1;
		if (isinf(da) && (infinite_text(a) || infinite_text(b)))
			/* A computed infinity passes every written number. */
			return (infinite_text(a) - infinite_text(b)) *
			    (da > 0 ? 1 : -1);
	}
	return pf_number_cmp_text(a->s, a->len, b->s, b->len);
}



/*
 * Whether equal hints (under strmask) of v and another exact value mean
 * equal keys, so that the comparison can go straight to input order:
 * one key, empty, or an integer a double holds with its last two bits
 * zero, or a string of at most 7 bytes and no NUL.
 */
bool
hint_exact(const struct takesort *ts, const struct val *v, unsigned strmask)
{
	size_t i;

	if (ts->nkeys != 1)
		return false;
	if (v->kind == VAL_EMPTY)
		return true;
	if (numeric(&ts->keys[0], strmask) && v->kind == VAL_NUM)
		return v->is_int && v->i > -(INT64_C(1) << 50) &&
		    v->i < INT64_C(1) << 50;
	if (v->len > 7)
		return false;
	for (i = 0; i < v->len; i++)
		if (v->s[i] == '\0')
			return false;
	return true;
}

/* Orders two records' keys under the outcome strmask. */
int
vals_cmp(const struct takesort *ts, const struct val *a, const struct val *b,
    unsigned strmask)
{
	const struct key *k;
	int ka, kb, c;
	size_t j;

	for (j = 0; j < ts->nkeys; j++) {
		k = &ts->keys[j];
		ka = a[j].kind;
		kb = b[j].kind;
		if (!numeric(k, strmask)) {
			ka = ka == VAL_EMPTY;
			kb = kb == VAL_EMPTY;
		}
		if (ka != kb)
			return ka < kb ? -1 : 1;
		if (a[j].kind == VAL_EMPTY)
			continue;
		if (ka == VAL_NUM && numeric(k, strmask))
			c = num_cmp(&a[j], &b[j]);
		else
			c = bytes_cmp(&a[j], &b[j]);
		if (c != 0)
			return k->desc ? -c : c;
	}
	return 0;
}

int
blob_cmp(const void *a, const void *b, void *arg)
{
	const struct variant *v = arg;

	return vals_cmp(v->ts, ((const struct blob *)a)->vals,
	    ((const struct blob *)b)->vals, v->strmask);
}

/*
 * Splits a trailing :num, :str, :desc or :asc off src (in place), any
 * number of them in any order. Returns an error message or NULL.
 */
static const char *
peel_suffixes(char *src, struct key *k)
{
	static const char *const names[] = { ":num", ":str", ":desc", ":asc" };
	bool typed = false, directed = false, found;
	size_t len = strlen(src), n, i;

	k->type = KEY_AUTO;
	k->desc = false;
	do {
		found = false;
		for (i = 0; i < 4; i++) {
			n = strlen(names[i]);
			if (len <= n || memcmp(src + len - n, names[i], n) != 0)
				continue;
			if (i < 2) {
				if (typed && k->type != (i == 0 ? KEY_NUM :
				    KEY_STR))
					return ":num and :str conflict";
				typed = true;
				k->type = i == 0 ? KEY_NUM : KEY_STR;
			} else {
				if (directed && k->desc != (i == 2))
					return ":asc and :desc conflict";
				directed = true;
				k->desc = i == 2;
			}
			len -= n;
			src[len] = '\0';
			found = true;
		}
	} while (found);
	while (len > 0 && (src[len - 1] == ' ' || src[len - 1] == '\t'))
		src[--len] = '\0';
	return NULL;
}

/*
 * Parses the -k list into ts->keys (suffixes only; the schema comes in
 * start). Returns false after a usage message.
 */
bool
parse_keys(struct takesort *ts)
{
	char **items;
	const char *why;
	size_t n, i, nauto = 0;

	if (ts->args->sample) {
		ts->keys = pf_xcalloc(1, sizeof(*ts->keys));
		ts->nkeys = 1;
		ts->keys[0] = (struct key){ .src = pf_xstrdup("--sample"),
		    .type = KEY_NUM, .field = -1, .sample = true };
		nauto = 0;
		goto variants;
	}
	n = pf_expr_split_list(ts->args->keys, &items);
	ts->keys = pf_xcalloc(n > 0 ? n : 1, sizeof(*ts->keys));
	ts->nkeys = n;
	for (i = 0; i < n; i++) {
		ts->keys[i].src = items[i];
		ts->keys[i].field = -1;
	}
	free(items);
	if (n == 0) {
		warnx("-k: no keys");
		return false;
	}
	for (i = 0; i < n; i++) {
		struct key *k = &ts->keys[i];
		char *orig = pf_xstrdup(k->src);

		why = peel_suffixes(k->src, k);
		if (why == NULL && k->src[0] == '\0')
			why = "empty key";
		if (why != NULL) {
			warnx("-k: key '%s': %s", orig, why);
			free(orig);
			return false;
		}
		free(orig);
		if (k->type == KEY_AUTO) {
			if (nauto == MAX_AUTO_KEYS) {
				warnx("-k: more than %d keys without :num or "
				    ":str", MAX_AUTO_KEYS);
				return false;
			}
			k->bit = 1u << nauto++;
		}
	}
variants:
	ts->nvariants = 1u << nauto;
	ts->variants = pf_xcalloc(ts->nvariants, sizeof(*ts->variants));
	for (i = 0; i < ts->nvariants; i++) {
		ts->variants[i].ts = ts;
		ts->variants[i].strmask = (unsigned)i;
	}
	return true;
}

/*
 * A key that is no field and ends in ":WORD" most likely misspells a
 * suffix ("temp:dsc"): says so and returns true.
 */
static bool
unknown_suffix(const char *src)
{
	const char *colon = strrchr(src, ':'), *p;

	if (colon == NULL || colon == src || colon[1] == '\0')
		return false;
	for (p = colon + 1; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			return false;
	warnx("-k: unknown suffix ':%s' in '%s' (suffixes: :num, :str, "
	    ":desc, :asc)", colon + 1, src);
	return true;
}

/*
 * Resolves each key to a field by the field rule (pf_field_lookup), or
 * else to a compiled expression.
 */
int
compile_keys(struct takesort *ts, const struct pf_schema *schema)
{
	struct pf_expr_error err;
	struct key *k;
	size_t i;

	for (i = 0; i < ts->nkeys; i++) {
		k = &ts->keys[i];
		if (k->sample)
			continue;
		k->field = pf_key_item_field(k->src, strlen(k->src), schema);
		if (k->field >= 0)
			continue;
		if (k->field == PF_KEY_UNKNOWN)
			return PF_USAGE;
		if ((k->expr = pf_expr_compile(k->src, schema, &err)) == NULL) {
			if (unknown_suffix(k->src))
				return PF_USAGE;
			pf_report_expr_error(k->src, &err);
			return PF_USAGE;
		}
		if ((k->field = pf_expr_field(k->expr)) >= 0) {
			pf_expr_free(k->expr);
			k->expr = NULL;
		} else
			ts->uses_eval = true;
	}
	return 0;
}

/* How many leading fields the keys read (see pf_tool). */
size_t
key_fields_needed(const struct takesort *ts)
{
	long last = -1, f;
	size_t i;

	for (i = 0; i < ts->nkeys; i++) {
		f = ts->keys[i].field >= 0 ? ts->keys[i].field :
		    ts->keys[i].expr != NULL ?
		    pf_expr_max_field(ts->keys[i].expr) : -1;
		if (f > last)
			last = f;
	}
	return last < 0 ? 1 : (size_t)last + 1;
}




/* Whether p lies within the record's raw bytes. */
static inline bool
within(const char *p, size_t len, const struct pf_record *rec)
{
	return p >= rec->raw && p + len <= rec->raw + rec->raw_len;
}

/*
 * The size of rec's blob: its keys (w->cand), its raw bytes and '\n',
 * and the key texts from elsewhere; rounded up to a multiple of 8.
 */
size_t
blob_size(const struct worker *w, const struct pf_record *rec)
{
	const size_t nkeys = w->ts->nkeys;
	size_t j, extra = 0;

	for (j = 0; j < nkeys; j++)
		if (!within(w->cand[j].s, w->cand[j].len, rec))
			extra += w->cand[j].len;
	return (sizeof(struct blob) + nkeys * sizeof(struct val) +
	    rec->raw_len + 1 + extra + 7) & ~(size_t)7;
}

/* Packs rec and its keys (w->cand) into b, of blob_size() bytes. */
void
blob_fill(const struct worker *w, const struct pf_record *rec, struct blob *b)
{
	const size_t nkeys = w->ts->nkeys;
	char *raw, *p;
	size_t j;

	b->raw_len = rec->raw_len;
	raw = (char *)(b->vals + nkeys);
	memcpy(raw, rec->raw, rec->raw_len);
	raw[rec->raw_len] = '\n';
	p = raw + rec->raw_len + 1;
	for (j = 0; j < nkeys; j++) {
		b->vals[j] = w->cand[j];
		if (within(w->cand[j].s, w->cand[j].len, rec))
			b->vals[j].s = raw + (w->cand[j].s - rec->raw);
		else {
			if (w->cand[j].len > 0)
				memcpy(p, w->cand[j].s, w->cand[j].len);
			b->vals[j].s = p;
			p += w->cand[j].len;
		}
	}
}

/*
 * Notes the automatic keys that turned out to be strings, here or in
 * another worker (a key settled anywhere is settled for the output).
 * Returns whether w->strmask changed.
 */
bool
note_strings(struct worker *w)
{
	struct takesort *ts = w->ts;
	unsigned before = w->strmask;
	size_t j;

	for (j = 0; j < ts->nkeys; j++)
		if (ts->keys[j].bit != 0 && w->cand[j].kind == VAL_STR)
			w->strmask |= ts->keys[j].bit;
	if (w->strmask != before)
		atomic_fetch_or_explicit(&ts->strmask, w->strmask,
		    memory_order_relaxed);
	else
		w->strmask |= atomic_load_explicit(&ts->strmask,
		    memory_order_relaxed);
	return w->strmask != before;
}

/*
 * Writes one kept record, raw or re-serialized; in the latter case it
 * is split again from a copy in scratch, padded as the splitter needs.
 */
void
write_blob(struct takesort *ts, struct pf_splitter *sp, struct pf_buf *scratch,
    const struct blob *b, struct pf_buf *out)
{
	const char *raw = (const char *)(b->vals + ts->nkeys);
	enum pf_split_status status;
	struct pf_record rec;
	struct pf_field empty = { "", 0 };
	size_t lines;

	if (ts->raw_copy) {
		pf_buf_add(out, raw, b->raw_len + 1);
		return;
	}
	scratch->len = 0;
	pf_buf_add(scratch, raw, b->raw_len);
	pf_split_pad(scratch);
	if (pf_split_next(sp, &ts->opt->in, scratch->data,
	    scratch->data + scratch->len, &rec, &lines, &status) == NULL) {
		/* An empty line (--lines): one empty field. */
		rec.fields = &empty;
		rec.nfields = 1;
	}
	pf_output_record(&ts->out, out, rec.fields, rec.kinds, rec.nfields);
}


void
free_keys(struct takesort *ts)
{
	size_t i;

	for (i = 0; i < ts->nkeys; i++) {
		free(ts->keys[i].src);
		if (ts->keys[i].expr != NULL)
			pf_expr_free(ts->keys[i].expr);
	}
	free(ts->keys);
	free(ts->variants);
	pf_keys_free(&ts->groups);
}
