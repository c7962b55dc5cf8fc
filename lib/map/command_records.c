/*
 * command_records.c - command mode's side of the engine (engine.h): the
 * header and the templates (start), and on the workers, each record made
 * ready for the loop: its arguments expanded, its --batch-key encoded,
 * whether an argument would hold a NUL, all as a struct entry in the
 * batch's output. The engine has split it and checked its fields.
 */
#include <stdlib.h>
#include <string.h>

#include "map/command_int.h"
#include "support/xalloc.h"

/* Compiles --batch-key; the templates are compiled by cmd_start(). */
static int
cmd_check(void *ctx, const struct pf_schema *schema)
{
	struct cmd *c = ctx;

	if (c->a->batch_key == NULL)
		return 0;
	return pf_keys_compile(&c->keys, c->a->batch_key, schema);
}

static int
cmd_start(void *ctx, const struct pf_schema *schema, struct pf_buf *out)
{
	struct cmd *c = ctx;
	const struct pf_reader *r = c->reader;
	int status;

	(void)out;	/* the header goes to the commands, not to stdout */
	c->schema = schema;
	if (r->have_header) {
		pf_buf_add(&c->header, r->header.data, r->header.len);
		/* --pipe chunks are the raw bytes: end the header as they do. */
		if (c->mode == MODE_PIPE && r->header_crlf)
			pf_buf_addc(&c->header, '\r');
		pf_buf_addc(&c->header, '\n');
	}
	if ((status = cmd_check(c, schema)) != 0)
		return status;
	c->keyed = c->a->batch_key != NULL;
	/* --pipe's records are only checked: their fields only counted. */
	if (c->mode == MODE_PIPE)
		c->tool.fields_needed = 1;
	if (c->mode == MODE_BATCH)
		pf_groups_init(&c->batches, &c->arena,
		    sizeof(struct open_batch));
	return cmd_compile_templates(c);
}

static void *
cmd_worker_new(void *ctx)
{
	struct cmd_worker *w = pf_xcalloc(1, sizeof(*w));

	w->c = ctx;
	if (w->c->keyed && w->c->keys.uses_eval)
		w->eval = pf_eval_new();
	return w;
}

static void
cmd_worker_free(void *worker)
{
	struct cmd_worker *w = worker;

	if (w->eval != NULL)
		pf_eval_free(w->eval);
	pf_buf_free(&w->args);
	pf_buf_free(&w->key);
	pf_buf_free(&w->seqs);
	free(w);
}

/* The encoded key of rec into *key, *len; NULL, or why it failed. */
static const char *
record_key(struct cmd_worker *w, const struct pf_record *rec,
    const char **key, size_t *len)
{
	const struct pf_keys *k = &w->c->keys;
	long f = k->single_field;
	const char *why;

	*key = "";
	*len = 0;
	if (f >= 0 && !k->fold_case) {
		/* One field: its bytes are the encoded key (keys.h). */
		if ((size_t)f < rec->nfields) {
			*key = rec->fields[f].ptr;
			*len = rec->fields[f].len;
		}
		return NULL;
	}
	if ((why = pf_keys_encode(k, w->eval, rec, &w->key)) != NULL)
		return why;	/* a regex */
	*key = w->key.data;
	*len = w->key.len;
	return NULL;
}

static uint64_t
cmd_record(void *worker, const struct pf_record *rec, struct pf_buf *out)
{
	struct cmd_worker *w = worker;
	const struct cmd *c = w->c;
	struct entry e = { 0 };
	const char *key = "";
	size_t keylen = 0;

	w->args.len = w->seqs.len = 0;
	if (c->mode == MODE_RECORD)
		cmd_expand_args(c, &w->args, &w->seqs, rec);
	else if (c->keyed &&
	    (w->failure = record_key(w, rec, &key, &keylen)) != NULL)
		return PF_RECORD_FAILED;
	e.raw_len = (uint32_t)rec->raw_len;
	e.arg_len = (uint32_t)w->args.len;
	e.key_len = (uint32_t)keylen;
	e.nseq = (uint32_t)(w->seqs.len / sizeof(uint32_t));
	e.nul = cmd_args_hold_nul(c, rec);
	e.in_batch = rec->in_batch;
	e.lines_before = rec->lines_before;
	e.size = (uint32_t)(sizeof(e) + rec->raw_len + w->args.len + keylen +
	    w->seqs.len);
	pf_buf_add(out, (const char *)&e, sizeof(e));
	pf_buf_add(out, rec->raw, rec->raw_len);
	pf_buf_add(out, w->args.data, w->args.len);
	pf_buf_add(out, key, keylen);
	pf_buf_add(out, w->seqs.data, w->seqs.len);
	return 0;
}

static const char *
cmd_record_failure(void *worker)
{
	return ((struct cmd_worker *)worker)->failure;
}

/* Fills c->tool, our callbacks for the engine. */
void
cmd_tool_init(struct cmd *c)
{
	c->tool = (struct pf_tool){
		.ctx = c,
		.start = cmd_start,
		.check = cmd_check,
		.worker_new = cmd_worker_new,
		.worker_free = cmd_worker_free,
		.record = cmd_record,
		.record_failure = cmd_record_failure,
		.whole_batches = c->mode == MODE_PIPE,
	};
}
