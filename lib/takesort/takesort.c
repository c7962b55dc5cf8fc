/*
 * takesort.c - ptakesort's keys, per-worker heaps and merge (see
 * takesort.h).
 *
 * DESIGN
 *
 * Each worker keeps the first N records it has seen in a bounded heap
 * (topn.c), ordered by the keys and then by rec->order, the record's
 * input position, so ties keep input order. At the end the workers'
 * heaps are merged by one sort and the first N written: the first N of
 * the union of every worker's first N are the first N of the input,
 * whatever records each worker happened to get, so the output is the
 * same for every -j.
 *
 * A key without :num or :str compares numerically when every non-empty
 * value of it in the whole input is a number, byte-wise otherwise. That
 * is only known at the end, and the two orders keep different records,
 * so each worker keeps one heap per possible outcome: with m such keys,
 * 2^m heaps, indexed by a mask whose bit k says "key k is a string".
 * When a worker sees a non-number for key k, the outcome for k is
 * settled (string) and the heaps that assumed "numeric" for it are
 * dropped. At the end the outcome is the OR of the workers' masks and
 * the heap of that mask is taken from each worker: it holds that
 * worker's first N under exactly the order the output needs. With one
 * automatic key and numeric data that is two heaps; :num or :str avoid
 * the second.
 *
 * A kept record is a blob owned by its heap: the key values (with their
 * parsed numbers), then the raw record and its '\n', then copies of key
 * texts that do not lie within the raw record. When the output format
 * differs from the input's, the record is split again at the end. The
 * hot path compares a record's keys, as views into the batch, with the
 * heap's worst blob before copying anything, so for a small N almost
 * every record costs its key parsing and one or two comparisons.
 *
 * Order within a key: numbers before non-numbers (under :num) before
 * empty values; :desc reverses numbers and strings but empty values
 * stay last.
 *
 * SAMPLES (--sample)
 * A sample is the N records of least priority, a priority being
 * XXH64(the record's number in the input, seed): pseudo-random, distinct
 * records get independent ones, so the N least are a uniform sample, and
 * a record's priority does not depend on -j or --chunk (pf_record.nr).
 * It is a key like any other (one numeric key), kept in the same heaps;
 * the sample is then written in input order.
 *
 * GROUPS (-g)
 * With -g, a worker keeps its heaps per group: a group table (table.h)
 * maps each group's key (keys.h) to its heaps and its first appearance
 * (the lowest record order seen). At the end the groups of every worker
 * are joined by key and written in order of first appearance, each the
 * merge of its workers' heaps, as above.
 */
#include <err.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "expr/expr.h"
#include "expr/keys.h"
#include "support/number.h"
#include "csv/output.h"
#include "expr/report.h"
#include "support/table.h"
#include "takesort/takesort.h"
#include <xxhash.h>
#include "takesort/topn.h"
#include "support/xalloc.h"

/* Keys without :num or :str: each doubles the heaps a worker may keep. */
#define MAX_AUTO_KEYS	8

enum key_type { KEY_AUTO, KEY_NUM, KEY_STR };

struct key {
	char		*src;		/* the key without its suffixes */
	enum key_type	 type;
	bool		 desc;
	unsigned	 bit;		/* mask bit of an automatic key, or 0 */
	bool		 sample;	/* --sample's priority, not a field */
	long		 field;		/* >= 0: just this field */
	struct pf_expr	*expr;		/* otherwise */
};

/* The kinds of value, in the order they sort in a numeric key. */
enum { VAL_NUM, VAL_STR, VAL_EMPTY };

/* A key's value: bytes, and the number they spell when kind is VAL_NUM. */
struct val {
	const char	*s;
	size_t		 len;
	union {
		double	 d;
		int64_t	 i;		/* when is_int */
	};
	unsigned char	 kind;
	bool		 is_int;
};

/* A kept record: vals[nkeys], then the raw bytes, '\n', key texts. */
struct blob {
	size_t		 raw_len;
	struct val	 vals[];
};

struct takesort;

