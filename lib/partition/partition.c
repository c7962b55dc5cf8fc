/*
 * partition.c - ppartition's routing: keys, hashing, the batch framing,
 * and the engine's callbacks. The files of -o -n are written from
 * partition_group.c's groups, those of --by-value are
 * partition_values.c's; command mode is partition_cmd.c.
 *
 * DESIGN
 *
 * Workers do the per-record work: they encode the key (keys.h, by the
 * field rule: fields or expressions, several joined by
 * PF_PARTITION_KEY_SEP) and hash it. The partition is XXH64 of the key,
 * seed 0, mod N (through the worker's memo of the keys it saw last,
 * partition.h); the record bytes are the raw input bytes when the output
 * format is the input's, so records go through byte for byte; otherwise
 * output.c writes them. Only the fields up to the last a key reads are
 * split when records go raw.
 *
 * With -o -n, a worker notes each record and its partition, and at the
 * batch's end groups the batch's records by partition in one buffer
 * (partition_group.c); the writer thread takes the groups in input
 * order (batch_result) and writes each partition's bytes with one
 * write(2). Otherwise the worker appends one frame per record to the
 * batch's output buffer:
 *
 *	struct frame { dest, keylen, len }  key bytes (--by-value only)
 *	                                    record bytes (with terminator)
 *
 * dest is the partition, DEST_ALL under --broadcast, or the key's
 * pf_hash() under --by-value (the hash of its table, table.h). With
 * --by-value, the engine hands each batch's frames to emit() on its
 * writer thread, in input order, which copies each record into its
 * value's pending buffer and then writes each with one write(2). Command
 * mode runs the engine driven instead (engine.h): partition_cmd.c's
 * loop is the in-order stage, routes each batch the same way and feeds
 * the copies. Either way every partition keeps input order for every
 * -j. Nothing outlives the batch, so the memory is the engine's bounded
 * pool plus one batch of pending bytes, or a group per batch in flight.
 *
 * Write errors on a file are reported with the file's name; emit() then
 * returns -1 with errno EPIPE, which makes the engine stop quietly (a
 * group's write sets the tool's stop_status), and the status is kept in
 * the tool's context.
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#define XXH_INLINE_ALL		/* short keys: no call per record */
#include <xxhash.h>

#include "expr/expr.h"
#include "partition/partition_int.h"
#include "support/status.h"
#include "support/xalloc.h"

#define DEST_ALL	UINT64_MAX	/* --broadcast: every partition */

struct frame {
	uint64_t	dest;		/* partition, DEST_ALL, or key hash */
	uint32_t	keylen;		/* key bytes that follow (--by-value) */
	uint32_t	len;		/* record bytes that follow the key */
};

struct part_worker {
	struct partition	*p;
	struct pf_eval		*eval;
	struct pf_buf		 key;
	struct pf_partition_memo memo;
	struct grouping		 grouping;	/* -o -n */
	bool			 lean;		/* partition_record() may
						   do it all */
};

uint64_t
pf_partition_of(const char *key, size_t len, uint64_t nparts)
{
	return XXH64(len > 0 ? key : "", len, 0) % nparts;
}

/* ---- the memo of partitions (partition.h) ---- */

uint64_t
pf_partition_memo_miss(struct pf_partition_memo *memo,
    struct pf_partition_memo_slot *s, const char *key, size_t len,
    uint64_t nparts, __uint128_t m)
{
	uint64_t part = pf_partition_fastmod(XXH64(len > 0 ? key : "", len,
	    0), m, nparts);

	if (s != NULL) {
		s->part = (uint32_t)part;
		if (++memo->misses > 4096 && memo->misses * 4 > memo->looks)
			pf_partition_memo_free(memo);	/* for good */
		else if (memo->looks >= 1 << 20)
			memo->looks = memo->misses = 0;
	} else if (!memo->started) {
		memo->started = true;
		memo->slots = pf_xcalloc((size_t)1 << PF_PARTITION_MEMO_BITS,
		    sizeof(*memo->slots));
	}
	return part;
}

