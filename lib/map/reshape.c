/*
 * reshape.c - pmap --explode and --melt (see reshape.h).
 *
 * --explode F writes one record per part of F, the other fields as they
 * are: a value that is wholly a JSON array (what JSON Lines input keeps
 * of an array) explodes by element (strings unescaped, null empty,
 * numbers, true and false as written, nested arrays and objects as their
 * compact JSON text, as Python's json.dumps(separators=(",", ":"),
 * ensure_ascii=False) writes them); any other value is cut at each --sep (default
 * ","). An empty value, or an empty array, is one record with F empty:
 * no record is dropped.
 * The array is read by csv/json_value.c, JSON Lines input's reader.
 *
 * --melt FIELDS writes, for each record, one record per listed field:
 * the fields not listed, in their order, then `name` (the field's name)
 * and `value` (its value, empty ones too, as DuckDB's UNPIVOT ... INCLUDE
 * NULLS), so that preduce --pivot turns it back.
 *
 * Both are stateless: each worker writes its records' output.
 */
#include <stdlib.h>
#include <string.h>

#include "csv/json_value.h"
#include "csv/output.h"
#include "engine/engine.h"
#include "expr/keys.h"
#include "map/reshape.h"
#include "support/status.h"
#include "support/xalloc.h"

struct reshape {
	struct pf_tool			*tool;
	const struct pf_options		*opt;
	const struct pf_reshape_args	*args;
	long				 field;		/* --explode's */
	size_t				 sep_len;
	bool				*melted;	/* --melt: per field */
	long				*melt;		/* the listed fields */
	size_t				 nmelt, nfields;
	char				**names;	/* the fields' names */
	struct pf_output		 out;
	bool				 output_ready;
};

struct reshape_worker {
	struct reshape	*r;
	struct pf_buf	 part;		/* an element, unescaped */
	struct pf_buf	 stack;		/* pf_json_array_each()'s brackets */
	struct pf_field	*fields;
	unsigned char	*kinds;		/* the fields' JSON kinds (record.h) */
	size_t		 cap;
};

/* Resolves one field of a list; reports an unknown one. */
static long
field_of(const struct pf_schema *schema, const char *s, size_t len,
    const char *option)
{
	long i = pf_key_item_field(s, len, schema);
	char *typed;

	if (i >= 0 || i == PF_KEY_UNKNOWN)
		return i;
	typed = pf_xstrndup(s, len);
	pf_field_unknown(schema, typed, option);
	free(typed);
	return PF_KEY_UNKNOWN;
}

/* --melt's list: fields by the field rule, split at commas outside {}. */
static int
compile_melt(struct reshape *r, const struct pf_schema *schema)
{
	const char *p = r->args->melt, *start = p;
	int depth = 0;
	long f;

	r->melt = pf_xcalloc(strlen(p) + 1, sizeof(*r->melt));
	for (;; p++) {
		if (*p == '{')
			depth++;
		else if (*p == '}' && depth > 0)
			depth--;
		else if ((*p == ',' && depth == 0) || *p == '\0') {
			if ((f = field_of(schema, start, (size_t)(p - start),
			    "--melt")) < 0)
				return PF_USAGE;
			r->melt[r->nmelt++] = f;
			if (*p == '\0')
				break;
			start = p + 1;
		}
	}
	return 0;
}

static int
reshape_check(void *ctx, const struct pf_schema *schema)
{
	struct reshape *r = ctx;

	if (r->args->explode != NULL &&
	    (r->field = field_of(schema, r->args->explode,
	    strlen(r->args->explode), "--explode")) < 0)
		return PF_USAGE;
	if (r->args->melt != NULL)
		return compile_melt(r, schema);
	return 0;
}

static int
reshape_start(void *ctx, const struct pf_schema *schema, struct pf_buf *out)
{
	struct reshape *r = ctx;
	char **names;
	size_t i, n = 0;
	int status;

	if ((status = reshape_check(r, schema)) != 0)
		return status;
	r->nfields = schema->nfields;
	r->names = schema->names;
	names = pf_xcalloc(schema->nfields + 2, sizeof(*names));
	if (r->args->melt != NULL) {
		r->melted = pf_xcalloc(schema->nfields + 1, sizeof(bool));
		for (i = 0; i < r->nmelt; i++)
			r->melted[r->melt[i]] = true;
		for (i = 0; i < schema->nfields; i++)
			if (!r->melted[i])
				names[n++] = schema->names[i];
		names[n++] = "name";
		names[n++] = "value";
	} else
		for (n = 0; n < schema->nfields; n++)
			names[n] = schema->names[n];
	pf_output_init(&r->out, r->opt->out_format, r->opt->out_delim, names,
	    n);
	r->output_ready = true;
	free(names);
	if (schema->has_header)
		pf_output_header(&r->out, out);
	return 0;
}

static void *
reshape_worker_new(void *ctx)
{
	struct reshape_worker *w = pf_xcalloc(1, sizeof(*w));

	w->r = ctx;
	return w;
}

static void
reshape_worker_free(void *worker)
{
	struct reshape_worker *w = worker;

	pf_buf_free(&w->part);
	pf_buf_free(&w->stack);
	free(w->fields);
	free(w->kinds);
	free(w);
}

/* The JSON kind of rec's field i (record.h). */
static enum pf_json_kind
kind_of(const struct pf_record *rec, size_t i)
{
	return i < rec->nfields ? pf_json_kind_at(rec->kinds, i) :
	    PF_JSON_AUTO;
}