/* One possible outcome of the automatic keys: a heap's comparator arg. */
struct variant {
	const struct takesort	*ts;
	unsigned		 strmask;
};

struct takesort {
	struct pf_tool			*tool;
	const struct pf_options		*opt;
	const struct pf_takesort_args	*args;
	size_t				 nkeys;
	struct key			*keys;
	unsigned			 nvariants;	/* 2^(automatic keys) */
	struct variant			*variants;
	atomic_uint			 strmask; /* settled by any worker */
	bool				 uses_eval;
	bool				 raw_copy;
	bool				 output_ready;
	struct pf_output		 out;
	struct pf_keys			 groups;	/* -g, or none */
};

/* A group's heaps, one per variant, and its first appearance. */
struct heaps {
	struct pf_topn	*heaps;			/* [nvariants] */
	uint64_t	 order;
};

struct worker {
	struct takesort		*ts;
	struct pf_eval		*eval;
	unsigned		 strmask;	/* automatic keys seen as strings */
	struct heaps		*sets;		/* one per group (one without -g) */
	size_t			 nsets, setcap;
	struct pf_arena		 arena;		/* -g: the group table's */
	struct pf_groups	 index;		/* -g: key -> set (uint32_t) */
	struct pf_buf		 gkey;		/* -g: the record's group key */
	struct val		*cand;		/* the current record's keys */
};

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

static inline int
num_cmp(const struct val *a, const struct val *b)
{
	if (a->is_int && b->is_int)
		return a->i < b->i ? -1 : a->i > b->i;
	if (a->is_int)
		return int_double_cmp(a->i, b->d);
	if (b->is_int)
		return -int_double_cmp(b->i, a->d);
	return a->d < b->d ? -1 : a->d > b->d;
}

/* Whether key k compares numerically under the outcome strmask. */
static inline bool
numeric(const struct key *k, unsigned strmask)
{
	return k->type == KEY_NUM || (k->type == KEY_AUTO &&
	    !(k->bit & strmask));
}

#define HINT_BITS	62
#define HINT_MASK	((UINT64_C(1) << HINT_BITS) - 1)

/*
 * The heap hint of a record (see topn.h): its first key's kind in the
 * top two bits, then an order-preserving 62-bit prefix of its value:
 * the double's bits made monotone, or the first 7 bytes of its text.
 */
static inline uint64_t
hint_of(const struct takesort *ts, const struct val *v, unsigned strmask)
{
	const struct key *k = &ts->keys[0];
	uint64_t kind, body = 0;
	double d;
	size_t i;

	if (v->kind == VAL_EMPTY)
		return (uint64_t)VAL_EMPTY << HINT_BITS;
	if (numeric(k, strmask) && v->kind == VAL_NUM) {
		kind = VAL_NUM;
		d = v->is_int ? (double)v->i : v->d;
		if (d == 0)
			d = 0;		/* -0 == 0 */
		memcpy(&body, &d, sizeof(body));
		body = body >> 63 ? ~body : body | UINT64_C(1) << 63;
		body >>= 64 - HINT_BITS;
	} else {
		kind = numeric(k, strmask) ? VAL_STR : VAL_NUM;
		for (i = 0; i < 7; i++)
			body = body << 8 | (i < v->len ?
			    (unsigned char)v->s[i] : 0);
		body <<= HINT_BITS - 56;
	}
	if (k->desc)
		body = ~body & HINT_MASK;
	return kind << HINT_BITS | body;
}

/* Orders two records' keys under the outcome strmask. */
static int
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

static int
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
static bool
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

/* Whether s is a nonempty string of digits (a position). */
static bool
all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return false;
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

