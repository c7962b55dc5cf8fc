/*
 * expr_notes.c - counting what expressions cannot compute (notes.h):
 * the set bound to each thread, noting a value, merging batches' sets
 * in input order, and the report at exit.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr/expr_int.h"
#include "expr/notes.h"
#include "support/xalloc.h"

static _Thread_local struct pf_notes *bound;

void
pf_notes_bind(struct pf_notes *notes)
{
	bound = notes;
}

/* The place's entry in notes, added (count 0) when it is not there yet. */
static struct pf_note *
find_place(struct pf_notes *notes, const void *site, uint32_t node,
    enum pf_note_kind kind, bool *added)
{
	size_t i;

	*added = false;
	for (i = 0; i < notes->n; i++)
		if (notes->v[i].site == site && notes->v[i].node == node &&
		    notes->v[i].kind == kind)
			return &notes->v[i];
	if (notes->n == notes->cap) {
		notes->cap = notes->cap ? notes->cap * 2 : 4;
		notes->v = pf_xrealloc(notes->v, notes->cap * sizeof(*notes->v));
	}
	*added = true;
	notes->v[notes->n] = (struct pf_note){ .site = site, .node = node,
	    .kind = kind };
	return &notes->v[notes->n++];
}

/*
 * s[0..len) shortened to fit size (with "..." when cut, never inside a
 * UTF-8 character), control bytes shown as '?', NUL-terminated.
 */
static void
shorten(char *out, size_t size, const char *s, size_t len)
{
	size_t n = len, k;

	if (n > size - 1) {
		n = size - 4;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	for (k = 0; k < n; k++)
		out[k] = (unsigned char)s[k] < 0x20 || s[k] == 0x7f ? '?' : s[k];
	if (n < len)
		memcpy(out + n, "...", 3), n += 3;
	out[n] = '\0';
}

static const char *
kind_says(enum pf_note_kind kind, bool one)
{
	switch (kind) {
	case PF_NOTE_NUMBER: return one ? "is not a number" : "are not numbers";
	case PF_NOTE_TIME:   return one ? "is not a time" : "are not times";
	case PF_NOTE_RANGE:  return one ? "is out of range" : "are out of range";
	case PF_NOTE_ZONE:   return one ? "is not a time zone" :
	    "are not time zones";
	default:             return "";
	}
}

void
pf_note(struct pf_eval *ev, const struct pf_expr *e, const struct pf_node *n,
    const struct pf_record *rec, enum pf_note_kind kind,
    const struct pf_value *v, bool joins_text)
{
	struct pf_notes *notes = bound;
	struct pf_note *note;
	const char *s = "";
	size_t len = 0;
	char text[64];
	bool added;

	if (ev->probing) {	/* pf_eval_select(): give the vector up */
		ev->noted = true;
		return;
	}
	if (notes == NULL || ev->failed)
		return;
	if (v != NULL)
		pf_value_text(ev, v, &s, &len);
	if (notes->strict) {
		char shown[64];

		shorten(text, sizeof(text), e->src + n->from, n->to - n->from);
		shorten(shown, sizeof(shown), s, len);
		if (kind == PF_NOTE_ZERO)
			snprintf(ev->error, sizeof(ev->error),
			    "'%s' divides by zero (--strict)", text);
		else
			snprintf(ev->error, sizeof(ev->error),
			    "'%s': '%s' %s (--strict)%s", text, shown,
			    kind_says(kind, true),
			    joins_text ? "; '.' joins text" : "");
		ev->failed = true;
		return;
	}
	note = find_place(notes, e, (uint32_t)(n - e->nodes), kind, &added);
	if (note->count++ == 0) {
		note->text = e->src + n->from;
		note->text_len = n->to - n->from;
		note->joins_text = joins_text;
		shorten(note->value, sizeof(note->value), s, len);
		note->lines_before = rec->lines_before;
		note->in_batch = rec->in_batch;
	}
}

void
pf_notes_merge(struct pf_notes *dst, struct pf_notes *src, int file,
    uint64_t line_base, uint64_t record_base)
{
	struct pf_note *from, *to;
	bool added;
	size_t i;

	dst->merged = true;
	for (i = 0; i < src->n; i++) {
		from = &src->v[i];
		to = find_place(dst, from->site, from->node, from->kind, &added);
		if (added) {
			*to = *from;
			to->text = pf_xstrndup(from->text, from->text_len);
			to->file = file;
			to->line = line_base + from->lines_before + 1;
			to->record = record_base + from->in_batch;
		} else
			to->count += from->count;
	}
	src->n = 0;
}

void
pf_notes_reset(struct pf_notes *notes)
{
	size_t i;

	if (notes->merged)
		for (i = 0; i < notes->n; i++)
			free((char *)notes->v[i].text);
	notes->n = 0;
}

void
pf_notes_report(const struct pf_notes *notes, const struct pf_reader *r)
{
	const struct pf_note *note;
	char text[64];
	size_t i;

	for (i = 0; i < notes->n; i++) {
		note = &notes->v[i];
		shorten(text, sizeof(text), note->text, note->text_len);
		if (note->kind == PF_NOTE_ZERO)
			warnx("%llu division%s by zero in '%s' (first: %s:%llu)",
			    (unsigned long long)note->count,
			    note->count == 1 ? "" : "s", text,
			    pf_reader_name(r, note->file),
			    (unsigned long long)note->line);
		else
			warnx("%llu value%s of '%s' %s (first: %s:%llu '%s')%s",
			    (unsigned long long)note->count,
			    note->count == 1 ? "" : "s", text,
			    kind_says(note->kind, note->count == 1),
			    pf_reader_name(r, note->file),
			    (unsigned long long)note->line, note->value,
			    note->joins_text ? "; '.' joins text" : "");
	}
}

void
pf_notes_free(struct pf_notes *notes)
{
	pf_notes_reset(notes);
	free(notes->v);
	notes->v = NULL;
	notes->cap = 0;
}
