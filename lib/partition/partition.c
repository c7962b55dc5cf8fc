/*
 * partition.c - ppartition's routing: keys, hashing, the batch framing,
 * and the files of -o and --by-value -o (command mode is partition_cmd.c).
 *
 * DESIGN
 *
 * Workers do the per-record work: they evaluate the key (fields joined by
 * PF_PARTITION_KEY_SEP, or expressions), hash it with XXH64 (seed 0), and
 * append one frame per record to the batch's output buffer:
 *
 *	struct frame { dest, keylen, len }  key bytes (--by-value only)
 *	                                    record bytes (with terminator)
 *
 * dest is the partition (XXH64 mod N), DEST_ALL under --broadcast, or
 * the key's whole XXH64 under --by-value. The record bytes are the raw
 * input bytes when the output format is the input's, so records go
 * through byte for byte; otherwise output.c writes them.
 *
 * The engine hands each batch's frames to emit() on its writer thread,
 * in input order, so every partition keeps input order for every -j.
 * emit() copies each record into its destination's pending buffer and
 * then writes each pending buffer with one write(2) (files) or hands them
 * all to partition_cmd.c (commands). Nothing outlives the batch, so the
 * memory is the engine's bounded pool plus one batch of pending bytes.
 *
 * --by-value keeps a table of every distinct value (hash, key bytes, fd,
 * whether its file was created in this run) and an LRU list of the open
 * files, at most --max-open of them; a file closed to make room is
 * reopened with O_APPEND. A file is created (truncated) and given the
 * header the first time its value is seen in the run.
 *
 * Write errors on a file are reported here with the file's name; emit()
 * then returns -1 with errno EPIPE, which makes the engine stop quietly,
 * and the status is kept in the tool's context.
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#define XXH_INLINE_ALL		/* short keys: no call per record */
#include <xxhash.h>

#include "engine/engine.h"
#include "expr/expr.h"
#include "support/outfile.h"
#include "csv/output.h"
#include "partition/partition.h"
#include "expr/report.h"
#include "support/xalloc.h"

#define DEST_ALL	UINT64_MAX	/* --broadcast: every partition */
#define NONE		UINT32_MAX

struct frame {
	uint64_t	dest;		/* partition, DEST_ALL, or key XXH64 */
	uint32_t	keylen;		/* key bytes that follow (--by-value) */
	uint32_t	len;		/* record bytes that follow the key */
};

/* One distinct key value of --by-value. */
struct value {
	uint64_t	hash;
	size_t		key_off;	/* in values.keys */
	uint32_t	key_len;
	int		fd;		/* -1 when closed */
	uint32_t	newer, older;	/* LRU neighbours among open files */
	uint32_t	slot;		/* its pending buffer in this batch */
	bool		created;	/* created and truncated in this run */
};

struct values {
	struct value	*v;
	uint32_t	 n, cap;
	uint32_t	*table;		/* value index + 1; 0 is an empty slot */
	size_t		 mask;
	struct pf_buf	 keys;		/* the key bytes of all values */
	uint32_t	 newest, oldest;
	long		 nopen;
	struct pf_buf	*slots;		/* pending bytes per value touched */
	uint32_t	*touched;	/* slot -> value index */
	uint32_t	 nslots, slots_cap;
};

struct partition {
	struct pf_tool			*tool;
	const struct pf_options		*opt;
	const struct pf_partition_args	*args;
	struct pf_projection		*keys;
	long				 key_field;	/* one plain field, or -1 */
	bool				 key_exprs;	/* some key is no plain field */
	struct pf_output		 out;
	bool				 out_ready;
	bool				 raw_copy;
	struct pf_buf			 header;
	bool				 start_called;
	bool				 sinks_open;
	int				 status;

	uint64_t			 nparts;	/* files or copies */
	__uint128_t			 fastmod_m;	/* for h % nparts */
	struct pf_buf			*pending;	/* per partition */
	int				*fds;		/* -o: one per partition */
	char				**paths;
	struct pf_partition_cmd		*cmd;
	struct values			 values;	/* --by-value */
	struct pf_buf			 path;		/* scratch */
	struct pf_buf			 name;		/* scratch */
	struct pf_inputs		 inputs;	/* no -o file may be one */
};

struct part_worker {
	struct partition	*p;
	struct pf_eval		*eval;
	struct pf_buf		 key;
};