void
pf_partition_memo_free(struct pf_partition_memo *memo)
{
	free(memo->slots);
	memo->slots = NULL;
}

/* ---- keys and records (worker threads) ---- */

/*
 * -k by the field rule (keys.h), its parts joined by PF_PARTITION_KEY_SEP:
 * the key bytes whose XXH64 names the partition (ppartition(1)).
 */
static int
compile_keys(struct partition *p, const struct pf_schema *schema)
{
	int status;

	if (p->args->keys == NULL)
		return 0;
	if ((status = pf_keys_compile(&p->keys, p->args->keys, schema)) != 0)
		return status;
	p->keys.join_sep = (unsigned char)PF_PARTITION_KEY_SEP;
	p->has_keys = true;
	return 0;
}

/*
 * Empty input: -k is still checked. The files or copies are opened after
 * the run, as ever (pf_partition_main, run_commands).
 */
static int
partition_check(void *ctx, const struct pf_schema *schema)
{
	return compile_keys(ctx, schema);
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
	pf_partition_memo_free(&w->memo);
	pf_partition_grouping_free(&w->grouping);
	free(w);
}

static const char *
partition_failure(void *worker)
{
	return pf_eval_error(((struct part_worker *)worker)->eval);
}

/*
 * Sets key to the bytes of rec's key (keys.h; nothing without -k).
 * Returns false when an expression failed (partition_failure()).
 */
static inline bool
record_key(struct part_worker *w, const struct pf_record *rec,
    const char **key, size_t *keylen)
{
	const struct partition *p = w->p;
	long f = p->keys.single_field;

	*key = "";
	*keylen = 0;
	if (f >= 0) {
		/* One key field: its bytes are the key, nothing to encode. */
		if ((size_t)f < rec->nfields) {
			*key = rec->fields[f].ptr;
			*keylen = rec->fields[f].len;
		}
	} else if (p->has_keys) {
		if (pf_keys_encode(&p->keys, w->eval, rec, &w->key) != NULL)
			return false;
		if (w->key.len > 0) {
			*key = w->key.data;
			*keylen = w->key.len;
		}
	}
	return true;
}

/* --by-value and command mode: rec's frame, appended to out. */
static __attribute__((noinline)) void
add_frame(struct part_worker *w, const struct pf_record *rec,
    const char *key, size_t keylen, struct pf_buf *out)
{
	struct partition *p = w->p;
	size_t at, body;
	struct frame f;

	if (p->args->broadcast)
		f.dest = DEST_ALL;
	else if (p->args->by_value)
		f.dest = XXH3_64bits(key, keylen);	/* pf_hash(), table.h */
	else
		f.dest = pf_partition_memo_of(&w->memo, key, keylen,
		    p->nparts, p->fastmod_m);
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
		pf_output_record(&p->out, out, rec->fields, rec->kinds,
		    rec->nfields);
	f.len = (uint32_t)(out->len - body);
	memcpy(out->data + at, &f, sizeof(f));
}

/* Any record: what partition_record() leaves to others. */
static __attribute__((noinline)) uint64_t
record_any(struct part_worker *w, const struct pf_record *rec,
    struct pf_buf *out)
{
	struct partition *p = w->p;
	const char *key;
	size_t keylen;

	if (!record_key(w, rec, &key, &keylen))
		return PF_RECORD_FAILED;
	if (!p->grouping)
		add_frame(w, rec, key, keylen, out);
	else if (p->args->broadcast)
		pf_partition_group_note(p, &w->grouping, 0, rec);
	else
		pf_partition_group_note(p, &w->grouping,
		    pf_partition_memo_of(&w->memo, key, keylen, p->nparts,
		    p->fastmod_m), rec);
	w->lean = p->grouping && p->raw_copy && !p->args->broadcast &&
	    p->keys.single_field >= 0;
	return 1;
}

/*
 * The common case kept free of calls, and so of saving registers: -o -n,
 * one key field, records raw, the key in the memo, room for its note.
 * The others, the memo's misses included, are record_any()'s.
 */
