/*
 * split_blanks.c - the records of --lines -d ' ': fields are separated by
 * runs of blanks (spaces and tabs), and blanks at the start and the end
 * of the line separate nothing, as in awk's default field splitting (see
 * record.h, pf_split_blanks).
 */
#include "csv/record.h"
#include "support/xalloc.h"

static inline bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

const char *
pf_split_blanks(struct pf_splitter *sp, const char *p, const char *end,
    struct pf_record *rec, size_t *lines)
{
	const size_t want = sp->want ? sp->want : SIZE_MAX;
	const char *lf = memchr(p, '\n', (size_t)(end - p)), *q, *f;
	size_t n = 0;

	if (lf == NULL)
		lf = end;
	rec->raw = p;
	rec->raw_len = (size_t)(lf - p);
	if (lf > p && lf[-1] == '\r')
		rec->raw_len--;
	q = p;
	for (;;) {
		while (q < p + rec->raw_len && is_blank(*q))
			q++;
		if (q == p + rec->raw_len)
			break;
		for (f = q; q < p + rec->raw_len && !is_blank(*q); q++)
			;
		if (n < want) {
			if (n == sp->cap) {
				sp->cap = sp->cap ? sp->cap * 2 : 64;
				sp->fields = pf_xrealloc(sp->fields,
				    sp->cap * sizeof(*sp->fields));
				sp->scratch_at = pf_xrealloc(sp->scratch_at,
				    sp->cap * sizeof(*sp->scratch_at));
			}
			sp->fields[n].ptr = f;
			sp->fields[n].len = (size_t)(q - f);
		}
		n++;
	}
	rec->fields = sp->fields;
	rec->field_count = n;
	rec->nfields = n < want ? n : want;
	if (lf < end) {
		(*lines)++;
		return lf + 1;
	}
	return end;
}