uint64_t
pf_partition_of(const char *key, size_t len, uint64_t nparts)
{
	return XXH64(len > 0 ? key : "", len, 0) % nparts;
}

void
pf_partition_safe_name(struct pf_buf *b, const char *value, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	const size_t limit = 200;
	size_t start = b->len, i;
	unsigned char c;

	if (len == 0) {
		pf_buf_adds(b, "%empty");
		return;
	}
	for (i = 0; i < len; i++) {
		c = (unsigned char)value[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		    (c == '.' && i > 0))
			pf_buf_addc(b, (char)c);
		else {
			pf_buf_addc(b, '%');
			pf_buf_addc(b, hex[c >> 4]);
			pf_buf_addc(b, hex[c & 15]);
		}
		if (b->len - start > limit)
			break;
	}
	if (b->len - start > limit) {
		char tail[24];

		b->len = start + limit;
		snprintf(tail, sizeof(tail), "%%%016" PRIX64,
		    (uint64_t)XXH64(value, len, 0));
		pf_buf_adds(b, tail);
	}
}

void
pf_partition_expand(struct pf_buf *b, const char *pattern, const char *s,
    size_t len)
{
	const char *at;

	while ((at = strstr(pattern, "{}")) != NULL) {
		pf_buf_add(b, pattern, (size_t)(at - pattern));
		pf_buf_add(b, s, len);
		pattern = at + 2;
	}
	pf_buf_adds(b, pattern);
}

/* ---- keys (worker threads) ---- */

/*
 * The -k source with each item that names a field (a header name, even
 * one that is no identifier, or a position in digits) rewritten as $N.
 * Returns NULL after a message for a position that is out of range.
 */
static char *
key_source(const char *keys, const struct pf_schema *schema)
{
	struct pf_buf b = { 0 };
	char **items, *list, ref[32];
	size_t n, i, len;
	bool failed = false;
	long idx;

	n = pf_expr_split_list(keys, &items);
	for (i = 0; i < n; i++) {
		len = strlen(items[i]);
		idx = pf_schema_find(schema, items[i], len);
		if (i > 0)
			pf_buf_addc(&b, ',');
		if (idx >= 0) {
			snprintf(ref, sizeof(ref), "$%ld", idx + 1);
			pf_buf_adds(&b, ref);
		} else if (!failed && len > 0 &&
		    strspn(items[i], "0123456789") == len) {
			list = pf_schema_list(schema);
			warnx("-k: no field %s (fields: %s)", items[i], list);
			free(list);
			failed = true;
		} else
			pf_buf_adds(&b, items[i]);
	}
	for (i = 0; i < n; i++)
		free(items[i]);
	free(items);
	pf_buf_addc(&b, '\0');
	if (failed) {
		pf_buf_free(&b);
		return NULL;
	}
	return b.data;
}

static int
compile_keys(struct partition *p, const struct pf_schema *schema)
{
	struct pf_expr_error err;
	char *src;
	size_t i;

	p->key_field = -1;
	if (p->args->keys == NULL)
		return 0;
	if ((src = key_source(p->args->keys, schema)) == NULL)
		return 2;
	p->keys = pf_projection_compile(src, schema, &err);
	if (p->keys == NULL) {
		pf_report_expr_error(src, &err);
		free(src);
		return 2;
	}
	free(src);
	for (i = 0; i < p->keys->ncols; i++)
		if (p->keys->cols[i].field < 0)
			p->key_exprs = true;
	if (p->keys->ncols == 1 && !p->key_exprs)
		p->key_field = p->keys->cols[0].field;
	return 0;
}

static void
add_field(struct pf_buf *b, const struct pf_record *rec, long f)
{
	if ((size_t)f < rec->nfields)
		pf_buf_add(b, rec->fields[f].ptr, rec->fields[f].len);
}

/* The key bytes of rec: into the record, or into the worker's scratch. */
static void
key_bytes(struct part_worker *w, const struct pf_record *rec,
    const char **key, size_t *len)
{
	const struct partition *p = w->p;
	const struct pf_column *c;
	struct pf_value v;
	const char *s;
	size_t i, n;

	if (p->key_field >= 0) {
		if ((size_t)p->key_field < rec->nfields) {
			*key = rec->fields[p->key_field].ptr;
			*len = rec->fields[p->key_field].len;
		} else {
			*key = "";
			*len = 0;
		}
		return;
	}
	if (p->key_exprs)
		pf_eval_reset(w->eval);
	w->key.len = 0;
	for (i = 0; i < p->keys->ncols; i++) {
		c = &p->keys->cols[i];
		if (i > 0)
			pf_buf_addc(&w->key, PF_PARTITION_KEY_SEP);
		if (c->field >= 0)
			add_field(&w->key, rec, c->field);
		else {
			pf_eval(w->eval, c->expr, rec, &v);
			pf_value_text(w->eval, &v, &s, &n);
			pf_buf_add(&w->key, s, n);
		}
	}
	*key = w->key.len > 0 ? w->key.data : "";
	*len = w->key.len;
}