static uint64_t
partition_record(void *worker, const struct pf_record *rec, struct pf_buf *out)
{
	struct part_worker *w = worker;
	struct grouping *g = &w->grouping;
	const struct pf_partition_memo_slot *s;
	size_t f = (size_t)w->p->keys.single_field, keylen = 0;
	const char *key = "";
	uint64_t lo, hi;

	if (!w->lean || g->nnoted == g->cap)
		return record_any(w, rec, out);
	if (f < rec->nfields) {
		key = rec->fields[f].ptr;
		keylen = rec->fields[f].len;
	}
	if (keylen > 16 || w->memo.slots == NULL)
		return record_any(w, rec, out);
	s = pf_partition_memo_slot(&w->memo, key, keylen, &lo, &hi);
	if (!pf_partition_memo_holds(s, lo, hi, keylen))
		return record_any(w, rec, out);
	w->memo.looks++;
	pf_partition_group_note_raw(g, s->part, rec);
	return 1;
}

/* ---- the engine's callbacks ---- */

static int
open_sinks(struct partition *p)
{
	const struct pf_options *opt = p->opt;
	uint64_t i;
	int status = 0;

	p->sinks_open = true;
	p->z = pf_compressor_new();
	if (p->args->command != NULL) {
		p->pending = pf_xcalloc(p->nparts, sizeof(*p->pending));
		p->cmd = pf_partition_cmd_start(p->args->command,
		    (int)p->nparts, opt->out_set && opt->out_format == PF_CSV ?
		    opt->out_delim : '\0',
		    p->args->header_once);
		if (p->cmd == NULL)
			return 1;
		/* The loop feeds it (pf_partition_cmd_run()). */
		for (i = 0; i < p->nparts; i++)
			pf_buf_add(&p->pending[i], p->header.data,
			    p->header.len);
	} else if (p->args->by_value) {
		pf_partition_raise_file_limit();
		pf_partition_values_init(&p->values);
	} else
		status = pf_partition_open_files(p);
	return status;
}

static int
partition_start(void *ctx, const struct pf_schema *schema, struct pf_buf *out)
{
	struct partition *p = ctx;
	const struct pf_options *opt = p->opt;
	long last;
	int status;

	(void)out;	/* the header goes to each file or copy, not stdout */
	p->start_called = true;
	if ((status = compile_keys(p, schema)) != 0)
		return status;
	p->tool->record_numbers = p->has_keys &&
	    pf_projection_uses_nr(p->keys.proj);
	p->raw_copy = opt->out_format == opt->in.format &&
	    opt->out_delim == opt->in.delim;
	/* Records written raw: only the keys' fields are split (pf_tool). */
	if (p->raw_copy) {
		last = p->has_keys ? pf_projection_max_field(p->keys.proj) : -1;
		p->tool->fields_needed = p->has_keys && p->keys.proj->has_rest ?
		    0 : last < 0 ? 1 : (size_t)last + 1;
	}
	pf_output_init(&p->out, opt->out_format, opt->out_delim, schema->names,
	    schema->nfields);
	p->out_ready = true;
	if (schema->has_header)
		pf_output_header(&p->out, &p->header);
	return open_sinks(p);
}

/* Copies each record of a batch's frames into its destination's pending. */
static void
route_frames(void *ctx, const struct pf_buf *out)
{
	struct partition *p = ctx;
	const char *q = out->data, *end = out->data + out->len;
	struct frame f;
	uint64_t i;

	while (q < end) {
		memcpy(&f, q, sizeof(f));
		q += sizeof(f);
		if (p->args->by_value)
			pf_partition_values_route(p, f.dest, q, f.keylen,
			    q + f.keylen, f.len);
		else if (f.dest == DEST_ALL) {
			for (i = 0; i < p->nparts; i++)
				pf_buf_add(&p->pending[i], q, f.len);
		} else
			pf_buf_add(&p->pending[f.dest], q, f.len);
		q += f.keylen + f.len;
	}
}

