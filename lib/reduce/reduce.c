/*
 * reduce.c - preduce's tool callbacks (see reduce.h): per-worker tables,
 * the merge at the end, partial state in and out.
 *
 * DESIGN
 *
 * Each worker folds its records into its own shard: a group table (key
 * -> fixed-size states, table.h) and a value table (distinct, mode and
 * quantile values), both in the shard's arena. Nothing is shared per
 * record. When a shard grows past SPILL_BYTES (many groups, or many
 * values) the worker merges it into the global shard under a lock and
 * starts afresh, so memory follows the number of groups, not the number
 * of workers times groups. At the end, finish() merges every worker's
 * shard into the global one (a merge never changes its source, so the
 * same merge gives a snapshot) and writes one record per group in order
 * of first appearance: every state keeps the lowest record order it saw
 * (pf_record.order grows with input position), and the aggregations are
 * order-independent (agg.h), so the output is the same for every -j.
 *
 * Snapshots and windows (--every, --interval, --window) hand each
 * batch's shard to the writer instead: see reduce_stream.c.
 *
 * --merge reads rows of partial state instead of records: a row's key is
 * its leading columns, each state is decoded and merged into the group as
 * if it came from a worker, at the row's order.
 */
#include <err.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "expr/keys.h"
#include "support/number.h"
#include "reduce/reduce_int.h"
#include "expr/report.h"
#include "support/xalloc.h"

void
pf_reduce_shard_init(struct reduce *r, struct shard *s)
{
	memset(&s->arena, 0, sizeof(s->arena));
	pf_groups_init(&s->groups, &s->arena, r->state_size);
	pf_values_init(&s->values, &s->arena);
}

void
pf_reduce_shard_free(struct shard *s)
{
	pf_groups_free(&s->groups);
	pf_values_free(&s->values);
	pf_arena_free(&s->arena);
}

static size_t
shard_bytes(const struct shard *s)
{
	return s->arena.reserved + s->groups.nchunks * PF_GROUP_CHUNK *
	    s->groups.stride + (s->groups.mask + 1) * sizeof(uint64_t) +
	    (s->values.mask + 1) * sizeof(void *);
}

void
pf_reduce_shard_move(struct reduce *r, struct shard *dst, struct shard *src)
{
	pf_reduce_shard_free(dst);
	*dst = *src;
	dst->groups.arena = dst->values.arena = &dst->arena;
	pf_reduce_shard_init(r, src);
}

void
pf_reduce_shard_merge(struct reduce *r, struct shard *dst,
    const struct shard *src)
{
	uint32_t *map = pf_xmalloc((src->groups.count + 1) * sizeof(*map));
	struct pf_group *g, *d;
	struct pf_value_entry *e;
	size_t i, k;
	bool added;

	for (i = 0; i < src->groups.count; i++) {
		g = pf_groups_at(&src->groups, (uint32_t)i);
		d = pf_groups_get(&dst->groups, pf_hash(g->key, g->keylen),
		    g->key, g->keylen, &added);
		if (g->order < d->order)
			d->order = g->order;
		d->records += g->records;
		for (k = 0; k < r->naggs; k++)
			if (pf_agg_state_size(r->aggs[k].func) > 0)
				pf_agg_merge(&r->aggs[k],
				    PF_GROUP_STATE(d) + r->aggs[k].offset,
				    PF_GROUP_STATE(g) + r->aggs[k].offset,
				    &dst->arena);
		map[i] = d->index;
	}
	for (i = 0; src->values.slots != NULL && i <= src->values.mask; i++)
		if ((e = src->values.slots[i]) != NULL)
			pf_values_add(&dst->values, map[e->group], e->agg,
			    e->bytes, e->len, e->count, e->first, e->sub);
	free(map);
}

/*
 * Errors (--strict, bad --merge input): the record being folded stops the
 * run; the engine reports it with its file and line, the first in input
 * order whichever worker met it.
 */