/*
 * Appends one record: rec's fields with field f's value replaced by
 * s[0..len) of JSON kind kind.
 */
static void
write_with(struct reshape_worker *w, const struct pf_record *rec, long f,
    const char *s, size_t len, enum pf_json_kind kind, struct pf_buf *out)
{
	struct reshape *r = w->r;
	size_t i;

	if (rec->nfields > w->cap) {
		w->cap = rec->nfields;
		w->fields = pf_xrealloc(w->fields, w->cap * sizeof(*w->fields));
		w->kinds = pf_xrealloc(w->kinds, w->cap);
	}
	for (i = 0; i < rec->nfields; i++) {
		w->fields[i] = rec->fields[i];
		w->kinds[i] = pf_json_kind_at(rec->kinds, i);
	}
	w->fields[f] = (struct pf_field){ s, len };
	w->kinds[f] = kind;
	pf_output_record(&r->out, out, w->fields, w->kinds, rec->nfields);
}

/* pf_json_array_each()'s each() for explode_json(): one record. */
struct explode {
	struct reshape_worker	*w;
	const struct pf_record	*rec;
	struct pf_buf		*out;
	uint64_t		 n;
};

static void
explode_element(void *ctx, const char *s, size_t len, enum pf_json_kind kind)
{
	struct explode *x = ctx;

	write_with(x->w, x->rec, x->w->r->field, s, len, kind, x->out);
	x->n++;
}

/*
 * Explodes a JSON array: one record per element, one with the field
 * empty for an empty array. Returns false (and writes nothing) when s is
 * not wholly an array.
 */
static bool
explode_json(struct reshape_worker *w, const struct pf_record *rec,
    const char *s, size_t len, struct pf_buf *out, uint64_t *written)
{
	struct explode x = { w, rec, out, 0 };
	size_t start = out->len;

	if (!pf_json_array_each(s, len, &w->part, &w->stack, explode_element,
	    &x)) {
		out->len = start;	/* not an array: no half output */
		return false;
	}
	if (x.n == 0)
		explode_element(&x, "", 0, PF_JSON_AUTO);
	*written = x.n;
	return true;
}

static uint64_t
explode_record(struct reshape_worker *w, const struct pf_record *rec,
    struct pf_buf *out)
{
	struct reshape *r = w->r;
	const char *s, *end, *cut, *sep = r->args->sep;
	enum pf_json_kind kind = kind_of(rec, (size_t)r->field);
	uint64_t n = 0;
	size_t len;

	if ((size_t)r->field >= rec->nfields) {
		pf_output_record(&r->out, out, rec->fields, rec->kinds,
		    rec->nfields);
		return 1;
	}
	/* A part of a string is a string; of any other text, text. */
	if (kind == PF_JSON_LITERAL)
		kind = PF_JSON_AUTO;
	s = rec->fields[r->field].ptr;
	len = rec->fields[r->field].len;
	if (len > 0 && explode_json(w, rec, s, len, out, &n))
		return n;
	for (end = s + len;; s = cut + r->sep_len) {
		cut = r->sep_len == 0 ? NULL : memmem(s, (size_t)(end - s),
		    sep, r->sep_len);
		write_with(w, rec, r->field, s, (size_t)((cut != NULL ? cut :
		    end) - s), kind, out);
		n++;
		if (cut == NULL)
			return n;
	}
}

static uint64_t
melt_record(struct reshape_worker *w, const struct pf_record *rec,
    struct pf_buf *out)
{
	struct reshape *r = w->r;
	size_t i, k, col;
	const struct pf_field *v;
	static const struct pf_field empty = { "", 0 };

	for (k = 0; k < r->nmelt; k++) {
		col = 0;
		for (i = 0; i < r->nfields; i++)
			if (!r->melted[i]) {
				v = i < rec->nfields ? &rec->fields[i] : &empty;
				pf_output_field(&r->out, out, col++, v->ptr,
				    v->len, kind_of(rec, i));
			}
		/* A name is a string where the input was JSON (its key). */
		pf_output_field(&r->out, out, col++, r->names[r->melt[k]],
		    strlen(r->names[r->melt[k]]), rec->kinds != NULL ?
		    PF_JSON_STRING : PF_JSON_AUTO);
		v = (size_t)r->melt[k] < rec->nfields ?
		    &rec->fields[r->melt[k]] : &empty;
		pf_output_field(&r->out, out, col++, v->ptr, v->len,
		    kind_of(rec, (size_t)r->melt[k]));
		pf_output_end(&r->out, out, col);
	}
	return r->nmelt;
}

static uint64_t
reshape_record(void *worker, const struct pf_record *rec, struct pf_buf *out)
{
	struct reshape_worker *w = worker;

	if (w->r->args->melt != NULL)
		return melt_record(w, rec, out);
	return explode_record(w, rec, out);
}

int
pf_reshape_main(const struct pf_options *opt,
    const struct pf_reshape_args *args, char **files, int nfiles)
{
	struct reshape r = { .opt = opt, .args = args };
	struct pf_tool tool = {
		.ctx = &r,
		.start = reshape_start,
		.check = reshape_check,
		.worker_new = reshape_worker_new,
		.worker_free = reshape_worker_free,
		.record = reshape_record,
	};
	int status;

	r.tool = &tool;
	r.sep_len = strlen(args->sep);
	status = pf_run(opt, files, nfiles, &tool);
	if (r.output_ready)
		pf_output_free(&r.out);
	free(r.melt);
	free(r.melted);
	return status;
}