/* --by-value: routes a batch's frames to the values' files. */
static int
partition_emit(void *ctx, const struct pf_buf *out)
{
	struct partition *p = ctx;

	route_frames(p, out);
	return pf_partition_values_write(p);
}

/* -o -n: a worker's batch, grouped by partition (partition_group.c). */
static void *
partition_batch_end(void *worker)
{
	struct part_worker *w = worker;

	return pf_partition_group_end(w->p, &w->grouping);
}

static void
partition_batch_result(void *ctx, void *result,
    const struct pf_batch_info *info, struct pf_buf *out)
{
	(void)info;
	if (result != NULL)
		pf_partition_group_write(ctx, result, out != NULL);
}

/*
 * Command mode: the engine driven by partition_cmd.c's loop. Returns the
 * engine's status, or start()'s.
 */
static int
run_commands(struct partition *p, char **files, int nfiles)
{
	struct pf_engine *e = pf_engine_new(p->opt, files, nfiles, p->tool);
	bool abandoned;
	int status, engine_status;

	status = pf_engine_start(e);
	/* Empty input: the copies still run. */
	if (status == 0 && !p->start_called)
		status = open_sinks(p);
	if (status == 0)
		pf_partition_cmd_run(p->cmd, e, p->pending, route_frames, p);
	else
		pf_engine_stop(e);
	/*
	 * A reader left blocked on a silent stdin (abandoned) holds only the
	 * engine's memory: the copies are still ended, and main() returns.
	 */
	engine_status = pf_engine_close(e, &abandoned);
	return status != 0 ? status : engine_status;
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
	if (p->values.ready && pf_partition_values_finish(p) != 0 &&
	    status == 0)
		status = PF_FAILED;
	for (i = 0; p->fds != NULL && i < p->nparts; i++) {
		if (p->fds[i] >= 0 && close(p->fds[i]) < 0) {
			warn("%s", p->paths[i]);
			if (status == 0)
				status = PF_FAILED;
		}
		free(p->paths[i]);
	}
	free(p->fds);
	free(p->paths);
	free(p->codecs);
	pf_compressor_free(p->z);
	for (i = 0; p->pending != NULL && i < p->nparts; i++)
		pf_buf_free(&p->pending[i]);
	free(p->pending);
	return status;
}

int
pf_partition_main(const struct pf_options *opt,
    const struct pf_partition_args *args, char **files, int nfiles)
{
	struct partition p = { .opt = opt, .args = args,
	    .keys = { .single_field = -1 } };
	struct pf_tool tool = {
		.ctx = &p,
		.start = partition_start,
		.check = partition_check,
		.worker_new = partition_worker_new,
		.worker_free = partition_worker_free,
		.record = partition_record,
		.record_failure = partition_failure,
		.emit = partition_emit,
	};
	int status;

	p.tool = &tool;
	if (args->command == NULL && !args->by_value) {
		pf_partition_group_init(&p);
		tool.batch_end = partition_batch_end;
		tool.batch_result = partition_batch_result;
		tool.result_until_failure = true;
	}
	pf_inputs_add(&p.inputs, files, nfiles);
	p.nparts = args->nparts;
	if (p.nparts > 0)
		p.fastmod_m = pf_partition_fastmod_m(p.nparts);
	if (args->command != NULL)
		status = run_commands(&p, files, nfiles);
	else {
		status = pf_run(opt, files, nfiles, &tool);
		/* Empty input: the files are still created. */
		if (status == 0 && !p.start_called)
			status = open_sinks(&p);
	}
	if (status == 0 && p.status != 0)
		status = p.status;
	if (p.sinks_open)
		status = close_sinks(&p, status);
	pf_partition_group_finish(&p);
	pf_keys_free(&p.keys);
	if (p.out_ready)
		pf_output_free(&p.out);
	pf_buf_free(&p.header);
	pf_buf_free(&p.path);
	pf_buf_free(&p.name);
	pf_inputs_free(&p.inputs);
	return status;
}
