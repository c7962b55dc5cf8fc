/*
 * command_input.c - input into jobs, in the loop: the engine's batches
 * in input order, their records as the workers made them ready (struct
 * entry), one job per record, --batch and --batch-key's open batches
 * (flushed when full, on slow input, or at the end), and --pipe's whole
 * chunks.
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "map/command_int.h"
#include "support/xalloc.h"

/* Moves to the engine's next batch; false when none is there yet. */
static bool
next_batch(struct cmd *c)
{
	int got;

	c->have_batch = false;
	got = pf_engine_next(c->engine, &c->batch, &c->entries);
	if (got < 0)
		c->input_done = true;
	if (got <= 0)
		return false;
	c->have_batch = true;
	c->entry_at = 0;
	return true;
}

/* A record the workers made ready (struct entry), and where its parts are. */
struct ready {
	struct entry	 e;
	const char	*raw, *args, *key, *seqs;
};

/* The next record, or false when none is ready. */
static bool
next_record(struct cmd *c, struct ready *r)
{
	const char *p;

	for (;;) {
		if (!c->have_batch && !next_batch(c))
			return false;
		if (c->entry_at < c->entries->len)
			break;
		c->have_batch = false;
	}
	p = c->entries->data + c->entry_at;
	memcpy(&r->e, p, sizeof(r->e));
	r->raw = p + sizeof(r->e);
	r->args = r->raw + r->e.raw_len;
	r->key = r->args + r->e.arg_len;
	r->seqs = r->key + r->e.key_len;
	c->entry_at += r->e.size;
	return true;
}

/* The record's number in the stream. */
static uint64_t
record_number(const struct cmd *c, const struct ready *r)
{
	return c->batch.first_record + r->e.in_batch - 1;
}

/* Where a record is when its values cannot be arguments, else line 0. */
static void
check_args(const struct cmd *c, const struct ready *r, uint64_t *line,
    int *file)
{
	*line = r->e.nul ? c->batch.line + r->e.lines_before + 1 : 0;
	*file = c->batch.file;
}

static void
take_record_job(struct cmd *c, const struct ready *r)
{
	struct job *j = cmd_job_new(c);

	j->first_rec = record_number(c, r);
	j->nrec = 1;
	pf_buf_add(&j->input, r->raw, r->e.raw_len);
	pf_buf_addc(&j->input, '\n');
	if (j->state == J_WAIT) {
		cmd_set_argv(c, j, r->args, r->e.arg_len, r->seqs, r->e.nseq);
		check_args(c, r, &j->nul_line, &j->nul_file);
	}
}

/*
 * The key as PFLOW_BATCH_KEY shows it: its value; the values of a key of
 * several parts joined by commas.
 */
static void
add_key_text(const struct pf_keys *k, struct pf_buf *out, const char *key,
    size_t len)
{
	const char *end = key + len, *s;
	size_t n;
	bool first = true;

	if (k->n == 1) {
		pf_buf_add(out, key, len);
		return;
	}
	while (pf_key_next(&key, end, &s, &n)) {
		if (!first)
			pf_buf_addc(out, ',');
		pf_buf_add(out, s, n);
		first = false;
	}
}

/* Turns an open batch into a job (the caller checked cmd_room_for_job). */
static void
flush_batch(struct cmd *c, struct open_batch *b)
{
	struct job *j = cmd_job_new(c);
	struct pf_buf tmp;

	tmp = j->input;
	j->input = b->input;
	b->input = tmp;
	b->input.len = 0;
	j->first_rec = b->first_rec;
	j->nrec = b->n;
	j->nul_line = b->nul_line;	/* its first record is the arguments' */
	j->nul_file = b->nul_file;
	if (c->keyed) {
		j->envbuf.len = 0;
		pf_buf_adds(&j->envbuf, "PFLOW_BATCH_KEY=");
		add_key_text(&c->keys, &j->envbuf, b->key, b->keylen);
		pf_buf_addc(&j->envbuf, '\0');
		j->env[0] = j->envbuf.data;
		j->env[1] = NULL;
	}
	if (j->state == J_WAIT)
		cmd_job_prepare_stdin_job(c, j);
	b->active = false;
	b->n = 0;
	if (b->prev != NULL)
		b->prev->next = b->next;
	else
		c->oldest = b->next;
	if (b->next != NULL)
		b->next->prev = b->prev;
	else
		c->newest = b->prev;
	b->prev = b->next = NULL;
}