/* Resolves each key to a field or a compiled expression. */
static int
compile_keys(struct takesort *ts, const struct pf_schema *schema)
{
	struct pf_expr_error err;
	struct key *k;
	char *names;
	size_t i;

	for (i = 0; i < ts->nkeys; i++) {
		k = &ts->keys[i];
		if (k->sample)
			continue;
		k->field = pf_schema_find(schema, k->src, strlen(k->src));
		if (k->field >= 0)
			continue;
		if (all_digits(k->src)) {
			names = pf_schema_list(schema);
			warnx("unknown field '%s' (fields: %s)", k->src, names);
			free(names);
			return 2;
		}
		if ((k->expr = pf_expr_compile(k->src, schema, &err)) == NULL) {
			if (unknown_suffix(k->src))
				return 2;
			pf_report_expr_error(k->src, &err);
			return 2;
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
static size_t
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

static int
takesort_start(void *ctx, const struct pf_schema *schema, struct pf_buf *out)
{
	struct takesort *ts = ctx;
	const struct pf_options *opt = ts->opt;
	size_t i;
	int status;

	if ((status = compile_keys(ts, schema)) != 0)
		return status;
	if (ts->args->groups != NULL &&
	    (status = pf_keys_compile(&ts->groups, ts->args->groups,
	    schema)) != 0)
		return status;
	ts->tool->record_numbers = ts->args->sample ||
	    pf_projection_uses_nr(ts->groups.proj);
	for (i = 0; i < ts->nkeys; i++)
		if (pf_expr_uses_nr(ts->keys[i].expr))
			ts->tool->record_numbers = true;
	ts->raw_copy = opt->out_format == opt->in.format &&
	    opt->out_delim == opt->in.delim;
	if (ts->raw_copy)	/* the record is copied whole: split only keys */
		ts->tool->fields_needed = key_fields_needed(ts);
	if (ts->raw_copy && ts->groups.proj != NULL &&
	    pf_projection_max_field(ts->groups.proj) >=
	    (long)ts->tool->fields_needed)
		ts->tool->fields_needed =
		    (size_t)pf_projection_max_field(ts->groups.proj) + 1;
	pf_output_init(&ts->out, opt->out_format, opt->out_delim,
	    schema->names, schema->nfields);
	ts->output_ready = true;
	if (schema->has_header)
		pf_output_header(&ts->out, out);
	return 0;
}

/* Adds a set of heaps (a group's); returns its index. */
static uint32_t
new_set(struct worker *w)
{
	const struct takesort *ts = w->ts;
	struct heaps *set;
	unsigned m;

	if (w->nsets == w->setcap) {
		w->setcap = w->setcap ? 2 * w->setcap : 4;
		w->sets = pf_xrealloc(w->sets, w->setcap * sizeof(*w->sets));
	}
	set = &w->sets[w->nsets];
	set->heaps = pf_xcalloc(ts->nvariants, sizeof(*set->heaps));
	set->order = UINT64_MAX;
	for (m = 0; m < ts->nvariants; m++)
		pf_topn_init(&set->heaps[m], ts->args->limit, blob_cmp,
		    &ts->variants[m]);
	return (uint32_t)w->nsets++;
}

/*
 * The heaps of the record's group (the only set without -g); NULL when
 * the group's expression failed.
 */
static struct heaps *
set_of(struct worker *w, const struct pf_record *rec)
{
	struct pf_group *g;
	struct heaps *set;
	uint32_t i;
	bool added;

	if (w->ts->groups.proj == NULL)
		return &w->sets[0];
	if (pf_keys_encode(&w->ts->groups, w->eval, rec, &w->gkey) != NULL)
		return NULL;	/* a regex: takesort_failure() */
	g = pf_groups_find(&w->index, w->gkey.data, w->gkey.len, &added);
	if (added) {
		i = new_set(w);
		memcpy(PF_GROUP_STATE(g), &i, sizeof(i));
	} else
		memcpy(&i, PF_GROUP_STATE(g), sizeof(i));
	set = &w->sets[i];
	if (rec->order < set->order)
		set->order = rec->order;
	return set;
}

static void *
takesort_worker_new(void *ctx)
{
	struct takesort *ts = ctx;
	struct worker *w = pf_xcalloc(1, sizeof(*w));

	w->ts = ts;
	if (ts->uses_eval || ts->groups.uses_eval)
		w->eval = pf_eval_new();
	if (ts->groups.proj != NULL)
		pf_groups_init(&w->index, &w->arena, sizeof(uint32_t));
	else
		new_set(w);
	w->cand = pf_xcalloc(ts->nkeys, sizeof(*w->cand));
	return w;
}

static void
takesort_worker_free(void *worker)
{
	struct worker *w = worker;
	size_t i;
	unsigned m;

	for (i = 0; i < w->nsets; i++) {
		for (m = 0; m < w->ts->nvariants; m++)
			pf_topn_free(&w->sets[i].heaps[m]);
		free(w->sets[i].heaps);
	}
	free(w->sets);
	if (w->ts->groups.proj != NULL)
		pf_groups_free(&w->index);
	pf_arena_free(&w->arena);
	pf_buf_free(&w->gkey);
	free(w->cand);
	if (w->eval != NULL)
		pf_eval_free(w->eval);
	free(w);
}

/* Classifies the bytes s/len: empty, a number (parsed), or a string. */
static inline void
set_text(struct val *v, const char *s, size_t len)
{
	struct pf_number num;

	v->s = s;
	v->len = len;
	if (len == 0)
		v->kind = VAL_EMPTY;
	else if (pf_number_parse(s, len, &num)) {
		v->kind = VAL_NUM;
		v->is_int = num.is_int;
		if (num.is_int)
			v->i = num.i;
		else
			v->d = num.d;
	} else
		v->kind = VAL_STR;
}

/* Computes the record's key values into w->cand. */
static void
eval_keys(struct worker *w, const struct pf_record *rec)
{
	const struct takesort *ts = w->ts;
	const struct key *k;
	struct val *v;
	struct pf_value pv;
	const char *s;
	size_t j, len;

	if (w->eval != NULL)
		pf_eval_reset(w->eval);
	for (j = 0; j < ts->nkeys; j++) {
		k = &ts->keys[j];
		v = &w->cand[j];
		if (k->sample) {
			/* 53 bits: the hint (a double) holds them exactly. */
			*v = (struct val){ .s = "", .kind = VAL_NUM,
			    .is_int = true, .i = (int64_t)(XXH64(&rec->nr,
			    sizeof(rec->nr), ts->args->seed) >> 11) };
			continue;
		}
		if (k->field >= 0) {
			if ((size_t)k->field < rec->nfields)
				set_text(v, rec->fields[k->field].ptr,
				    rec->fields[k->field].len);
			else
				set_text(v, "", 0);
			continue;
		}
		pf_eval(w->eval, k->expr, rec, &pv);
		pf_value_text(w->eval, &pv, &s, &len);
		if (pv.type == PF_V_INT) {
			v->s = s;
			v->len = len;
			v->kind = VAL_NUM;
			v->is_int = true;
			v->i = pv.i;
		} else if (pv.type == PF_V_NUM && !isnan(pv.d)) {
			v->s = s;
			v->len = len;
			v->kind = VAL_NUM;
			v->is_int = false;
			v->d = pv.d;
		} else
			set_text(v, s, len);
	}
}

/* Whether p lies within the record's raw bytes. */
static inline bool
within(const char *p, size_t len, const struct pf_record *rec)
{
	return p >= rec->raw && p + len <= rec->raw + rec->raw_len;
}

/* Copies the record and its keys into heap h. */
static void
keep(struct worker *w, struct pf_topn *h, const struct pf_record *rec,
    uint64_t hint)
{
	const size_t nkeys = w->ts->nkeys;
	size_t size, j, extra = 0;
	struct blob *b;
	char *raw, *p;

	for (j = 0; j < nkeys; j++)
		if (!within(w->cand[j].s, w->cand[j].len, rec))
			extra += w->cand[j].len;
	size = sizeof(struct blob) + nkeys * sizeof(struct val) +
	    rec->raw_len + 1 + extra;
	b = (struct blob *)pf_topn_slot(h, size);
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
	pf_topn_commit(h, hint, rec->order);
}

/*
 * Notes the automatic keys that turned out to be strings, here or in
 * another worker (a key settled anywhere is settled for the output).
 */
static void
settle_modes(struct worker *w)
{
	struct takesort *ts = w->ts;
	unsigned m, before = w->strmask;
	size_t j, i;

	for (j = 0; j < ts->nkeys; j++)
		if (ts->keys[j].bit != 0 && w->cand[j].kind == VAL_STR)
			w->strmask |= ts->keys[j].bit;
	if (w->strmask != before)
		atomic_fetch_or_explicit(&ts->strmask, w->strmask,
		    memory_order_relaxed);
	else if ((w->strmask |= atomic_load_explicit(&ts->strmask,
	    memory_order_relaxed)) == before)
		return;
	/* The heaps that assumed "numeric" for those keys are now moot. */
	for (i = 0; i < w->nsets; i++)
		for (m = 0; m < ts->nvariants; m++)
			if ((m & w->strmask) != w->strmask &&
			    w->sets[i].heaps[m].alloc > 0)
				pf_topn_free(&w->sets[i].heaps[m]);
}

static const char *
takesort_failure(void *worker)
{
	return pf_eval_error(((struct worker *)worker)->eval);
}

static uint64_t
takesort_record(void *worker, const struct pf_record *rec, struct pf_buf *out)
{
	struct worker *w = worker;
	const struct takesort *ts = w->ts;
	const struct pf_topn_item *worst;
	struct heaps *set;
	struct pf_topn *h;
	uint64_t hint;
	unsigned m;

	(void)out;
	if (ts->args->limit == 0)
		return 0;
	if ((set = set_of(w, rec)) == NULL)
		return PF_RECORD_FAILED;
	eval_keys(w, rec);
	if (w->eval != NULL && pf_eval_error(w->eval) != NULL)
		return PF_RECORD_FAILED;
	if (ts->nvariants > 1)
		settle_modes(w);
	for (m = 0; m < ts->nvariants; m++) {
		if ((m & w->strmask) != w->strmask)
			continue;
		h = &set->heaps[m];
		hint = hint_of(ts, &w->cand[0], m);
		/*
		 * A worker sees its records in input order, so a tie with
		 * the worst kept record loses: only "strictly before" wins.
		 */
		if (pf_topn_full(h)) {
			worst = pf_topn_worst(h);
			if (hint > worst->hint)
				continue;
			if (hint == worst->hint && vals_cmp(ts, w->cand,
			    ((const struct blob *)worst->data)->vals, m) >= 0)
				continue;
		}
		keep(w, h, rec, hint);
	}
	return 0;
}

/*
 * Writes one kept record, raw or re-serialized; in the latter case it
 * is split again from a copy in scratch, padded as the splitter needs.
 */
static void
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
	pf_output_record(&ts->out, out, rec.fields, rec.nfields);
}

static int
by_seq(const void *a, const void *b)
{
	uint64_t x = ((const struct pf_topn_item *)a)->seq;
	uint64_t y = ((const struct pf_topn_item *)b)->seq;

	return x < y ? -1 : x > y;
}

/* Merges the workers' heaps of one group (strmask's) and writes them. */
static void
write_group(struct takesort *ts, struct pf_topn **heaps, size_t n,
    unsigned strmask, struct pf_buf *out)
{
	struct pf_splitter sp = { 0 };
	struct pf_buf scratch = { 0 };
	struct pf_topn merged;
	size_t i;

	pf_topn_init(&merged, ts->args->limit, blob_cmp,
	    &ts->variants[strmask]);
	pf_topn_merge(&merged, heaps, n);
	if (ts->args->sample)	/* a sample is written in input order */
		qsort(merged.items, merged.n, sizeof(*merged.items), by_seq);
	for (i = 0; i < merged.n; i++)
		write_blob(ts, &sp, &scratch,
		    (const struct blob *)merged.items[i].data, out);
	ts->tool->written += merged.n;
	pf_topn_free(&merged);
	pf_buf_free(&scratch);
	pf_splitter_free(&sp);
}

/* A group across workers: its first appearance and its heaps. */
struct joined {
	uint64_t	  order;
	struct pf_topn	**heaps;	/* [nworkers], n used */
	size_t		  n;
};

static int
by_order(const void *a, const void *b)
{
	uint64_t x = ((const struct joined *)a)->order;
	uint64_t y = ((const struct joined *)b)->order;

	return x < y ? -1 : x > y;
}

/* -g: joins the workers' groups by key, writes them by first appearance. */
static void
write_groups(struct takesort *ts, struct worker **workers, int nworkers,
    unsigned strmask, struct pf_buf *out)
{
	struct pf_arena arena = { 0 };
	struct pf_groups all;
	struct joined *joined = NULL, *j;
	struct pf_group *g, *a;
	size_t njoined = 0, cap = 0, i;
	uint32_t idx;
	bool added;
	int k;

	pf_groups_init(&all, &arena, sizeof(uint32_t));
	for (k = 0; k < nworkers; k++)
		for (i = 0; i < workers[k]->index.count; i++) {
			g = pf_groups_at(&workers[k]->index, (uint32_t)i);
			a = pf_groups_find(&all, g->key, g->keylen, &added);
			if (added) {
				if (njoined == cap) {
					cap = cap ? 2 * cap : 64;
					joined = pf_xrealloc(joined,
					    cap * sizeof(*joined));
				}
				idx = (uint32_t)njoined++;
				memcpy(PF_GROUP_STATE(a), &idx, sizeof(idx));
				joined[idx] = (struct joined){ UINT64_MAX,
				    pf_xcalloc((size_t)nworkers,
				    sizeof(struct pf_topn *)), 0 };
			} else
				memcpy(&idx, PF_GROUP_STATE(a), sizeof(idx));
			j = &joined[idx];
			memcpy(&idx, PF_GROUP_STATE(g), sizeof(idx));
			if (workers[k]->sets[idx].order < j->order)
				j->order = workers[k]->sets[idx].order;
			j->heaps[j->n++] = &workers[k]->sets[idx].heaps[strmask];
		}
	qsort(joined, njoined, sizeof(*joined), by_order);
	for (i = 0; i < njoined; i++) {
		write_group(ts, joined[i].heaps, joined[i].n, strmask, out);
		free(joined[i].heaps);
	}
	free(joined);
	pf_groups_free(&all);
	pf_arena_free(&arena);
}

static void
takesort_finish(void *ctx, void **workers, int nworkers, struct pf_buf *out)
{
	struct takesort *ts = ctx;
	struct worker **ws = (struct worker **)workers;
	struct pf_topn **heaps;
	unsigned strmask = 0;
	int k;

	if (ts->args->limit == 0)
		return;
	for (k = 0; k < nworkers; k++)
		strmask |= ws[k]->strmask;
	if (ts->groups.proj != NULL) {
		write_groups(ts, ws, nworkers, strmask, out);
		return;
	}
	heaps = pf_xcalloc((size_t)nworkers, sizeof(*heaps));
	for (k = 0; k < nworkers; k++)
		heaps[k] = &ws[k]->sets[0].heaps[strmask];
	write_group(ts, heaps, (size_t)nworkers, strmask, out);
	free(heaps);
}

static void
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

int
pf_takesort_main(const struct pf_options *opt,
    const struct pf_takesort_args *args, char **files, int nfiles)
{
	struct takesort ts = { .opt = opt, .args = args };
	struct pf_tool tool = {
		.ctx = &ts,
		.start = takesort_start,
		.worker_new = takesort_worker_new,
		.worker_free = takesort_worker_free,
		.record = takesort_record,
		.record_failure = takesort_failure,
		.finish = takesort_finish,
	};
	int status;

	if (!parse_keys(&ts)) {
		free_keys(&ts);
		return 2;
	}
	ts.tool = &tool;
	status = pf_run(opt, files, nfiles, &tool);
	if (ts.output_ready)
		pf_output_free(&ts.out);
	free_keys(&ts);
	return status;
}
