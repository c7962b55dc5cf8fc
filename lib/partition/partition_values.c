/*
 * partition_values.c - ppartition --by-value: a file per distinct key
 * value, at most --max-open of them open at once.
 *
 * The values live in a table.h group table (key bytes -> struct value),
 * numbered in order of first appearance; an LRU list through them holds
 * the open files. A file closed to make room is reopened with O_APPEND.
 * A file is created (truncated) and given the header the first time its
 * value is seen in the run. emit() gathers each batch's records per
 * value (route), then writes each value's bytes with one write(2).
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "partition/partition_int.h"
#include "support/status.h"
#include "support/xalloc.h"

static inline struct value *
value_at(struct values *vs, uint32_t i)
{
	return (struct value *)PF_GROUP_STATE(pf_groups_at(&vs->table, i));
}

void
pf_partition_values_init(struct values *vs)
{
	memset(&vs->arena, 0, sizeof(vs->arena));
	pf_groups_init(&vs->table, &vs->arena, sizeof(struct value));
	vs->newest = vs->oldest = NONE;
	vs->ready = true;
}

/* The index of the value with these key bytes, added if it is new. */
static uint32_t
values_find(struct values *vs, uint64_t hash, const char *key, uint32_t len)
{
	struct pf_group *g;
	struct value *v;
	bool added;

	g = pf_groups_get(&vs->table, hash, key, len, &added);
	if (added) {
		v = (struct value *)PF_GROUP_STATE(g);
		v->fd = -1;
		v->newer = v->older = NONE;
		v->slot = NONE;
	}
	return g->index;
}

static void
lru_unlink(struct values *vs, uint32_t i)
{
	struct value *v = value_at(vs, i);

	if (v->newer != NONE)
		value_at(vs, v->newer)->older = v->older;
	else
		vs->newest = v->older;
	if (v->older != NONE)
		value_at(vs, v->older)->newer = v->newer;
	else
		vs->oldest = v->newer;
	v->newer = v->older = NONE;
}

static void
lru_push(struct values *vs, uint32_t i)
{
	struct value *v = value_at(vs, i);

	v->older = vs->newest;
	v->newer = NONE;
	if (vs->newest != NONE)
		value_at(vs, vs->newest)->newer = i;
	vs->newest = i;
	if (vs->oldest == NONE)
		vs->oldest = i;
}

/* The path of value i's file, into p->path (NUL-terminated). */
static void
value_path(struct partition *p, uint32_t i)
{
	const struct pf_group *g = pf_groups_at(&p->values.table, i);

	p->name.len = 0;
	pf_partition_safe_name(&p->name, g->key, g->keylen);
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
	struct value *v = value_at(vs, i);
	int rc;

	lru_unlink(vs, i);
	rc = close(v->fd);
	v->fd = -1;
	vs->nopen--;
	if (rc < 0) {
		value_path(p, i);
		return pf_partition_file_failed(p, p->path.data);
	}
	return 0;
}

/* Opens value i's file: created and headed the first time, else appended. */
static int
open_value(struct partition *p, uint32_t i)
{
	struct values *vs = &p->values;
	struct value *v = value_at(vs, i);
	int flags = O_WRONLY | O_CLOEXEC;

	if (vs->nopen >= p->args->max_open && close_oldest(p) < 0)
		return -1;
	/* Truncated only once known not to be an input (below). */
	flags |= v->created ? O_APPEND : O_CREAT;
	value_path(p, i);
	while ((v->fd = pf_partition_open_output(p->path.data, flags)) < 0) {
		if ((errno != EMFILE && errno != ENFILE) || vs->nopen == 0)
			return pf_partition_file_failed(p, p->path.data);
		if (close_oldest(p) < 0)
			return -1;
		value_path(p, i);
	}
	vs->nopen++;
	lru_push(vs, i);
	if (!v->created) {
		if ((p->status = pf_inputs_check_fd(&p->inputs, v->fd)) != 0) {
			errno = EPIPE;	/* stop the engine quietly */
			return -1;
		}
		if (ftruncate(v->fd, 0) < 0 && errno != EINVAL)
			return pf_partition_file_failed(p, p->path.data);
		v->created = true;
		v->codec = (uint8_t)pf_codec_for_path(p->path.data);
		if (p->header.len > 0 && pf_write_coded(p->z, v->codec, v->fd,
		    p->header.data, p->header.len) < 0)
			return pf_partition_file_failed(p, p->path.data);
	}
	return 0;
}

void
pf_partition_values_route(struct partition *p, uint64_t hash,
    const char *key, uint32_t keylen, const char *rec, uint32_t len)
{
	struct values *vs = &p->values;
	uint32_t i = values_find(vs, hash, key, keylen);
	struct value *v = value_at(vs, i);

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

int
pf_partition_values_write(struct partition *p)
{
	struct values *vs = &p->values;
	struct pf_buf *b;
	struct value *v;
	uint32_t k, i;
	int rc = 0;

	for (k = 0; k < vs->nslots; k++) {
		i = vs->touched[k];
		v = value_at(vs, i);
		b = &vs->slots[k];
		v->slot = NONE;
		if (rc == 0) {
			if (v->fd < 0)
				rc = open_value(p, i);
			else if (vs->newest != i) {
				lru_unlink(vs, i);
				lru_push(vs, i);
			}
			if (rc == 0 && pf_write_coded(p->z, v->codec, v->fd,
			    b->data, b->len) < 0) {
				value_path(p, i);
				rc = pf_partition_file_failed(p, p->path.data);
			}
		}
		b->len = 0;
		if (b->cap > 65536)
			pf_buf_free(b);
	}
	vs->nslots = 0;
	return rc;
}

int
pf_partition_values_finish(struct partition *p)
{
	struct values *vs = &p->values;
	int status = 0;
	uint32_t k;

	while (vs->nopen > 0)
		if (close_oldest(p) < 0)
			status = PF_FAILED;
	for (k = 0; k < vs->slots_cap; k++)
		pf_buf_free(&vs->slots[k]);
	free(vs->slots);
	free(vs->touched);
	pf_groups_free(&vs->table);
	pf_arena_free(&vs->arena);
	vs->ready = false;
	return status;
}