static void *
partition_worker_new(void *ctx)
{
	struct part_worker *w = pf_xcalloc(1, sizeof(*w));

	w->p = ctx;
	w->eval = pf_eval_new();
	return w;
}

static void
partition_worker_free(void *worker)
{
	struct part_worker *w = worker;

	pf_eval_free(w->eval);
	pf_buf_free(&w->key);
	free(w);
}

static const char *
partition_failure(void *worker)
{
	return pf_eval_error(((struct part_worker *)worker)->eval);
}

static uint64_t
partition_record(void *worker, const struct pf_record *rec, struct pf_buf *out)
{
	struct part_worker *w = worker;
	struct partition *p = w->p;
	const char *key = "";
	size_t keylen = 0, at, body;
	struct frame f;
	uint64_t h;

	if (p->keys != NULL) {
		key_bytes(w, rec, &key, &keylen);
		if (p->key_exprs && pf_eval_error(w->eval) != NULL)
			return PF_RECORD_FAILED;
	}
	if (p->args->broadcast)
		f.dest = DEST_ALL;
	else {
		h = XXH64(key, keylen, 0);
		f.dest = p->args->by_value ? h :
		    pf_partition_fastmod(h, p->fastmod_m, p->nparts);
	}
	f.keylen = p->args->by_value ? (uint32_t)keylen : 0;
	at = out->len;
	pf_buf_reserve(out, sizeof(f) + f.keylen + rec->raw_len + 1);
	out->len += sizeof(f);
	if (f.keylen > 0)
		pf_buf_add(out, key, f.keylen);
	body = out->len;
	if (p->raw_copy) {
		memcpy(out->data + out->len, rec->raw, rec->raw_len);
		out->len += rec->raw_len;
		out->data[out->len++] = '\n';
	} else
		pf_output_record(&p->out, out, rec->fields, rec->nfields);
	f.len = (uint32_t)(out->len - body);
	memcpy(out->data + at, &f, sizeof(f));
	return 1;
}

/* ---- files ---- */

/* Lets -n open more files than the default soft limit allows. */
static void
raise_file_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Reports a write error on path and makes emit() stop the engine. */
static int
file_failed(struct partition *p, const char *path)
{
	warn("%s", path);
	p->status = 1;
	errno = EPIPE;
	return -1;
}

/*
 * Creates the directories of path that do not exist, as mkdir -p would;
 * a failure is left for the open that follows to report.
 */
static void
make_parents(const char *path)
{
	char *dirs = pf_xstrdup(path), *p;

	for (p = strchr(dirs + 1, '/'); p != NULL; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(dirs, 0777) < 0 && errno != EEXIST)
			break;
		*p = '/';
	}
	free(dirs);
}

/* open(2) for an output file, its directories made when it is created. */
static int
open_output(const char *path, int flags)
{
	int fd;

	if ((fd = open(path, flags, 0666)) >= 0 || errno != ENOENT ||
	    !(flags & O_CREAT))
		return fd;
	make_parents(path);
	return open(path, flags, 0666);
}

static int
open_partition_files(struct partition *p)
{
	char num[32];
	uint64_t i;
	int status;

	raise_file_limit();
	p->fds = pf_xcalloc(p->nparts, sizeof(*p->fds));
	p->paths = pf_xcalloc(p->nparts, sizeof(*p->paths));
	for (i = 0; i < p->nparts; i++)
		p->fds[i] = -1;
	for (i = 0; i < p->nparts; i++) {
		snprintf(num, sizeof(num), "%" PRIu64, i);
		p->path.len = 0;
		pf_partition_expand(&p->path, p->args->pattern, num, strlen(num));
		pf_buf_addc(&p->path, '\0');
		p->paths[i] = pf_xstrdup(p->path.data);
		/* No file is truncated while another is an input. */
		if ((status = pf_inputs_check_path(&p->inputs,
		    p->paths[i])) != 0)
			return status;
	}
	for (i = 0; i < p->nparts; i++) {
		make_parents(p->paths[i]);
		p->fds[i] = pf_outfile_open_fd(p->paths[i], O_TRUNC,
		    &p->inputs, &status);
		if (p->fds[i] < 0)
			return status;
		if (p->header.len > 0 && pf_write_all(p->fds[i],
		    p->header.data, p->header.len) < 0) {
			warn("%s", p->paths[i]);
			return 1;
		}
	}
	return 0;
}

