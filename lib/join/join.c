/*
 * join.c - pjoin's tool callbacks (see join.h).
 *
 * DESIGN
 * start() reads TABLE whole and indexes it by its side of the keys
 * (join_table.c): one hash table, built once, then only read. The
 * stream flows through the engine like any other input: each worker
 * encodes a record's key (keys.h, the same encoding on both sides),
 * looks it up, and writes the record joined with each match in TABLE's
 * order (or as --left, --anti, --semi say) into the batch's output, so
 * the output is in stream order and the same for every -j, and memory
 * is TABLE plus the engine's bounded pool.
 */
#include <err.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "join/join.h"
#include "join/join_int.h"
#include "csv/output.h"
#include "support/status.h"
#include "support/xalloc.h"

struct join {
	struct pf_tool			*tool;
	const struct pf_options		*opt;
	const struct pf_join_args	*args;
	struct pf_join_table		 table;
	struct pf_keys			 keys;		/* the stream's side */
	char				*stream_src, *table_src;
	size_t				*tcols;		/* TABLE's columns out */
	size_t				 ntcols;
	size_t				 nstream;	/* the stream's columns */
	struct pf_output		 out;
	bool				 out_ready;
	bool				 raw_copy;	/* stream records as read */
	char				*empty_suffix;	/* --left, no match */
	size_t				 empty_suffix_len;
};

struct join_worker {
	struct join	*join;
	struct pf_eval	*eval;
	struct pf_buf	 key;
};

/* The position of an item's '=' that pairs two keys (not ==, <=...). */
static const char *
pair_sign(const char *item)
{
	const char *p;

	for (p = strchr(item, '='); p != NULL; p = strchr(p + 1, '=')) {
		if (p[1] == '=') {
			p++;
			continue;
		}
		if (p > item && strchr("!<>=", p[-1]) != NULL)
			continue;
		return p;
	}
	return NULL;
}

/* -k "a,b=c": the stream's keys "a,b", TABLE's "a,c". */
static void
split_keys(struct join *j)
{
	struct pf_buf s = { 0 }, t = { 0 };
	const char *eq;
	char **items;
	size_t n, i;

	n = pf_expr_split_list(j->args->keys, &items);
	for (i = 0; i < n; i++) {
		if (i > 0) {
			pf_buf_addc(&s, ',');
			pf_buf_addc(&t, ',');
		}
		if ((eq = pair_sign(items[i])) != NULL) {
			pf_buf_add(&s, items[i], (size_t)(eq - items[i]));
			pf_buf_adds(&t, eq + 1);
		} else {
			pf_buf_adds(&s, items[i]);
			pf_buf_adds(&t, items[i]);
		}
		free(items[i]);
	}
	free(items);
	pf_buf_addc(&s, '\0');
	pf_buf_addc(&t, '\0');
	j->stream_src = s.data;
	j->table_src = t.data;
}

/* After a key error: what each side has. */
static int
list_fields(const struct join *j, const struct pf_schema *stream)
{
	char *a = pf_schema_list(stream), *b = pf_schema_list(&j->table.schema);

	warnx("fields of the stream: %s; of %s: %s", a, j->table.path, b);
	free(a);
	free(b);
	return PF_USAGE;
}

/*
 * When the output format is the input's, a stream record is written as
 * its raw bytes and TABLE's columns as a suffix rendered once per TABLE
 * record (delimiter first), so only the keys need splitting.
 */
static void
render_suffixes(struct join *j)
{
	struct pf_join_table *t = &j->table;
	struct pf_buf b = { 0 };
	size_t i, k, f;

	for (i = 0; i <= t->n; i++) {
		b.len = 0;
		for (k = 0; k < j->ntcols; k++) {
			f = j->tcols[k];
			if (i < t->n && f < t->recs[i].nfields)
				pf_output_field(&j->out, &b, j->nstream + k + 1,
				    t->recs[i].fields[f].ptr,
				    t->recs[i].fields[f].len, PF_JSON_AUTO);
			else	/* the last: --left's empty columns */
				pf_output_field(&j->out, &b, j->nstream + k + 1,
				    "", 0, PF_JSON_NULL);
		}
		if (i == t->n) {
			j->empty_suffix = pf_xstrndup(b.data ? b.data : "",
			    b.len);
			j->empty_suffix_len = b.len;
		} else {
			t->recs[i].suffix = b.len > 0 ?
			    pf_arena_dup(&t->arena, b.data, b.len) : "";
			t->recs[i].suffix_len = b.len;
		}
	}
	pf_buf_free(&b);
}

/* TABLE's file name without its directory and extension. */
static char *
table_stem(const char *path)
{
	char *copy = pf_xstrdup(path), *base = pf_xstrdup(basename(copy)), *dot;

	free(copy);
	if ((dot = strrchr(base, '.')) != NULL && dot != base)
		*dot = '\0';
	return base;
}

