/*
 * reduce.c - preduce's tool (see reduce.h): the start (keys and AGG
 * fields by the field rule, the state layout, the fold plan, the header)
 * and the finish (merging the workers' shards, writing the groups). The
 * workers' side is reduce_fold.c, --merge's input reduce_merge.c, the
 * output reduce_write.c, snapshots and windows reduce_stream.c.
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
 * --merge reads rows of partial state instead of records (reduce_merge.c).
 */
#include <err.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "expr/keys.h"
#include "support/number.h"
#include "reduce/reduce_int.h"
#include "expr/report.h"
#include "support/status.h"
#include "support/xalloc.h"

/* Start: check fields, lay out states, write the header. */

void
pf_reduce_layout_states(struct reduce *r)
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
	const char *keys = r->args->keys;
	char *with_pivot = NULL;
	size_t i;
	long idx;
	int status;

	if (r->args->pivot != NULL) {
		/* F is the last key; reduce_pivot.c makes it columns. */
		if (keys != NULL && asprintf(&with_pivot, "%s,%s", keys,
		    r->args->pivot) < 0)
			err(1, NULL);
		keys = with_pivot != NULL ? with_pivot : r->args->pivot;
	}
	if (keys != NULL) {
		status = pf_keys_compile(&r->keys, keys, schema);
		free(with_pivot);
		if (status != 0)
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
		idx = pf_field_lookup(schema, r->aggs[i].field,
		    strlen(r->aggs[i].field));
		if (idx < 0) {
			pf_field_unknown(schema, r->aggs[i].field,
			    r->args->aggs[i]);
			return PF_USAGE;
		}
		r->aggs[i].index = idx;
	}
	r->tool->record_numbers = pf_projection_uses_nr(r->keys.proj);
	pf_reduce_layout_states(r);
	plan_fold(r);
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

/*
 * Empty input: compiles the keys and resolves the AGGs' fields and
 * --time, as start() does (--merge's layout comes from a header: none).
 */
static int
reduce_check(void *ctx, const struct pf_schema *schema)
{
	struct reduce *r = ctx;
	int status;

	if (!r->args->merge && (status = start_normal(r, schema)) != 0)
		return status;
	return r->stream != NULL ? pf_stream_check(r->stream, schema) : 0;
}

static int
reduce_start(void *ctx, const struct pf_schema *schema, struct pf_buf *out)
{
	struct reduce *r = ctx;
	const char *const *parts;
	struct pf_buf name = { 0 };
	char **names, **plain, num[PF_NUMBER_MAX];
	size_t n = 0, nplain, i, k;
	int status;

	status = r->args->merge ? pf_reduce_start_merge(r, schema) :
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
	/* The AGGs' names as the plain output has them (count, count_2). */
	nplain = r->nkeys + (r->stream != NULL);
	plain = pf_xcalloc(nplain + r->naggs, sizeof(char *));
	for (i = 0; i < nplain; i++)
		plain[i] = pf_xstrdup(names[i]);
	for (i = 0; i < r->naggs; i++)
		plain[nplain + i] = pf_xstrdup(r->aggs[i].name);
	pf_names_unique(plain, nplain + r->naggs);
	for (i = 0; i < r->naggs; i++) {
		if (!r->args->partial) {
			names[n++] = pf_xstrdup(plain[nplain + i]);
			continue;
		}
		parts = pf_agg_parts(r->aggs[i].func);
		for (k = 0; parts[k] != NULL; k++) {
			name.len = 0;
			pf_buf_adds(&name, plain[nplain + i]);
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
	if (schema->has_header && r->args->pivot == NULL)
		pf_output_header(&r->out, out);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	for (i = 0; i < nplain + r->naggs; i++)
		free(plain[i]);
	free(plain);
	pf_buf_free(&name);
	return 0;
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
	else if (r->args->pivot != NULL)
		pf_reduce_write_pivot(r, s, out);
	else
		pf_reduce_write_shard(r, s, NULL, 0, false, out);
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
		.check = reduce_check,
		.worker_new = pf_reduce_worker_new,
		.worker_free = pf_reduce_worker_free,
		.record = pf_reduce_record,
		.record_failure = pf_reduce_failure,
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