static int
write_partition_files(struct partition *p)
{
	uint64_t i;

	for (i = 0; i < p->nparts; i++) {
		if (p->pending[i].len == 0)
			continue;
		if (pf_write_all(p->fds[i], p->pending[i].data,
		    p->pending[i].len) < 0)
			return file_failed(p, p->paths[i]);
		p->pending[i].len = 0;
	}
	return 0;
}

/* ---- --by-value ---- */

static void
values_init(struct values *vs)
{
	vs->mask = 1023;
	vs->table = pf_xcalloc(vs->mask + 1, sizeof(*vs->table));
	vs->newest = vs->oldest = NONE;
}

static void
values_grow_table(struct values *vs)
{
	size_t mask = vs->mask * 2 + 1, j;
	uint32_t *t = pf_xcalloc(mask + 1, sizeof(*t)), i;

	for (i = 0; i < vs->n; i++) {
		for (j = vs->v[i].hash & mask; t[j] != 0; j = (j + 1) & mask)
			continue;
		t[j] = i + 1;
	}
	free(vs->table);
	vs->table = t;
	vs->mask = mask;
}

/* The index of the value with these key bytes, added if it is new. */
static uint32_t
values_find(struct values *vs, uint64_t hash, const char *key, uint32_t len)
{
	struct value *v;
	size_t j;
	uint32_t i;

	for (j = hash & vs->mask; vs->table[j] != 0; j = (j + 1) & vs->mask) {
		v = &vs->v[vs->table[j] - 1];
		if (v->hash == hash && v->key_len == len &&
		    memcmp(vs->keys.data + v->key_off, key, len) == 0)
			return vs->table[j] - 1;
	}
	if (vs->n == vs->cap) {
		vs->cap = vs->cap ? vs->cap * 2 : 1024;
		vs->v = pf_xrealloc(vs->v, vs->cap * sizeof(*vs->v));
	}
	i = vs->n++;
	v = &vs->v[i];
	memset(v, 0, sizeof(*v));
	v->hash = hash;
	v->key_off = vs->keys.len;
	v->key_len = len;
	v->fd = -1;
	v->newer = v->older = NONE;
	v->slot = NONE;
	pf_buf_add(&vs->keys, key, len);
	vs->table[j] = i + 1;
	if ((size_t)vs->n * 2 > vs->mask)
		values_grow_table(vs);
	return i;
}

static void
lru_unlink(struct values *vs, uint32_t i)
{
	struct value *v = &vs->v[i];

	if (v->newer != NONE)
		vs->v[v->newer].older = v->older;
	else
		vs->newest = v->older;
	if (v->older != NONE)
		vs->v[v->older].newer = v->newer;
	else
		vs->oldest = v->newer;
	v->newer = v->older = NONE;
}

static void
lru_push(struct values *vs, uint32_t i)
{
	struct value *v = &vs->v[i];

	v->older = vs->newest;
	v->newer = NONE;
	if (vs->newest != NONE)
		vs->v[vs->newest].newer = i;
	vs->newest = i;
	if (vs->oldest == NONE)
		vs->oldest = i;
}

static void
value_path(struct partition *p, const struct value *v)
{
	p->name.len = 0;
	pf_partition_safe_name(&p->name, p->values.keys.data + v->key_off,
	    v->key_len);
	p->path.len = 0;
	pf_partition_expand(&p->path, p->args->pattern, p->name.data,
	    p->name.len);
	pf_buf_addc(&p->path, '\0');
}

/* Closes the least recently written file. Returns -1 on a close error. */
static int
close_oldest(struct partition *p)
{
	struct values *vs = &p->values;
	uint32_t i = vs->oldest;
	int rc;

	lru_unlink(vs, i);
	rc = close(vs->v[i].fd);
	vs->v[i].fd = -1;
	vs->nopen--;
	if (rc < 0) {
		value_path(p, &vs->v[i]);
		return file_failed(p, p->path.data);
	}
	return 0;
}

