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
	struct pf_buf	 tmp;		/* a nested string, unescaped */
	struct pf_field	*fields;
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
	pf_buf_free(&w->tmp);
	free(w->fields);
	free(w);
}

/* Appends one record: rec's fields with field f's value replaced. */
static void
write_with(struct reshape_worker *w, const struct pf_record *rec, long f,
    const char *s, size_t len, struct pf_buf *out)
{
	struct reshape *r = w->r;
	size_t i;

	if (rec->nfields > w->cap) {
		w->cap = rec->nfields;
		w->fields = pf_xrealloc(w->fields, w->cap * sizeof(*w->fields));
	}
	for (i = 0; i < rec->nfields; i++)
		w->fields[i] = rec->fields[i];
	w->fields[f] = (struct pf_field){ s, len };
	pf_output_record(&r->out, out, w->fields, rec->nfields);
}

static const char *
skip_blanks(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' ||
	    *p == '\r'))
		p++;
	return p;
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool
read_hex4(const char *p, const char *end, unsigned *u)
{
	int i, d;

	if (end - p < 4)
		return false;
	for (*u = 0, i = 0; i < 4; i++) {
		if ((d = hex_digit(p[i])) < 0)
			return false;
		*u = *u << 4 | (unsigned)d;
	}
	return true;
}

static void
add_utf8(struct pf_buf *b, unsigned c)
{
	if (c < 0x80)
		pf_buf_addc(b, (char)c);
	else if (c < 0x800) {
		pf_buf_addc(b, (char)(0xc0 | c >> 6));
		pf_buf_addc(b, (char)(0x80 | (c & 0x3f)));
	} else if (c < 0x10000) {
		pf_buf_addc(b, (char)(0xe0 | c >> 12));
		pf_buf_addc(b, (char)(0x80 | (c >> 6 & 0x3f)));
		pf_buf_addc(b, (char)(0x80 | (c & 0x3f)));
	} else {
		pf_buf_addc(b, (char)(0xf0 | c >> 18));
		pf_buf_addc(b, (char)(0x80 | (c >> 12 & 0x3f)));
		pf_buf_addc(b, (char)(0x80 | (c >> 6 & 0x3f)));
		pf_buf_addc(b, (char)(0x80 | (c & 0x3f)));
	}
}

/*
 * A JSON string at p (after its quote), unescaped into b. Returns the
 * byte after its closing quote, or NULL when it is malformed.
 */
static const char *
json_string(const char *p, const char *end, struct pf_buf *b)
{
	unsigned u, lo;

	for (; p < end && *p != '"'; p++) {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p != '\\') {
			pf_buf_addc(b, *p);
			continue;
		}
		if (++p == end)
			return NULL;
		switch (*p) {
		case '"': case '\\': case '/':
			u = (unsigned char)*p;
			break;
		case 'b': u = '\b'; break;
		case 'f': u = '\f'; break;
		case 'n': u = '\n'; break;
		case 'r': u = '\r'; break;
		case 't': u = '\t'; break;
		case 'u':
			if (!read_hex4(p + 1, end, &u))
				return NULL;
			p += 4;
			if (u >= 0xd800 && u < 0xdc00 && end - p >= 7 &&
			    p[1] == '\\' && p[2] == 'u' &&
			    read_hex4(p + 3, end, &lo) && lo >= 0xdc00 &&
			    lo < 0xe000) {
				u = 0x10000 + ((u - 0xd800) << 10) +
				    (lo - 0xdc00);
				p += 6;
			} else if (u >= 0xd800 && u < 0xe000)
				u = 0xfffd;	/* a lone surrogate */
			break;
		default:
			return NULL;
		}
		add_utf8(b, u);
	}
	return p == end ? NULL : p + 1;
}

/*
 * A JSON string at p (after its quote), written into out as compact
 * JSON writes it: quotes, backslashes and control bytes escaped, all
 * else as it is (Python's json.dumps with ensure_ascii=False). tmp is
 * scratch. Returns as json_string().
 */
static const char *
json_string_compact(const char *p, const char *end, struct pf_buf *out,
    struct pf_buf *tmp)
{
	static const char hex[] = "0123456789abcdef";
	const char *q;
	size_t i;
	unsigned char c;

	tmp->len = 0;
	if ((q = json_string(p, end, tmp)) == NULL)
		return NULL;
	pf_buf_addc(out, '"');
	for (i = 0; i < tmp->len; i++) {
		c = (unsigned char)tmp->data[i];
		if (c == '"' || c == '\\') {
			pf_buf_addc(out, '\\');
			pf_buf_addc(out, (char)c);
		} else if (c < 0x20) {
			pf_buf_addc(out, '\\');
			switch (c) {
			case '\n': pf_buf_addc(out, 'n'); break;
			case '\r': pf_buf_addc(out, 'r'); break;
			case '\t': pf_buf_addc(out, 't'); break;
			case '\b': pf_buf_addc(out, 'b'); break;
			case '\f': pf_buf_addc(out, 'f'); break;
			default:
				pf_buf_add(out, "u00", 3);
				pf_buf_addc(out, hex[c >> 4]);
				pf_buf_addc(out, hex[c & 15]);
			}
		} else
			pf_buf_addc(out, (char)c);
	}
	pf_buf_addc(out, '"');
	return q;
}

