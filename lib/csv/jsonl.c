/*
 * jsonl.c - JSON Lines input (see jsonl.h): the key table, and the
 * split of one object a line into its fields (its values read by
 * json_value.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv/json_value.h"
#include "csv/jsonl.h"
#include "support/xalloc.h"

/* A field's marks while an object is split. */
static const char unset_mark[1];	/* not in this object (yet) */
static const char empty_value[1];	/* a key it lacks */

/* The key as text for a message: at most 60 bytes of it. */
static void
key_message(struct pf_json_parse *ps, const char *what, const char *key,
    size_t len, const char *tail)
{
	snprintf(ps->why, ps->nwhy, "%s \"%.*s%s\"%s", what,
	    (int)(len > 60 ? 60 : len), key, len > 60 ? "..." : "", tail);
}

/*
 * The object that is line [p, e): calls member() for each key (its
 * bytes) with its value. member returns false (having set the message)
 * to stop. Returns true when the whole line is one object.
 */
static bool
parse_object(struct pf_json_parse *ps,
    bool (*member)(struct pf_json_parse *, const char *, size_t,
    const struct pf_json_value *, void *), void *ctx)
{
	struct pf_json_value key, val;
	const char *kp;

	pf_json_skip_blanks(ps);
	if (ps->p >= ps->e || *ps->p != '{')
		return pf_json_fail(ps, "a line is not an object");
	ps->p++;
	pf_json_skip_blanks(ps);
	if (ps->p < ps->e && *ps->p == '}')
		ps->p++;
	else
		for (;;) {
			pf_json_skip_blanks(ps);
			if (ps->p >= ps->e || *ps->p != '"')
				return pf_json_fail(ps,
				    "expected a key in an object");
			if (!pf_json_parse_string(ps, &key, false))
				return false;
			pf_json_skip_blanks(ps);
			if (ps->p >= ps->e || *ps->p != ':')
				return pf_json_fail(ps,
				    "expected ':' after a key");
			ps->p++;
			if (!pf_json_parse_value(ps, &val))
				return false;
			kp = key.ptr != NULL ? key.ptr :
			    ps->out->data + key.off;
			if (!member(ps, kp, key.len, &val, ctx))
				return false;
			pf_json_skip_blanks(ps);
			if (ps->p < ps->e && *ps->p == ',') {
				ps->p++;
				continue;
			}
			if (ps->p < ps->e && *ps->p == '}') {
				ps->p++;
				break;
			}
			return pf_json_fail(ps, "expected ',' or '}'");
		}
	pf_json_skip_blanks(ps);
	if (ps->p < ps->e)
		return pf_json_fail(ps, "text after the object");
	return true;
}

struct pf_jsonl_keys *
pf_jsonl_stream_keys(void)
{
	static struct pf_jsonl_keys keys;

	return &keys;
}

struct pf_jsonl_keys *
pf_jsonl_keys_new(void)
{
	return pf_xcalloc(1, sizeof(struct pf_jsonl_keys));
}

void
pf_jsonl_keys_free(struct pf_jsonl_keys *k)
{
	size_t i;

	if (k == NULL)
		return;
	for (i = 0; i < k->n; i++)
		free(k->names[i]);
	free(k->names);
	free(k->lens);
	free(k->slots);
	free(k);
}

