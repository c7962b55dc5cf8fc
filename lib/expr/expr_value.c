/*
 * expr_value.c - the evaluator's per-thread state (see expr.h): its
 * match data and scratch memory, and a value read as a number, a truth
 * or a text.
 *
 * Nothing here allocates per record once warmed up: results that need
 * memory (numbers as text, concatenations, function results) go into
 * scratch blocks that are kept and reused from one record to the next,
 * and that never move, so a value's bytes stay valid until the reset.
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "expr/expr_int.h"
#include "support/xalloc.h"

#define SCRATCH_BLOCK	4096

struct pf_eval *
pf_eval_new(void)
{
	struct pf_eval *ev = pf_xcalloc(1, sizeof(*ev));

	/* $0..$9 for replace(); =~ needs only the first pair. */
	ev->md = pcre2_match_data_create(10, NULL);
	if (ev->md == NULL)
		errx(1, "out of memory");
	return ev;
}

void
pf_eval_free(struct pf_eval *ev)
{
	size_t i;

	if (ev == NULL)
		return;
	pcre2_match_data_free(ev->md);
	pf_eval_regex_free(ev);
	for (i = 0; i < ev->nblocks; i++)
		free(ev->blocks[i].data);
	free(ev->blocks);
	pf_buf_free(&ev->work);
	free(ev->vector_mem);
	free(ev->columns);
	if (ev->utf8)
		freelocale(ev->utf8);
	free(ev);
}

void
pf_eval_reset(struct pf_eval *ev)
{
	ev->cur = 0;
	ev->used = 0;
	ev->failed = false;
}

char *
pf_scratch_alloc(struct pf_eval *ev, size_t n)
{
	struct pf_scratch_block *b;

	if (n == 0)
		n = 1;	/* a real pointer even for empty text, never NULL */
	if (ev->cur < ev->nblocks && ev->blocks[ev->cur].cap - ev->used >= n) {
		b = &ev->blocks[ev->cur];
		ev->used += n;
		return b->data + ev->used - n;
	}
	/* Move on to the next block, making or enlarging it as needed. */
	if (ev->cur < ev->nblocks && ev->used > 0)
		ev->cur++;
	if (ev->cur == ev->nblocks) {
		ev->blocks = pf_xrealloc(ev->blocks,
		    (ev->nblocks + 1) * sizeof(*ev->blocks));
		ev->blocks[ev->nblocks++] = (struct pf_scratch_block){ 0 };
	}
	b = &ev->blocks[ev->cur];
	if (b->cap < n) {
		free(b->data);
		b->cap = n > SCRATCH_BLOCK ? n : SCRATCH_BLOCK;
		b->data = pf_xmalloc(b->cap);
	}
	ev->used = n;
	return b->data;
}

char *
pf_scratch_copy(struct pf_eval *ev, const char *s, size_t n)
{
	char *p = pf_scratch_alloc(ev, n);

	if (n)
		memcpy(p, s, n);
	return p;
}

bool
pf_value_number(const struct pf_value *v, struct pf_number *n)
{
	switch (v->type) {
	case PF_V_INT:
	case PF_V_BOOL:
		n->is_int = true;
		n->i = v->i;
		n->d = (double)v->i;
		return true;
	case PF_V_NUM:
		n->is_int = false;
		n->d = v->d;
		return true;
	case PF_V_STR:
		return pf_number_parse(v->s, v->len, n);
	}
	return false;
}

/*
 * Truth, awk's rule for numeric strings: the empty string, "false" and a
 * number equal to zero in any spelling ("0", "0.0", "-0", "00", "0e5",
 * ".0") are false; everything else is true.
 */
bool
pf_value_truthy(const struct pf_value *v)
{
	struct pf_number n;
	unsigned char c;

	switch (v->type) {
	case PF_V_BOOL:
	case PF_V_INT:
		return v->i != 0;
	case PF_V_NUM:
		return v->d != 0;
	case PF_V_STR:
		if (v->len == 0)
			return false;
		if (v->len == 5 && memcmp(v->s, "false", 5) == 0)
			return false;
		/* Only what can begin a number is worth parsing. */
		c = (unsigned char)v->s[0];
		if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.')
			return !pf_number_parse(v->s, v->len, &n) ||
			    (n.is_int ? n.i != 0 : n.d != 0);
		return true;
	}
	return false;
}

void
pf_value_text(struct pf_eval *ev, const struct pf_value *v, const char **s,
    size_t *len)
{
	char buf[PF_NUMBER_MAX];
	size_t n;

	switch (v->type) {
	case PF_V_STR:
		*s = v->len ? v->s : "";
		*len = v->len;
		return;
	case PF_V_BOOL:
		*s = v->i ? "true" : "false";
		*len = v->i ? 4 : 5;
		return;
	case PF_V_INT:
		n = pf_format_int(v->i, buf);
		break;
	case PF_V_NUM:
	default:
		n = pf_format_double(v->d, buf);
		break;
	}
	*s = pf_scratch_copy(ev, buf, n);
	*len = n;
}