/*
 * A JSON value at p: a string is unescaped into out (top is true) or
 * kept quoted; other values are copied compactly (no blanks outside
 * strings); null is empty at the top. Returns the byte after it, or
 * NULL when it is malformed.
 */
static const char *
json_value(const char *p, const char *end, struct pf_buf *out,
    struct pf_buf *tmp, bool top, int depth)
{
	const char *q;
	char close;

	p = skip_blanks(p, end);
	if (p == end || depth > 64)
		return NULL;
	if (*p == '"')
		return top ? json_string(p + 1, end, out) :
		    json_string_compact(p + 1, end, out, tmp);
	if (*p == '[' || *p == '{') {
		close = *p == '[' ? ']' : '}';
		pf_buf_addc(out, *p);
		p = skip_blanks(p + 1, end);
		if (p < end && *p == close) {
			pf_buf_addc(out, close);
			return p + 1;
		}
		for (;;) {
			if (close == '}') {
				p = skip_blanks(p, end);
				if (p == end || *p != '"' ||
				    (p = json_string_compact(p + 1, end, out,
				    tmp)) == NULL)
					return NULL;
				p = skip_blanks(p, end);
				if (p == end || *p != ':')
					return NULL;
				pf_buf_addc(out, ':');
				p++;
			}
			if ((p = json_value(p, end, out, tmp, false,
			    depth + 1)) == NULL)
				return NULL;
			p = skip_blanks(p, end);
			if (p < end && *p == ',') {
				pf_buf_addc(out, ',');
				p++;
				continue;
			}
			if (p < end && *p == close) {
				pf_buf_addc(out, close);
				return p + 1;
			}
			return NULL;
		}
	}
	for (q = p; q < end && strchr(",]} \t\r\n", *q) == NULL; q++)
		;
	if (q == p)
		return NULL;
	if (top && q - p == 4 && memcmp(p, "null", 4) == 0)
		return q;
	pf_buf_add(out, p, (size_t)(q - p));
	return q;
}

/*
 * Explodes a JSON array: one record per element. Returns false (and
 * writes nothing) when s is not wholly an array.
 */
static bool
explode_json(struct reshape_worker *w, const struct pf_record *rec,
    const char *s, size_t len, struct pf_buf *out, uint64_t *written)
{
	const char *p = skip_blanks(s, s + len), *end = s + len;
	size_t start = out->len;
	uint64_t n = 0;

	if (p == end || *p != '[')
		return false;
	p = skip_blanks(p + 1, end);
	if (p < end && *p == ']') {
		if (skip_blanks(p + 1, end) != end)
			return false;
		write_with(w, rec, w->r->field, "", 0, out);
		*written = 1;
		return true;
	}
	for (;;) {
		w->part.len = 0;
		if ((p = json_value(p, end, &w->part, &w->tmp, true, 0)) ==
		    NULL)
			break;
		write_with(w, rec, w->r->field, w->part.data == NULL ? "" :
		    w->part.data, w->part.len, out);
		n++;
		p = skip_blanks(p, end);
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		if (p < end && *p == ']' && skip_blanks(p + 1, end) == end) {
			*written = n;
			return true;
		}
		break;
	}
	out->len = start;	/* not an array after all: no half output */
	return false;
}

static uint64_t
explode_record(struct reshape_worker *w, const struct pf_record *rec,
    struct pf_buf *out)
{
	struct reshape *r = w->r;
	const char *s, *end, *cut, *sep = r->args->sep;
	uint64_t n = 0;
	size_t len;

	if ((size_t)r->field >= rec->nfields) {
		pf_output_record(&r->out, out, rec->fields, rec->nfields);
		return 1;
	}
	s = rec->fields[r->field].ptr;
	len = rec->fields[r->field].len;
	if (len > 0 && explode_json(w, rec, s, len, out, &n))
		return n;
	for (end = s + len;; s = cut + r->sep_len) {
		cut = r->sep_len == 0 ? NULL : memmem(s, (size_t)(end - s),
		    sep, r->sep_len);
		write_with(w, rec, r->field, s, (size_t)((cut != NULL ? cut :
		    end) - s), out);
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
				    v->len, false);
			}
		pf_output_field(&r->out, out, col++, r->names[r->melt[k]],
		    strlen(r->names[r->melt[k]]), false);
		v = (size_t)r->melt[k] < rec->nfields ?
		    &rec->fields[r->melt[k]] : &empty;
		pf_output_field(&r->out, out, col++, v->ptr, v->len, false);
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