/* Opens value i's file: created and headed the first time, else appended. */
static int
open_value(struct partition *p, uint32_t i)
{
	struct values *vs = &p->values;
	struct value *v = &vs->v[i];
	int flags = O_WRONLY | O_CLOEXEC;

	if (vs->nopen >= p->args->max_open && close_oldest(p) < 0)
		return -1;
	/* Truncated only once known not to be an input (below). */
	flags |= v->created ? O_APPEND : O_CREAT;
	value_path(p, v);
	while ((v->fd = open_output(p->path.data, flags)) < 0) {
		if ((errno != EMFILE && errno != ENFILE) || vs->nopen == 0)
			return file_failed(p, p->path.data);
		if (close_oldest(p) < 0)
			return -1;
		value_path(p, v);
	}
	vs->nopen++;
	lru_push(vs, i);
	if (!v->created) {
		if ((p->status = pf_inputs_check_fd(&p->inputs, v->fd)) != 0) {
			errno = EPIPE;	/* stop the engine quietly */
			return -1;
		}
		if (ftruncate(v->fd, 0) < 0 && errno != EINVAL)
			return file_failed(p, p->path.data);
		v->created = true;
		if (p->header.len > 0 && pf_write_all(v->fd, p->header.data,
		    p->header.len) < 0)
			return file_failed(p, p->path.data);
	}
	return 0;
}

static void
route_value(struct partition *p, uint64_t hash, const char *key,
    uint32_t keylen, const char *rec, uint32_t len)
{
	struct values *vs = &p->values;
	uint32_t i = values_find(vs, hash, key, keylen);
	struct value *v = &vs->v[i];

	if (v->slot == NONE) {
		if (vs->nslots == vs->slots_cap) {
			vs->slots_cap = vs->slots_cap ? vs->slots_cap * 2 : 64;
			vs->slots = pf_xrealloc(vs->slots,
			    vs->slots_cap * sizeof(*vs->slots));
			vs->touched = pf_xrealloc(vs->touched,
			    vs->slots_cap * sizeof(*vs->touched));
			memset(vs->slots + vs->nslots, 0, (vs->slots_cap -
			    vs->nslots) * sizeof(*vs->slots));
		}
		v->slot = vs->nslots++;
		vs->touched[v->slot] = i;
	}
	pf_buf_add(&vs->slots[v->slot], rec, len);
}

/* Writes each value's records of this batch with one write(2). */
static int
write_values(struct partition *p)
{
	struct values *vs = &p->values;
	struct pf_buf *b;
	struct value *v;
	uint32_t k, i;
	int rc = 0;

	for (k = 0; k < vs->nslots; k++) {
		i = vs->touched[k];
		v = &vs->v[i];
		b = &vs->slots[k];
		v->slot = NONE;
		if (rc == 0) {
			if (v->fd < 0)
				rc = open_value(p, i);
			else if (vs->newest != i) {
				lru_unlink(vs, i);
				lru_push(vs, i);
			}
			if (rc == 0 && pf_write_all(v->fd, b->data, b->len) < 0) {
				value_path(p, v);
				rc = file_failed(p, p->path.data);
			}
		}
		b->len = 0;
		if (b->cap > 65536)
			pf_buf_free(b);
	}
	vs->nslots = 0;
	return rc;
}

static int
close_values(struct partition *p)
{
	int status = 0;

	while (p->values.nopen > 0)
		if (close_oldest(p) < 0)
			status = 1;
	return status;
}

static void
values_free(struct values *vs)
{
	uint32_t k;

	for (k = 0; k < vs->slots_cap; k++)
		pf_buf_free(&vs->slots[k]);
	free(vs->slots);
	free(vs->touched);
	free(vs->v);
	free(vs->table);
	pf_buf_free(&vs->keys);
}

/* ---- the engine's callbacks ---- */

static int
open_sinks(struct partition *p)
{
	const struct pf_options *opt = p->opt;
	uint64_t i;
	int status = 0;

	p->sinks_open = true;
	if (!p->args->by_value)
		p->pending = pf_xcalloc(p->nparts, sizeof(*p->pending));
	if (p->args->command != NULL) {
		p->cmd = pf_partition_cmd_start(p->args->command,
		    (int)p->nparts, opt->out_set && opt->out_format == PF_CSV ?
		    opt->out_delim : '\0',
		    p->args->header_once);
		if (p->cmd == NULL)
			return 1;
		if (p->header.len == 0)
			return 0;
		for (i = 0; i < p->nparts; i++)
			pf_buf_add(&p->pending[i], p->header.data,
			    p->header.len);
		(void)pf_partition_cmd_feed(p->cmd, p->pending);
	} else if (p->args->by_value) {
		raise_file_limit();
		values_init(&p->values);
	} else
		status = open_partition_files(p);
	return status;
}

