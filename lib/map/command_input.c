/*
 * command_input.c - input into jobs: records split from the feeder's
 * buffers (malformed ones to --bad, or a stop), one job per record,
 * --batch and --batch-key's open batches (flushed when full, on slow
 * input, or at the end), and --pipe's whole chunks.
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "map/command_int.h"
#include "support/xalloc.h"

/* Moves to the next feeder buffer; false when none is there yet. */
static bool
next_buffer(struct cmd *c)
{
	struct feeder *f = &c->feed;
	bool eof;
	int idx;

	if (c->cur >= 0) {
		cmd_feeder_give_back(f, c->cur);
		c->cur = -1;
	}
	if ((idx = cmd_feeder_take(f, &eof)) < 0) {
		if (eof) {
			if (f->error) {
				warnx("%s", c->reader.error);
				c->data_error = true;
			}
			c->input_done = true;
		}
		return false;
	}
	if (f->files[idx] != c->cur_file) {
		c->cur_file = f->files[idx];
		c->base_line = c->reader.header_lines;
	}
	c->cur = idx;
	c->cur_p = f->bufs[idx].data;
	c->cur_end = f->bufs[idx].data + f->bufs[idx].len;
	return true;
}

static uint64_t
count_lines(const char *p, const char *end)
{
	uint64_t n = 0;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

/* The line where rec, just split from the current buffer, starts. */
static uint64_t
record_line(const struct cmd *c, const struct pf_record *rec)
{
	return c->base_line + count_lines(c->feed.bufs[c->cur].data,
	    rec->raw) + 1;
}

/* Notes where rec is when its values cannot be arguments, else 0. */
static void
check_args(const struct cmd *c, const struct pf_record *rec, uint64_t *line,
    int *file)
{
	*line = cmd_args_hold_nul(c, rec) ? record_line(c, rec) : 0;
	*file = c->cur_file;
}

/* A data error at rec, the record just read: reported, and reading stops. */
static void
record_failed(struct cmd *c, const struct pf_record *rec, const char *why)
{
	pf_reader_report(&c->reader, c->cur_file, record_line(c, rec),
	    c->recno, why);
	/* Records before it still run; no more input is read. */
	c->data_error = true;
	c->input_done = true;
}

/*
 * The next well-formed record, or false when none is ready. A malformed
 * record goes to --bad, or stops pmap with status 1.
 */
static bool
next_record(struct cmd *c, struct pf_record *rec)
{
	const struct pf_dialect *d = &c->opt->in;
	enum pf_split_status st;
	const char *why, *next;
	size_t lines;

	for (;;) {
		if (c->cur < 0 && !next_buffer(c))
			return false;
		st = PF_SPLIT_OK;
		next = pf_split_next(&c->sp, d, c->cur_p, c->cur_end, rec,
		    &lines, &st);
		if (next == NULL) {
			c->base_line += count_lines(c->feed.bufs[c->cur].data,
			    c->cur_end);
			if (!next_buffer(c))
				return false;
			continue;
		}
		c->cur_p = next;
		c->recno++;
		why = pf_record_malformed(st, rec->field_count,
		    d->header ? c->schema.nfields : 0);
		if (why == NULL)
			return true;
		if (c->bad.f != NULL) {
			fwrite(rec->raw, 1, rec->raw_len, c->bad.f);
			putc('\n', c->bad.f);
			c->nbad++;
			if (!cmd_check_written(c, &c->bad))
				return false;
			continue;
		}
		record_failed(c, rec, why);
		return false;
	}
}

static void
take_record_job(struct cmd *c, const struct pf_record *rec)
{
	struct job *j = cmd_job_new(c);

	j->first_rec = c->recno;
	j->nrec = 1;
	pf_buf_add(&j->input, rec->raw, rec->raw_len);
	pf_buf_addc(&j->input, '\n');
	if (j->state == J_WAIT) {
		cmd_build_argv(c, j, rec);
		check_args(c, rec, &j->nul_line, &j->nul_file);
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
take_batch_record(struct cmd *c, const struct pf_record *rec, long long now)
{
	struct open_batch *b;
	const char *why, *key = "";
	size_t keylen = 0;
	long f = c->keys.single_field;

	if (!c->keyed)
		;
	else if (f >= 0 && !c->keys.fold_case) {
		/* One field: its bytes are the encoded key (keys.h). */
		if ((size_t)f < rec->nfields) {
			key = rec->fields[f].ptr;
			keylen = rec->fields[f].len;
		}
	} else if ((why = pf_keys_encode(&c->keys, c->eval, rec,
	    &c->key)) != NULL) {
		record_failed(c, rec, why);	/* a regex */
		return;
	} else if (c->key.len > 0) {
		key = c->key.data;
		keylen = c->key.len;
	}
	b = find_batch(c, key, keylen);
	if (!b->active) {
		b->active = true;
		b->first_rec = c->recno;
		check_args(c, rec, &b->nul_line, &b->nul_file);
		b->first_ms = now;
		b->prev = c->newest;
		b->next = NULL;
		if (c->newest != NULL)
			c->newest->next = b;
		else
			c->oldest = b;
		c->newest = b;
	}
	pf_buf_add(&b->input, rec->raw, rec->raw_len);
	pf_buf_addc(&b->input, '\n');
	if (++b->n >= c->a->batch)
		flush_batch(c, b);
}

static bool
take_chunk(struct cmd *c)
{
	struct job *j;
	struct pf_buf tmp;

	if (c->cur < 0 && !next_buffer(c))
		return false;
	j = cmd_job_new(c);
	j->file = c->feed.files[c->cur];
	j->file_offset = c->feed.offsets[c->cur];
	j->file_len = (size_t)c->feed.lengths[c->cur];
	tmp = j->input;
	j->input = c->feed.bufs[c->cur];
	c->feed.bufs[c->cur] = tmp;
	c->feed.bufs[c->cur].len = 0;
	cmd_feeder_give_back(&c->feed, c->cur);
	c->cur = -1;
	if (j->state == J_WAIT)
		cmd_build_argv(c, j, NULL);
	return true;
}

void
cmd_take_input(struct cmd *c, long long now)
{
	struct pf_record rec;

	while (!c->input_done && cmd_room_for_job(c)) {
		if (c->mode == MODE_PIPE) {
			if (!take_chunk(c))
				break;
			continue;
		}
		if (!next_record(c, &rec))
			break;
		if (c->mode == MODE_RECORD)
			take_record_job(c, &rec);
		else
			take_batch_record(c, &rec, now);
	}
	if (c->mode != MODE_BATCH)
		return;
	if (c->stopping) {
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
	while (c->oldest != NULL && cmd_room_for_job(c) && c->cur < 0 &&
	    !cmd_feeder_has_data(&c->feed) &&
	    now - c->oldest->first_ms >= c->a->batch_timeout_ms)
		flush_batch(c, c->oldest);
}