static uint64_t
hash_key(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;

	while (len-- > 0)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

long
pf_jsonl_keys_find(const struct pf_jsonl_keys *k, const char *name,
    size_t len)
{
	size_t i, at;

	if (k->nslots == 0)
		return -1;
	for (i = (size_t)hash_key(name, len) & (k->nslots - 1);
	    (at = k->slots[i]) != 0; i = (i + 1) & (k->nslots - 1))
		if (k->lens[at - 1] == len &&
		    memcmp(k->names[at - 1], name, len) == 0)
			return (long)at - 1;
	return -1;
}

static void
keys_rehash(struct pf_jsonl_keys *k)
{
	size_t i, j;

	while (2 * k->n > k->nslots)
		k->nslots = k->nslots ? k->nslots * 2 : 16;
	free(k->slots);
	k->slots = pf_xcalloc(k->nslots, sizeof(*k->slots));
	for (i = 0; i < k->n; i++) {
		for (j = (size_t)hash_key(k->names[i], k->lens[i]) &
		    (k->nslots - 1); k->slots[j] != 0;
		    j = (j + 1) & (k->nslots - 1))
			;
		k->slots[j] = i + 1;
	}
}

static bool
learn_member(struct pf_json_parse *ps, const char *key, size_t len,
    const struct pf_json_value *v, void *ctx)
{
	struct pf_jsonl_keys *k = ctx;

	(void)v;
	if (pf_jsonl_keys_find(k, key, len) >= 0) {
		key_message(ps, "key", key, len, " twice in one object");
		return false;
	}
	k->names = pf_xrealloc(k->names, (k->n + 1) * sizeof(*k->names));
	k->lens = pf_xrealloc(k->lens, (k->n + 1) * sizeof(*k->lens));
	k->names[k->n] = pf_xmalloc(len + 1);
	memcpy(k->names[k->n], key, len);
	k->names[k->n][len] = '\0';
	k->lens[k->n++] = len;
	keys_rehash(k);
	return true;
}

bool
pf_jsonl_keys_learn(struct pf_jsonl_keys *k, const char *line, size_t len,
    char *why, size_t n)
{
	struct pf_buf out = { 0 };
	struct pf_json_parse ps = { .line = line, .p = line, .e = line + len,
	    .out = &out, .why = why, .nwhy = n };
	bool ok;
	size_t i;

	for (i = 0; i < k->n; i++)
		free(k->names[i]);
	k->n = 0;
	if (k->nslots > 0)	/* they name the keys just freed */
		memset(k->slots, 0, k->nslots * sizeof(*k->slots));

	ok = parse_object(&ps, learn_member, k);
	pf_buf_free(&out);
	pf_buf_free(&ps.stack);
	if (ok && k->n == 0) {
		snprintf(why, n, "the first object has no key (the keys of "
		    "the first object are the fields)");
		ok = false;
	}
	return ok;
}

void
pf_jsonl_keys_schema(const struct pf_jsonl_keys *k, struct pf_schema *schema)
{
	size_t i;

	schema->nfields = k->n;
	schema->has_header = true;
	schema->names = pf_xcalloc(k->n + 1, sizeof(char *));
	for (i = 0; i < k->n; i++)
		schema->names[i] = pf_xstrdup(k->names[i]);
}

/* pf_split_jsonl's member(): the value goes to its key's field. */
static bool
split_member(struct pf_json_parse *ps, const char *key, size_t len,
    const struct pf_json_value *v, void *ctx)
{
	struct pf_splitter *sp = ctx;
	const struct pf_jsonl_keys *k;
	long i;

	k = sp->json_keys;
	/* Most objects list the keys in the first one's order. */
	i = (long)sp->json_member;
	if (!((size_t)i < k->n && k->lens[i] == len &&
	    memcmp(k->names[i], key, len) == 0))
		i = pf_jsonl_keys_find(k, key, len);
	if (i < 0) {
		key_message(ps, "key", key, len, " is not a key of the first "
		    "object (its keys are the fields)");
		return false;
	}
	if (sp->fields[i].ptr != unset_mark) {
		key_message(ps, "key", key, len, " twice in one object");
		return false;
	}
	sp->fields[i].ptr = v->ptr;
	sp->fields[i].len = v->len;
	sp->scratch_at[i] = v->off;
	sp->kinds[i] = v->kind;
	sp->json_member = (size_t)i + 1;
	return true;
}

const char *
pf_split_jsonl(struct pf_splitter *sp, const struct pf_jsonl_keys *k,
    const char *p, const char *end, struct pf_record *rec, size_t *lines,
    enum pf_split_status *status)
{
	const char *lf = memchr(p, '\n', (size_t)(end - p));
	struct pf_json_parse ps;
	size_t i;

	if (lf == NULL)
		lf = end;
	rec->raw = p;
	rec->raw_len = (size_t)(lf - p);
	if (lf > p && lf[-1] == '\r')
		rec->raw_len--;
	if (lf < end)
		(*lines)++;
	while (sp->cap < k->n + 1) {
		sp->cap = sp->cap ? sp->cap * 2 : 64;
		sp->fields = pf_xrealloc(sp->fields,
		    sp->cap * sizeof(*sp->fields));
		sp->scratch_at = pf_xrealloc(sp->scratch_at,
		    sp->cap * sizeof(*sp->scratch_at));
	}
	if (sp->kinds_cap < sp->cap) {
		sp->kinds_cap = sp->cap;
		sp->kinds = pf_xrealloc(sp->kinds, sp->kinds_cap);
	}
	sp->json_member = 0;
	for (i = 0; i < k->n; i++) {
		sp->fields[i].ptr = unset_mark;
		sp->fields[i].len = 0;
		sp->kinds[i] = PF_JSON_NULL;	/* a key the object lacks */
	}
	sp->scratch.len = 0;
	sp->json_keys = k;
	ps = (struct pf_json_parse){ .line = p, .p = p, .e = p + rec->raw_len,
	    .out = &sp->scratch,
	    .stack = sp->json_stack, .why = sp->why, .nwhy = sizeof(sp->why) };
	rec->fields = sp->fields;
	rec->kinds = sp->kinds;
	if (!parse_object(&ps, split_member, sp)) {
		sp->json_stack = ps.stack;
		*status = PF_SPLIT_JSON;
		rec->nfields = rec->field_count = 0;
		return lf < end ? lf + 1 : end;
	}
	sp->json_stack = ps.stack;
	for (i = 0; i < k->n; i++) {
		if (sp->fields[i].ptr == unset_mark)
			sp->fields[i].ptr = empty_value;
		else if (sp->fields[i].ptr == NULL)
			sp->fields[i].ptr = sp->scratch.data + sp->scratch_at[i];
	}
	rec->nfields = rec->field_count = k->n;
	return lf < end ? lf + 1 : end;
}
