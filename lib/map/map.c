/*
 * map.c - pmap's expression mode (see map.h).
 *
 * EXPR is a projection: a list of columns, each a field copied as it is
 * or an expression evaluated per record (expr.h). The output header is
 * the columns' names. Without a header, `*` writes the fields a record
 * has: a narrower record writes fewer, a wider one its further fields
 * too (pf_output_extra).
 */
#include <stdlib.h>

#include "engine/engine.h"
#include "expr/expr.h"
#include "map/map.h"
#include "csv/output.h"
#include "expr/report.h"
#include "support/status.h"
#include "support/xalloc.h"

struct map {
	struct pf_tool		*tool;
	const struct pf_options	*opt;
	const char		*src;
	size_t			 schema_fields;
	struct pf_projection	*proj;
	struct pf_output	 out;
	bool			 output_ready;
};

struct map_worker {
	struct map	*map;
	struct pf_eval	*eval;
};

/* Compiles the columns (check, and the start of start). */
static int
map_check(void *ctx, const struct pf_schema *schema)
{
	struct map *m = ctx;
	struct pf_expr_error err;

	if ((m->proj = pf_projection_compile_columns(m->src, schema,
	    &err)) == NULL) {
		pf_report_expr_error(m->src, &err);
		return PF_USAGE;
	}
	return 0;
}

static int
map_start(void *ctx, const struct pf_schema *schema, struct pf_buf *out)
{
	struct map *m = ctx;
	char **names;
	size_t i;
	long last;
	int status;

	if ((status = map_check(m, schema)) != 0)
		return status;
	m->tool->record_numbers = pf_projection_uses_nr(m->proj);
	names = pf_xcalloc(m->proj->ncols, sizeof(char *));
	for (i = 0; i < m->proj->ncols; i++)
		names[i] = m->proj->cols[i].name;
	pf_output_init(&m->out, m->opt->out_format, m->opt->out_delim, names,
	    m->proj->ncols);
	m->output_ready = true;
	free(names);
	m->schema_fields = schema->nfields;
	/* The columns' fields (see pf_tool); at least one; all for `*`. */
	last = pf_projection_max_field(m->proj);
	m->tool->fields_needed = m->proj->has_rest ? 0 :
	    last < 0 ? 1 : (size_t)last + 1;
	if (schema->has_header)
		pf_output_header(&m->out, out);
	return 0;
}

static void *
map_worker_new(void *ctx)
{
	struct map_worker *w = pf_xcalloc(1, sizeof(*w));

	w->map = ctx;
	w->eval = pf_eval_new();
	return w;
}

static void
map_worker_free(void *worker)
{
	struct map_worker *w = worker;

	pf_eval_free(w->eval);
	free(w);
}

static uint64_t
map_record(void *worker, const struct pf_record *rec, struct pf_buf *out)
{
	struct map_worker *w = worker;
	const struct pf_projection *proj = w->map->proj;
	const struct pf_output *o = &w->map->out;
	const struct pf_column *col;
	struct pf_value v;
	enum pf_json_kind kind;
	const char *s;
	size_t i, f, len, written = 0, start = out->len;

	pf_eval_reset(w->eval);
	for (i = 0; i <= proj->ncols; i++) {
		if (proj->has_rest && i == proj->rest_at)
			for (f = w->map->schema_fields; f < rec->nfields;
			    f++, written++)
				pf_output_extra(o, out, written == 0, f + 1,
				    rec->fields[f].ptr, rec->fields[f].len,
				    pf_json_kind_at(rec->kinds, f));
		if (i == proj->ncols)
			break;
		col = &proj->cols[i];
		kind = PF_JSON_AUTO;	/* a computed value: by its text */
		if (col->field >= 0) {
			if ((size_t)col->field < rec->nfields) {
				s = rec->fields[col->field].ptr;
				len = rec->fields[col->field].len;
				kind = pf_json_kind_at(rec->kinds,
				    (size_t)col->field);
			} else if (col->star)
				continue;	/* `*` on a narrower record */
			else {
				s = "";
				len = 0;
			}
		} else {
			pf_eval(w->eval, col->expr, rec, &v);
			if (pf_eval_error(w->eval) != NULL) {
				out->len = start;	/* no half row */
				return PF_RECORD_FAILED;
			}
			pf_value_text(w->eval, &v, &s, &len);
		}
		pf_output_field(o, out, i, s, len, kind);
		written++;
	}
	pf_output_end(o, out, written);
	return 1;
}

static const char *
map_failure(void *worker)
{
	return pf_eval_error(((struct map_worker *)worker)->eval);
}

int
pf_map_main(const struct pf_options *opt, const char *columns,
    char **files, int nfiles)
{
	struct map m = { .opt = opt, .src = columns };
	struct pf_tool tool = {
		.ctx = &m,
		.start = map_start,
		.check = map_check,
		.worker_new = map_worker_new,
		.worker_free = map_worker_free,
		.record = map_record,
		.record_failure = map_failure,
	};
	int status;

	m.tool = &tool;
	status = pf_run(opt, files, nfiles, &tool);
	if (m.proj != NULL)
		pf_projection_free(m.proj);
	if (m.output_ready)
		pf_output_free(&m.out);
	return status;
}