/* The output columns: the stream's, then TABLE's other than its keys. */
static void
output_columns(struct join *j, const struct pf_schema *stream)
{
	const struct pf_schema *ts = &j->table.schema;
	char **names, *stem = table_stem(j->table.path);
	size_t i, k, n = 0;
	bool key, clash;

	j->tcols = pf_xcalloc(ts->nfields + 1, sizeof(*j->tcols));
	if (j->args->kind == PF_JOIN_INNER || j->args->kind == PF_JOIN_LEFT)
		for (i = 0; i < ts->nfields; i++) {
			key = false;
			for (k = 0; k < j->table.keys.n; k++)
				key |= j->table.keys.proj->cols[k].field ==
				    (long)i;
			if (!key)
				j->tcols[j->ntcols++] = i;
		}
	names = pf_xcalloc(stream->nfields + j->ntcols + 1, sizeof(*names));
	for (i = 0; i < stream->nfields; i++)
		names[n++] = pf_xstrdup(stream->names[i]);
	for (i = 0; i < j->ntcols; i++) {
		const char *name = ts->names[j->tcols[i]];

		clash = pf_schema_find(stream, name, strlen(name)) >= 0 &&
		    stream->has_header;
		names[n] = pf_xmalloc(strlen(stem) + strlen(name) + 2);
		sprintf(names[n++], "%s%s%s", clash ? stem : "",
		    clash ? "_" : "", name);
	}
	j->nstream = stream->nfields;
	pf_output_init(&j->out, j->opt->out_format, j->opt->out_delim, names,
	    n);
	j->out_ready = true;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(stem);
}

/*
 * Compiles -k's two sides against the stream's schema and TABLE's.
 * Returns false after a key's message.
 */
static bool
compile_keys(struct join *j, const struct pf_schema *stream,
    const struct pf_schema *table)
{
	return pf_keys_compile(&j->keys, j->stream_src, stream) == 0 &&
	    pf_keys_compile(&j->table.keys, j->table_src, table) == 0;
}

/* Whether both sides have as many keys; says so when not. */
static bool
same_key_counts(const struct join *j)
{
	if (j->keys.n == j->table.keys.n)
		return true;
	warnx("-k: %zu keys on the stream's side, %zu on TABLE's", j->keys.n,
	    j->table.keys.n);
	return false;
}

/*
 * Empty input: both sides of -k are checked against the one schema, of
 * any name; TABLE is not read (that would be a new side effect), so
 * neither side's names are, and there are no fields to list.
 */
static int
join_check(void *ctx, const struct pf_schema *schema)
{
	struct join *j = ctx;

	return compile_keys(j, schema, schema) && same_key_counts(j) ? 0 :
	    PF_USAGE;
}

/*
 * status, after saying so when it is 2: TABLE costs more than --memory
 * (its bytes, records, index and rendered columns).
 */
static int
table_too_large(const struct join *j, int status)
{
	if (status == PF_USAGE)
		warnx("%s does not fit in --memory (%zu bytes): its bytes, "
		    "its records and their index by key take more; raise "
		    "--memory, or partition both sides with ppartition -k KEY "
		    "-n N and join the parts pairwise (see pflow(7))",
		    j->table.path != NULL ? j->table.path : j->args->table,
		    j->args->memory);
	return status;
}

static int
join_start(void *ctx, const struct pf_schema *schema, struct pf_buf *out)
{
	struct join *j = ctx;
	struct pf_dialect d = j->opt->in;
	enum pf_format f;
	int status;

	/*
	 * TABLE's format: --table-csv/-tsv/-jsonl, else what its name says
	 * (.tsv, .jsonl, ...), else the stream's; a JSON Lines stream's
	 * TABLE is CSV unless told, with a header; else TABLE has a header
	 * when the stream has one.
	 */
	if (j->args->table_format_set)
		f = j->args->table_format;
	else if (!pf_format_named(j->args->table, &f))
		f = d.format == PF_JSONL ? PF_CSV : d.format;
	if (f != d.format) {
		if (d.format == PF_JSONL)
			d.header = true;
		d.format = f;
		d.delim = f == PF_TSV ? '\t' : ',';
	}
	if (f == PF_JSONL)
		d.header = false;	/* its keys name its fields */
	status = pf_join_table_read(&j->table, j->args->table, &d,
	    j->args->memory, j->opt->bad_path != NULL);
	j->tool->bad = &j->table.bad;
	j->tool->nbad = j->table.nbad;
	if (status != 0)
		return table_too_large(j, status);
	if (!compile_keys(j, schema, &j->table.schema))
		return list_fields(j, schema);
	if (!same_key_counts(j))
		return PF_USAGE;
	j->keys.fold_case = j->table.keys.fold_case = j->args->ignore_case;
	if ((status = pf_join_table_index(&j->table, j->args->memory)) != 0)
		return table_too_large(j, status);
	j->tool->record_numbers = pf_projection_uses_nr(j->keys.proj);
	output_columns(j, schema);
	/* A JSON object's raw bytes take no suffix: JSON Lines is rewritten. */
	j->raw_copy = j->opt->out_format == j->opt->in.format &&
	    j->opt->out_delim == j->opt->in.delim &&
	    j->opt->in.format != PF_JSONL;
	if (j->raw_copy) {
		render_suffixes(j);
		if (pf_join_table_cost(&j->table) > j->args->memory)
			return table_too_large(j, PF_USAGE);
		j->tool->fields_needed =
		    (size_t)(pf_projection_max_field(j->keys.proj) + 1);
		if (j->tool->fields_needed == 0)
			j->tool->fields_needed = 1;
	}
	if (schema->has_header)
		pf_output_header(&j->out, out);
	return 0;
}