/* The open batch of a key (encoded), made empty when the key is new. */
static struct open_batch *
find_batch(struct cmd *c, const char *key, size_t len)
{
	struct pf_group *g;
	struct open_batch *b;
	bool added;

	g = pf_groups_find(&c->batches, key, len, &added);
	b = (struct open_batch *)PF_GROUP_STATE(g);
	if (added) {
		b->key = g->key;
		b->keylen = g->keylen;
	}
	return b;
}

static void
take_batch_record(struct cmd *c, const struct ready *r, long long now)
{
	struct open_batch *b;

	b = find_batch(c, r->key, r->e.key_len);
	if (!b->active) {
		b->active = true;
		b->first_rec = record_number(c, r);
		check_args(c, r, &b->nul_line, &b->nul_file);
		b->first_ms = now;
		b->prev = c->newest;
		b->next = NULL;
		if (c->newest != NULL)
			c->newest->next = b;
		else
			c->oldest = b;
		c->newest = b;
	}
	pf_buf_add(&b->input, r->raw, r->e.raw_len);
	pf_buf_addc(&b->input, '\n');
	if (++b->n >= c->a->batch)
		flush_batch(c, b);
}

/* A --pipe chunk: a whole batch, a byte range of a regular file or bytes. */
static bool
take_chunk(struct cmd *c)
{
	struct job *j;

	if (!next_batch(c))
		return false;
	c->have_batch = false;
	if (c->batch.filtered && c->entries->len == 0)
		return true;	/* all its records went to --bad */
	j = cmd_job_new(c);
	j->file = c->batch.file;
	j->file_offset = c->batch.offset;
	j->file_len = (size_t)c->batch.length;
	if (c->batch.filtered) {
		/* Records went to --bad: the others' bytes, not the range. */
		j->file_offset = -1;
		pf_buf_add(&j->input, c->entries->data, c->entries->len);
	} else if (c->batch.offset < 0)
		pf_buf_add(&j->input, c->batch.in, c->batch.in_len);
	if (j->state == J_WAIT)
		cmd_build_argv(c, j, NULL);
	return true;
}

void
cmd_take_input(struct cmd *c, long long now)
{
	struct ready r;

	while (!c->input_done && cmd_room_for_job(c)) {
		if (c->mode == MODE_PIPE) {
			if (!take_chunk(c))
				break;
			continue;
		}
		if (!next_record(c, &r))
			break;
		if (c->mode == MODE_RECORD)
			take_record_job(c, &r);
		else
			take_batch_record(c, &r, now);
	}
	if (c->mode != MODE_BATCH)
		return;
	if (cmd_stopping(c)) {
		/* Records in open batches are not run. */
		while (c->oldest != NULL) {
			c->oldest->active = false;
			c->oldest->n = 0;
			c->oldest->input.len = 0;
			c->oldest = c->oldest->next;
		}
		c->newest = NULL;
		return;
	}
	/* At the end, the partial batches go in order of their first record. */
	if (c->input_done) {
		while (c->oldest != NULL && cmd_room_for_job(c))
			flush_batch(c, c->oldest);
		return;
	}
	/* Slow input: flush a partial batch that waited long enough. */
	while (c->oldest != NULL && cmd_room_for_job(c) && !c->have_batch &&
	    !pf_engine_ready(c->engine) &&
	    now - c->oldest->first_ms >= c->a->batch_timeout_ms)
		flush_batch(c, c->oldest);
}