static void
fail_record(struct reduce_worker *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
fail_record(struct reduce_worker *w, const char *fmt, ...)
{
	va_list ap;

	free(w->failure);
	va_start(ap, fmt);
	if (vasprintf(&w->failure, fmt, ap) < 0)
		w->failure = NULL;
	va_end(ap);
	if (w->failure == NULL)
		err(1, NULL);
}

static const char *
reduce_failure(void *worker)
{
	return ((struct reduce_worker *)worker)->failure;
}

/* Start: check fields, lay out states, write the header. */

static int
unknown_field(const char *field, const char *arg, const struct pf_schema *s)
{
	char *list = pf_schema_list(s);

	warnx("unknown field '%s' in %s (fields: %s)", field, arg, list);
	free(list);
	return 2;
}

static void
layout_states(struct reduce *r)
{
	size_t i, off = 0;
	int nv = 0;

	for (i = 0; i < r->naggs; i++) {
		r->aggs[i].offset = off;
		off += pf_agg_state_size(r->aggs[i].func);
		if (pf_agg_uses_values(r->aggs[i].func))
			r->aggs[i].vindex = nv++;
	}
	r->state_size = off;
}

/* Whether a function reads its field as a number (min, max: if it is). */
static bool
parses_number(enum pf_agg_func f)
{
	return f != PF_AGG_COUNT && f != PF_AGG_FIRST && f != PF_AGG_LAST &&
	    f != PF_AGG_DISTINCT && f != PF_AGG_MODE;
}

/*
 * The fold's steps. A field is parsed once per record, into the slot of
 * the first AGG on it, by the first step that needs its number.
 */
static void
plan_fold(struct reduce *r)
{
	struct fold_step *st;
	size_t i, j;

	r->steps = pf_xcalloc(r->naggs + 1, sizeof(*r->steps));
	for (i = 0; i < r->naggs; i++) {
		st = &r->steps[i];
		st->update = pf_agg_updater(r->aggs[i].func);
		st->index = r->aggs[i].index;
		st->offset = r->aggs[i].offset;
		st->parse = parses_number(r->aggs[i].func);
		st->numeric = pf_agg_numeric(r->aggs[i].func);
		st->slot = (int)i;
		st->first = st->parse;
		for (j = 0; j < i; j++)
			if (r->aggs[j].index == r->aggs[i].index) {
				if (st->slot == (int)i)
					st->slot = (int)j;
				if (r->steps[j].parse)
					st->first = false;
			}
	}
}

static int
start_normal(struct reduce *r, const struct pf_schema *schema)
{
	size_t i;
	long idx;
	int status;

	if (r->args->keys != NULL) {
		if ((status = pf_keys_compile(&r->keys, r->args->keys,
		    schema)) != 0)
			return status;
		r->nkeys = r->keys.n;
		r->keynames = pf_xcalloc(r->nkeys + 1, sizeof(char *));
		for (i = 0; i < r->nkeys; i++)
			r->keynames[i] = pf_xstrdup(r->keys.proj->cols[i].name);
	}
	r->naggs = (size_t)r->args->naggs;
	r->aggs = pf_xcalloc(r->naggs, sizeof(*r->aggs));
	for (i = 0; i < r->naggs; i++) {
		char msg[512];

		if (!pf_agg_parse(r->args->aggs[i], &r->aggs[i], msg,
		    sizeof(msg)))
			errx(2, "%s", msg);	/* checked in main already */
		if (r->aggs[i].field == NULL)
			continue;
		idx = pf_schema_find(schema, r->aggs[i].field,
		    strlen(r->aggs[i].field));
		if (idx < 0)
			return unknown_field(r->aggs[i].field,
			    r->args->aggs[i], schema);
		r->aggs[i].index = idx;
	}
	r->tool->record_numbers = pf_projection_uses_nr(r->keys.proj);
	layout_states(r);
	plan_fold(r);
	return 0;
}

/* Reads NAME:FUNC:PART (FUNC into a): returns false unless it is one. */
static bool
split_state_column(const char *col, char **name, struct pf_agg *a,
    const char **part)
{
	const char *c2 = strrchr(col, ':'), *c1;

	if (c2 == NULL || c2 == col)
		return false;
	for (c1 = c2 - 1; c1 > col && *c1 != ':'; c1--)
		;
	if (*c1 != ':' || !pf_agg_func_find(c1 + 1, (size_t)(c2 - c1 - 1), a))
		return false;
	*name = pf_xstrndup(col, (size_t)(c1 - col));
	*part = c2 + 1;
	return true;
}

static int
start_merge(struct reduce *r, const struct pf_schema *schema)
{
	const char *const *parts, *part;
	struct pf_agg f = { 0 }, f2 = { 0 };
	size_t i, col, k;
	char *name, *end;
	long nkeys = -1;

	if (!schema->has_header) {
		warnx("--merge needs the partial header");
		return 2;
	}
	for (i = 0; i < schema->nfields; i++)
		if (strncmp(schema->names[i], PARTIAL_MARK,
		    strlen(PARTIAL_MARK)) == 0) {
			nkeys = strtol(schema->names[i] + strlen(PARTIAL_MARK),
			    &end, 10);
			if (*end != '\0' || nkeys != (long)i)
				nkeys = -1;
			break;
		}
	if (nkeys < 0) {
		warnx("--merge: not a partial header (no %sK column after "
		    "K keys)", PARTIAL_MARK);
		return 2;
	}
	r->nkeys = (size_t)nkeys;
	r->keynames = pf_xcalloc(r->nkeys + 1, sizeof(char *));
	for (i = 0; i < r->nkeys; i++)
		r->keynames[i] = pf_xstrdup(schema->names[i]);
	r->aggs = pf_xcalloc(schema->nfields, sizeof(*r->aggs));
	r->part_col = pf_xcalloc(schema->nfields, sizeof(size_t));
	for (col = r->nkeys + 1; col < schema->nfields; ) {
		if (!split_state_column(schema->names[col], &name, &f, &part)) {
			warnx("--merge: bad partial column '%s'",
			    schema->names[col]);
			return 2;
		}
		parts = pf_agg_parts(f.func);
		for (k = 0; parts[k] != NULL; k++) {
			char *n2 = NULL;

			if (col + k >= schema->nfields ||
			    !split_state_column(schema->names[col + k], &n2,
			    &f2, &part) || strcmp(f2.funcname, f.funcname) != 0 ||
			    strcmp(n2, name) != 0 ||
			    strcmp(part, parts[k]) != 0) {
				warnx("--merge: partial column %zu: expected "
				    "'%s:%s:%s'", col + k + 1, name,
				    f.funcname, parts[k]);
				free(n2);
				free(name);
				return 2;
			}
			free(n2);
		}
		r->aggs[r->naggs] = f;
		r->aggs[r->naggs].name = name;
		r->aggs[r->naggs].index = -1;
		r->aggs[r->naggs].vindex = -1;
		r->part_col[r->naggs++] = col;
		col += k;
	}
	r->nheader = schema->nfields;
	r->header = pf_xcalloc(r->nheader, sizeof(char *));
	for (i = 0; i < r->nheader; i++)
		r->header[i] = pf_xstrdup(schema->names[i]);
	layout_states(r);
	return 0;
}

/* How many leading fields the keys and AGGs read (see pf_tool). */
static size_t
fields_needed(const struct reduce *r)
{
	long last = r->keys.proj != NULL ?
	    pf_projection_max_field(r->keys.proj) : -1;
	size_t i;

	for (i = 0; i < r->naggs; i++)
		if (r->aggs[i].field != NULL && r->aggs[i].index > last)
			last = r->aggs[i].index;
	return last < 0 ? 1 : (size_t)last + 1;
}

static int
reduce_start(void *ctx, const struct pf_schema *schema, struct pf_buf *out)
{
	struct reduce *r = ctx;
	const char *const *parts;
	struct pf_buf name = { 0 };
	char **names, num[PF_NUMBER_MAX];
	size_t n = 0, i, k;
	int status;

	status = r->args->merge ? start_merge(r, schema) :
	    start_normal(r, schema);
	if (status != 0)
		return status;
	pf_reduce_shard_init(r, &r->global);
	if (!r->args->merge && r->stream == NULL)
		r->tool->fields_needed = fields_needed(r);
	if (r->stream != NULL && (status = pf_stream_start(r->stream,
	    schema)) != 0) {
		pf_reduce_shard_free(&r->global);
		return status;
	}

	names = pf_xcalloc(r->nkeys + 2 + r->naggs * 3, sizeof(char *));
	if (r->stream != NULL)
		names[n++] = pf_xstrdup("window");
	for (i = 0; i < r->nkeys; i++)
		names[n++] = pf_xstrdup(r->keynames[i]);
	if (r->args->partial) {
		/* The window column counts as a key for --merge. */
		pf_format_int((int64_t)(r->nkeys + (r->stream != NULL)), num);
		names[n] = pf_xmalloc(strlen(PARTIAL_MARK) + strlen(num) + 1);
		sprintf(names[n++], "%s%s", PARTIAL_MARK, num);
	}
	for (i = 0; i < r->naggs; i++) {
		if (!r->args->partial) {
			names[n++] = pf_xstrdup(r->aggs[i].name);
			continue;
		}
		parts = pf_agg_parts(r->aggs[i].func);
		for (k = 0; parts[k] != NULL; k++) {
			name.len = 0;
			pf_buf_adds(&name, r->aggs[i].name);
			pf_buf_addc(&name, ':');
			pf_buf_adds(&name, r->aggs[i].funcname);
			pf_buf_addc(&name, ':');
			pf_buf_adds(&name, parts[k]);
			names[n++] = pf_xstrndup(name.data, name.len);
		}
	}
	pf_output_init(&r->out, r->opt->out_format, r->opt->out_delim, names,
	    n);
	r->started = true;
	if (schema->has_header)
		pf_output_header(&r->out, out);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	pf_buf_free(&name);
	return 0;
}

static void *
reduce_worker_new(void *ctx)
{
	struct reduce_worker *w = pf_xcalloc(1, sizeof(*w));
	struct reduce *r = ctx;

	w->r = r;
	pf_reduce_shard_init(r, &w->s);
	if (r->keys.uses_eval)
		w->eval = pf_eval_new();
	w->nums = pf_xcalloc(r->naggs + 1, sizeof(*w->nums));
	w->parsed = pf_xcalloc(r->naggs + 1, 1);
	w->tmp = pf_xcalloc(1, r->state_size + 8);
	if (r->stream != NULL)
		w->sw = pf_stream_worker_new(r->stream);
	return w;
}

static void
reduce_worker_free(void *worker)
{
	struct reduce_worker *w = worker;

	pf_reduce_shard_free(&w->s);
	if (w->eval != NULL)
		pf_eval_free(w->eval);
	pf_buf_free(&w->key);
	free(w->nums);
	free(w->parsed);
	free(w->tmp);
	pf_arena_free(&w->tmp_arena);
	free(w->failure);
	if (w->sw != NULL)
		pf_stream_worker_free(w->sw);
	free(w);
}

static inline void
key_add(struct pf_buf *key, const char *s, size_t len)
{
	char *p;

	pf_buf_reserve(key, PF_KEY_ROOM(len));
	p = key->data + key->len;
	pf_key_add(&p, s, len);
	key->len = (size_t)(p - key->data);
}

static struct pf_group *
find_group_at(struct reduce_worker *w, const char *key, size_t len,
    uint64_t order)
{
	struct pf_group *g;
	bool added;

	g = pf_groups_find(&w->s.groups, key, len, &added);
	if (order < g->order)
		g->order = order;
	return g;
}

static struct pf_group *
find_group(struct reduce_worker *w, uint64_t order)
{
	return find_group_at(w, w->key.data, w->key.len, order);
}

/* Moves a big shard into the global one, so memory follows groups. */
static void
maybe_spill(struct reduce_worker *w)
{
	struct reduce *r = w->r;

	if (shard_bytes(&w->s) < SPILL_BYTES)
		return;
	pthread_mutex_lock(&r->lock);
	pf_reduce_shard_merge(r, &r->global, &w->s);
	pthread_mutex_unlock(&r->lock);
	pf_reduce_shard_free(&w->s);
	pf_reduce_shard_init(r, &w->s);
}

static const struct pf_field empty_field = { "", 0 };

/* Field i of rec, empty if the record is short of it. */
static inline const struct pf_field *
field_at(const struct pf_record *rec, size_t i)
{
	return i < rec->nfields ? &rec->fields[i] : &empty_field;
}

/* The group of a key of several fields, or of expressions. */
static struct pf_group *
key_group(struct reduce_worker *w, const struct pf_record *rec)
{
	const char *why;

	if ((why = pf_keys_encode(&w->r->keys, w->eval, rec, &w->key)) != NULL)
		fail_record(w, "%s", why);	/* a regex */
	return find_group(w, rec->order);
}

/* A value of a numeric AGG that is not a number: counted once a record. */
static void
skip_value(struct reduce_worker *w, const struct fold_step *st,
    const struct pf_field *f)
{
	struct reduce *r = w->r;
	const struct pf_agg *a = &r->aggs[st - r->steps];

	if (w->parsed[st->slot] == -2)
		return;		/* counted already */
	w->parsed[st->slot] = -2;
	w->nonnum++;
	if (r->args->strict)
		fail_record(w, "field %s: '%.*s' is not a number (%s)",
		    a->field, (int)(f->len > 100 ? 100 : f->len), f->ptr,
		    a->name);
}

/* A value of distinct, mode or a quantile, into the value table. */
static void
add_value(struct reduce_worker *w, struct pf_group *g,
    const struct fold_step *st, const struct pf_field *f,
    const struct pf_number *num, uint64_t order)
{
	uint16_t agg = (uint16_t)(st - w->r->steps);
	unsigned char key[8];

	if (num != NULL) {
		pf_agg_quantile_key(num->d, key);
		pf_values_add(&w->s.values, g->index, agg, key, 8, 1, order, 0);
	} else
		pf_values_add(&w->s.values, g->index, agg, f->ptr, f->len, 1,
		    order, 0);
}

/*
 * pf_reduce_fold(), inline for reduce_record(). The steps were planned in
 * start(); what is rare (non-numbers, value tables, keys to encode) is
 * out of line.
 */
static inline void
fold_record(struct reduce_worker *w, const struct pf_record *rec)
{
	const struct reduce *r = w->r;
	const struct fold_step *st, *end;
	const struct pf_number *num;
	const struct pf_field *f;
	struct pf_group *g;

	if (r->keys.single_field >= 0) {
		/* One key field: its bytes are the key, nothing to encode. */
		f = field_at(rec, (size_t)r->keys.single_field);
		g = find_group_at(w, f->ptr, f->len, rec->order);
	} else
		g = key_group(w, rec);
	g->records++;
	for (st = r->steps, end = st + r->naggs; st < end; st++) {
		if (st->index < 0) {
			pf_agg_count_record(PF_GROUP_STATE(g) + st->offset);
			continue;
		}
		f = field_at(rec, (size_t)st->index);
		if (f->len == 0)
			continue;
		num = NULL;
		if (st->parse) {
			if (st->first)
				w->parsed[st->slot] = pf_number_parse(f->ptr,
				    f->len, &w->nums[st->slot]) ? 1 : -1;
			if (w->parsed[st->slot] > 0)
				num = &w->nums[st->slot];
			else if (st->numeric) {
				skip_value(w, st, f);
				continue;
			}
		}
		if (st->update != NULL)
			st->update(PF_GROUP_STATE(g) + st->offset, f->ptr,
			    f->len, num, rec->order, &w->s.arena);
		else
			add_value(w, g, st, f, num, rec->order);
	}
}

void
pf_reduce_fold(struct reduce_worker *w, const struct pf_record *rec)
{
	fold_record(w, rec);
}

struct list_ctx {
	struct reduce_worker	*w;
	uint32_t		 group;
	uint16_t		 agg;
	uint64_t		 order;
};

static void
list_add(void *ctx, const void *bytes, size_t len, uint64_t count, size_t i)
{
	struct list_ctx *c = ctx;

	pf_values_add(&c->w->s.values, c->group, c->agg, bytes, len, count,
	    c->order, (uint32_t)(i > UINT32_MAX ? UINT32_MAX : i));
}

static bool
is_header_again(struct reduce *r, const struct pf_record *rec)
{
	size_t i;

	if (rec->nfields != r->nheader)
		return false;
	for (i = 0; i < r->nheader; i++)
		if (rec->fields[i].len != strlen(r->header[i]) ||
		    memcmp(rec->fields[i].ptr, r->header[i],
		    rec->fields[i].len) != 0)
			return false;
	return true;
}

static void
merge_record(struct reduce_worker *w, const struct pf_record *rec)
{
	struct reduce *r = w->r;
	const char *fields[4];
	size_t lens[4], i, k, col;
	struct pf_number n;
	struct pf_group *g;
	const struct pf_agg *a;
	struct list_ctx lc;

	if (is_header_again(r, rec))
		return;
	if (r->nkeys == 1)
		g = find_group_at(w, rec->fields[0].ptr, rec->fields[0].len,
		    rec->order);
	else {
		w->key.len = 0;
		for (i = 0; i < r->nkeys; i++)
			key_add(&w->key, rec->fields[i].ptr,
			    rec->fields[i].len);
		g = find_group(w, rec->order);
	}
	col = r->nkeys;
	if (!pf_number_parse(rec->fields[col].ptr, rec->fields[col].len,
	    &n) || !n.is_int || n.i < 0)
		goto bad;
	g->records += (uint64_t)n.i;
	for (i = 0; i < r->naggs; i++) {
		a = &r->aggs[i];
		col = r->part_col[i];
		if (pf_agg_uses_values(a->func)) {
			lc = (struct list_ctx){ w, g->index, (uint16_t)i,
			    rec->order };
			if (!pf_agg_values_decode(a, rec->fields[col].ptr,
			    rec->fields[col].len, list_add, &lc))
				goto bad;
			continue;
		}
		for (k = 0; pf_agg_parts(a->func)[k] != NULL; k++) {
			fields[k] = rec->fields[col + k].ptr;
			lens[k] = rec->fields[col + k].len;
		}
		memset(w->tmp, 0, r->state_size + 8);
		if (!pf_agg_decode(a, w->tmp, fields, lens, rec->order,
		    &w->tmp_arena))
			goto bad;
		pf_agg_merge(a, PF_GROUP_STATE(g) + a->offset, w->tmp,
		    &w->s.arena);
		if (w->tmp_arena.used > 0)
			pf_arena_free(&w->tmp_arena);
	}
	return;
bad:
	fail_record(w, "bad partial state in column '%s': '%.*s'",
	    r->header[col], (int)(rec->fields[col].len > 100 ? 100 :
	    rec->fields[col].len), rec->fields[col].ptr);
}

static uint64_t
reduce_record(void *worker, const struct pf_record *rec, struct pf_buf *out)
{
	struct reduce_worker *w = worker;
	struct reduce *r = w->r;

	(void)out;
	if (w->failure != NULL) {	/* the engine took it */
		free(w->failure);
		w->failure = NULL;
	}
	if (r->args->merge)
		merge_record(w, rec);
	else if (w->sw != NULL)
		/* Snapshots and windows: the shard is the batch's own. */
		pf_stream_record(w, rec);
	else
		fold_record(w, rec);
	if (w->failure != NULL)
		return PF_RECORD_FAILED;
	if (w->sw == NULL)
		maybe_spill(w);
	return 0;
}

/* Finish: merge the shards, write the groups in order. */

static int
by_order(const void *x, const void *y, void *ctx)
{
	const struct pf_groups *t = ctx;
	uint64_t a = pf_groups_at(t, *(const uint32_t *)x)->order;
	uint64_t b = pf_groups_at(t, *(const uint32_t *)y)->order;

	return a < b ? -1 : a > b;
}

/* Entries of the value table grouped by group: starts[g]..starts[g+1]. */
static struct pf_value_entry **
entries_by_group(const struct shard *s, size_t **startsp)
{
	size_t ngroups = s->groups.count, i, *starts, *fill;
	struct pf_value_entry **v, *e;

	starts = pf_xcalloc(ngroups + 2, sizeof(*starts));
	v = pf_xcalloc(s->values.count + 1, sizeof(*v));
	for (i = 0; s->values.slots != NULL && i <= s->values.mask; i++)
		if ((e = s->values.slots[i]) != NULL)
			starts[e->group + 1]++;
	for (i = 1; i <= ngroups; i++)
		starts[i] += starts[i - 1];
	fill = pf_xcalloc(ngroups + 1, sizeof(*fill));
	memcpy(fill, starts, (ngroups + 1) * sizeof(*fill));
	for (i = 0; s->values.slots != NULL && i <= s->values.mask; i++)
		if ((e = s->values.slots[i]) != NULL)
			v[fill[e->group]++] = e;
	free(fill);
	*startsp = starts;
	return v;
}

/* The window column of a snapshot or window (reduce_stream.c). */
struct win_col {
	const char	*s;
	size_t		 len;
	bool		 is_number;
};

static void
write_group(struct reduce *r, const struct win_col *win, struct pf_group *g,
    struct pf_value_entry **v, size_t nv, struct pf_value_entry **scratch,
    struct pf_buf *val, struct pf_buf *out)
{
	const char *p = g->key, *end = g->key + g->keylen, *s;
	const struct pf_agg *a;
	char num[PF_NUMBER_MAX];
	size_t col = 0, i, j, n, len, k;
	bool is_number;

	if (win != NULL)
		pf_output_field(&r->out, out, col++, win->s, win->len,
		    win->is_number);
	if (r->nkeys == 1)		/* the bytes themselves (fold_record) */
		pf_output_field(&r->out, out, col++, g->key, g->keylen, false);
	else
		while (pf_key_next(&p, end, &s, &len))
			pf_output_field(&r->out, out, col++, s, len, false);
	if (r->args->partial) {
		len = pf_format_int((int64_t)g->records, num);
		pf_output_field(&r->out, out, col++, num, len, false);
	}
	for (i = 0; i < r->naggs; i++) {
		a = &r->aggs[i];
		if (pf_agg_uses_values(a->func)) {
			for (n = 0, j = 0; j < nv; j++)
				if (v[j]->agg == i)
					scratch[n++] = v[j];
			val->len = 0;
			if (r->args->partial)
				pf_agg_values_encode(a, scratch, n, val);
			else
				pf_agg_values_result(a, scratch, n, val,
				    &is_number);
			pf_output_field(&r->out, out, col++, val->data,
			    val->len, !r->args->partial && is_number);
			continue;
		}
		if (!r->args->partial) {
			val->len = 0;
			pf_agg_result(a, PF_GROUP_STATE(g) + a->offset, val,
			    &is_number);
			pf_output_field(&r->out, out, col++, val->data,
			    val->len, is_number && val->len > 0);
			continue;
		}
		for (k = 0; pf_agg_parts(a->func)[k] != NULL; k++) {
			val->len = 0;
			pf_agg_encode(a, PF_GROUP_STATE(g) + a->offset, k,
			    val);
			pf_output_field(&r->out, out, col++, val->data,
			    val->len, false);
		}
	}
	pf_output_end(&r->out, out, col);
	r->tool->written++;
}

/*
 * Writes s's groups in order of first appearance; out is written to
 * stdout whenever it passes 1 MiB. Returns -1 on a write error.
 */
static int
write_groups(struct reduce *r, struct shard *s, const struct win_col *win,
    struct pf_buf *out)
{
	struct pf_value_entry **v, **scratch;
	struct pf_buf val = { 0 };
	uint32_t *order, i;
	size_t *starts;
	bool added;
	int rc = 0;

	if (r->nkeys == 0 && s->groups.count == 0)
		pf_groups_get(&s->groups, pf_hash("", 0), "", 0, &added);

	order = pf_xcalloc(s->groups.count + 1, sizeof(*order));
	for (i = 0; i < s->groups.count; i++)
		order[i] = i;
	qsort_r(order, s->groups.count, sizeof(*order), by_order, &s->groups);
	v = entries_by_group(s, &starts);
	scratch = pf_xcalloc(s->values.count + 1, sizeof(*scratch));
	for (i = 0; i < s->groups.count; i++) {
		write_group(r, win, pf_groups_at(&s->groups, order[i]),
		    v + starts[order[i]], starts[order[i] + 1] -
		    starts[order[i]], scratch, &val, out);
		if (out->len >= (1u << 20)) {
			if ((rc = pf_write_all(STDOUT_FILENO, out->data,
			    out->len)) < 0)
				break;	/* the engine reports the error */
			out->len = 0;
		}
	}
	free(order);
	free(v);
	free(starts);
	free(scratch);
	pf_buf_free(&val);
	return rc;
}

void
pf_reduce_write_shard(struct reduce *r, struct shard *s, const char *win,
    size_t winlen, bool win_number, struct pf_buf *out)
{
	struct win_col w = { win, winlen, win_number };

	(void)write_groups(r, s, win != NULL ? &w : NULL, out);
}

static void
reduce_finish(void *ctx, void **workers, int nworkers, struct pf_buf *out)
{
	struct reduce *r = ctx;
	struct shard *s = &r->global;
	uint64_t nonnum = 0;
	int k;

	for (k = 0; k < nworkers; k++) {
		struct reduce_worker *w = workers[k];

		nonnum += w->nonnum;
		if (s->groups.count == 0 && s->values.count == 0) {
			/* Nothing to merge into: take the shard as it is. */
			pf_reduce_shard_move(r, s, &w->s);
			continue;
		}
		pf_reduce_shard_merge(r, s, &w->s);
		pf_reduce_shard_free(&w->s);
		pf_reduce_shard_init(r, &w->s);
	}
	if (r->stream != NULL)
		pf_stream_finish(r->stream, out);
	else
		(void)write_groups(r, s, NULL, out);
	/* Write the groups before the warning, so it comes last. */
	if (nonnum > 0 && out->len > 0 &&
	    pf_write_all(STDOUT_FILENO, out->data, out->len) == 0)
		out->len = 0;
	if (nonnum > 0)
		warnx("%" PRIu64 " non-numeric value%s skipped", nonnum,
		    nonnum == 1 ? "" : "s");
}

int
pf_reduce_main(const struct pf_options *opt,
    const struct pf_reduce_args *args, char **files, int nfiles)
{
	struct reduce r = { .opt = opt, .args = args,
	    .keys = { .single_field = -1 } };
	struct pf_tool tool = {
		.ctx = &r,
		.start = reduce_start,
		.worker_new = reduce_worker_new,
		.worker_free = reduce_worker_free,
		.record = reduce_record,
		.record_failure = reduce_failure,
		.finish = reduce_finish,
	};
	size_t i;
	int status;

	pthread_mutex_init(&r.lock, NULL);
	r.tool = &tool;
	if (pf_reduce_streaming(args))
		r.stream = pf_stream_new(&r, &tool);
	status = pf_run(opt, files, nfiles, &tool);
	if (r.stream != NULL) {
		pf_stream_report(r.stream);
		pf_stream_free(r.stream);
	}
	if (r.started) {
		pf_output_free(&r.out);
		pf_reduce_shard_free(&r.global);
	}
	pf_keys_free(&r.keys);
	for (i = 0; r.keynames != NULL && i < r.nkeys; i++)
		free(r.keynames[i]);
	free(r.keynames);
	for (i = 0; i < r.naggs; i++)
		pf_agg_free(&r.aggs[i]);
	free(r.aggs);
	free(r.steps);
	free(r.part_col);
	for (i = 0; i < r.nheader; i++)
		free(r.header[i]);
	free(r.header);
	pthread_mutex_destroy(&r.lock);
	return status;
}

bool
pf_reduce_is_agg(const char *arg)
{
	const char *colon = strchr(arg, ':');
	struct pf_agg a;

	if (strcmp(arg, "-") == 0)
		return false;
	if (colon != NULL) {
		/*
		 * FUNC:..., with FUNC a word (or pN with a decimal point):
		 * known or not, it is an AGG.
		 */
		for (const char *p = arg; p < colon; p++)
			if (!(*p >= 'a' && *p <= 'z') &&
			    !(*p >= 'A' && *p <= 'Z') &&
			    !(*p >= '0' && *p <= '9') && *p != '_' && *p != '.')
				return false;
		return colon > arg;
	}
	return pf_agg_func_find(arg, strlen(arg), &a);
}

void
pf_reduce_check_aggs(char **aggs, int naggs)
{
	struct pf_agg a;
	char msg[512];
	int i;

	for (i = 0; i < naggs; i++) {
		if (!pf_agg_parse(aggs[i], &a, msg, sizeof(msg)))
			errx(2, "%s", msg);
		pf_agg_free(&a);
	}
}