static int
partition_start(void *ctx, const struct pf_schema *schema, struct pf_buf *out)
{
	struct partition *p = ctx;
	const struct pf_options *opt = p->opt;
	int status;

	(void)out;	/* the header goes to each file or copy, not stdout */
	p->start_called = true;
	if ((status = compile_keys(p, schema)) != 0)
		return status;
	p->tool->record_numbers = pf_projection_uses_nr(p->keys);
	p->raw_copy = opt->out_format == opt->in.format &&
	    opt->out_delim == opt->in.delim;
	pf_output_init(&p->out, opt->out_format, opt->out_delim, schema->names,
	    schema->nfields);
	p->out_ready = true;
	if (schema->has_header)
		pf_output_header(&p->out, &p->header);
	return open_sinks(p);
}

static int
partition_emit(void *ctx, const struct pf_buf *out)
{
	struct partition *p = ctx;
	const char *q = out->data, *end = out->data + out->len;
	struct frame f;
	uint64_t i;

	while (q < end) {
		memcpy(&f, q, sizeof(f));
		q += sizeof(f);
		if (p->args->by_value)
			route_value(p, f.dest, q, f.keylen, q + f.keylen, f.len);
		else if (f.dest == DEST_ALL) {
			for (i = 0; i < p->nparts; i++)
				pf_buf_add(&p->pending[i], q, f.len);
		} else
			pf_buf_add(&p->pending[f.dest], q, f.len);
		q += f.keylen + f.len;
	}
	if (p->args->by_value)
		return write_values(p);
	if (p->cmd != NULL)
		return pf_partition_cmd_feed(p->cmd, p->pending);
	return write_partition_files(p);
}

/* Closes the files or ends the copies; returns the status to exit with. */
static int
close_sinks(struct partition *p, int status)
{
	uint64_t i;
	int st;

	if (p->cmd != NULL) {
		st = pf_partition_cmd_finish(p->cmd, status != 0);
		if (status == 0)
			status = st;
	}
	if (p->args->by_value && p->values.table != NULL) {
		if (close_values(p) != 0 && status == 0)
			status = 1;
		values_free(&p->values);
	}
	for (i = 0; p->fds != NULL && i < p->nparts; i++) {
		if (p->fds[i] >= 0 && close(p->fds[i]) < 0) {
			warn("%s", p->paths[i]);
			if (status == 0)
				status = 1;
		}
		free(p->paths[i]);
	}
	free(p->fds);
	free(p->paths);
	for (i = 0; p->pending != NULL && i < p->nparts; i++)
		pf_buf_free(&p->pending[i]);
	free(p->pending);
	return status;
}

int
pf_partition_main(const struct pf_options *opt,
    const struct pf_partition_args *args, char **files, int nfiles)
{
	struct partition p = { .opt = opt, .args = args };
	struct pf_tool tool = {
		.ctx = &p,
		.start = partition_start,
		.worker_new = partition_worker_new,
		.worker_free = partition_worker_free,
		.record = partition_record,
		.record_failure = partition_failure,
		.emit = partition_emit,
	};
	int status;

	p.tool = &tool;
	pf_inputs_add(&p.inputs, files, nfiles);
	p.nparts = args->nparts;
	if (p.nparts > 0)
		p.fastmod_m = pf_partition_fastmod_m(p.nparts);
	status = pf_run(opt, files, nfiles, &tool);
	/* Empty input: the files are still created, the copies still run. */
	if (status == 0 && !p.start_called)
		status = open_sinks(&p);
	if (status == 0 && p.status != 0)
		status = p.status;
	if (p.sinks_open)
		status = close_sinks(&p, status);
	if (p.keys != NULL)
		pf_projection_free(p.keys);
	if (p.out_ready)
		pf_output_free(&p.out);
	pf_buf_free(&p.header);
	pf_buf_free(&p.path);
	pf_buf_free(&p.name);
	pf_inputs_free(&p.inputs);
	return status;
}