static void *
join_worker_new(void *ctx)
{
	struct join_worker *w = pf_xcalloc(1, sizeof(*w));

	w->join = ctx;
	w->eval = pf_eval_new();
	return w;
}

static void
join_worker_free(void *worker)
{
	struct join_worker *w = worker;

	pf_eval_free(w->eval);
	pf_buf_free(&w->key);
	free(w);
}

/* Writes rec, then TABLE record t's columns (empty when t is NULL). */
static void
write_joined(const struct join *j, const struct pf_record *rec,
    const struct pf_join_record *t, bool with_table, struct pf_buf *out)
{
	size_t i, col = 0, f;

	if (j->raw_copy) {
		pf_buf_add(out, rec->raw, rec->raw_len);
		if (with_table && t != NULL)
			pf_buf_add(out, t->suffix, t->suffix_len);
		else if (with_table)
			pf_buf_add(out, j->empty_suffix, j->empty_suffix_len);
		pf_buf_addc(out, '\n');
		return;
	}
	for (i = 0; i < rec->nfields; i++, col++)
		pf_output_field(&j->out, out, col, rec->fields[i].ptr,
		    rec->fields[i].len, pf_json_kind_at(rec->kinds, i));
	for (i = 0; with_table && i < j->ntcols; i++, col++) {
		f = j->tcols[i];
		if (t != NULL && f < t->nfields)
			pf_output_field(&j->out, out, col, t->fields[f].ptr,
			    t->fields[f].len, pf_json_kind_at(t->kinds, f));
		else	/* --left without a match: null in JSON */
			pf_output_field(&j->out, out, col, "", 0,
			    PF_JSON_NULL);
	}
	pf_output_end(&j->out, out, col);
}

static uint64_t
join_record(void *worker, const struct pf_record *rec, struct pf_buf *out)
{
	struct join_worker *w = worker;
	const struct join *j = w->join;
	uint32_t i;
	uint64_t n = 0;

	if (pf_keys_encode(&j->keys, w->eval, rec, &w->key) != NULL)
		return PF_RECORD_FAILED;	/* a regex: join_failure() */
	i = pf_join_table_first(&j->table, w->key.data, w->key.len);
	switch (j->args->kind) {
	case PF_JOIN_INNER:
	case PF_JOIN_LEFT:
		for (; i != UINT32_MAX; i = j->table.recs[i].next, n++)
			write_joined(j, rec, &j->table.recs[i], true, out);
		if (n == 0 && j->args->kind == PF_JOIN_LEFT) {
			write_joined(j, rec, NULL, true, out);
			n = 1;
		}
		return n;
	case PF_JOIN_ANTI:
	case PF_JOIN_SEMI:
		if ((i == UINT32_MAX) != (j->args->kind == PF_JOIN_ANTI))
			return 0;
		write_joined(j, rec, NULL, false, out);
		return 1;
	}
	return 0;
}

static const char *
join_failure(void *worker)
{
	return pf_eval_error(((struct join_worker *)worker)->eval);
}

int
pf_join_main(const struct pf_options *opt, const struct pf_join_args *args,
    char **files, int nfiles)
{
	struct join j = { .opt = opt, .args = args };
	struct pf_tool tool = {
		.ctx = &j,
		.start = join_start,
		.check = join_check,
		.worker_new = join_worker_new,
		.worker_free = join_worker_free,
		.record = join_record,
		.record_failure = join_failure,
		.other_inputs = (char *const *)&args->table,
		.nother_inputs = 1,
	};
	int status;

	j.tool = &tool;
	split_keys(&j);
	status = pf_run(opt, files, nfiles, &tool);
	pf_join_table_free(&j.table);
	pf_keys_free(&j.keys);
	if (j.out_ready)
		pf_output_free(&j.out);
	free(j.tcols);
	free(j.empty_suffix);
	free(j.stream_src);
	free(j.table_src);
	return status;
}
