/*
 * keyvalue.h - what ptakesort computes for every record: its key values
 * (eval_keys) and its heap hint (hint_of). Inline, because they run once
 * per record in first.c and wholesort.c: as calls into sortkey.c they
 * cost top-N 7% of its CPU time on flights-30m (measured).
 */
#ifndef PF_TAKESORT_KEYVALUE_H
#define PF_TAKESORT_KEYVALUE_H

#include <math.h>
#include <string.h>

#include <xxhash.h>

#include "support/number.h"
#include "takesort/takesort_int.h"

/* Whether key k compares numerically under the outcome strmask. */
static inline bool
numeric(const struct key *k, unsigned strmask)
{
	return k->type == KEY_NUM || (k->type == KEY_AUTO &&
	    !(k->bit & strmask));
}

#define HINT_BITS	62
#define HINT_MASK	((UINT64_C(1) << HINT_BITS) - 1)

/*
 * The heap hint of a record (see topn.h): its first key's kind in the
 * top two bits, then an order-preserving 62-bit prefix of its value:
 * the double's bits made monotone, or the first 7 bytes of its text.
 */
static inline uint64_t
hint_of(const struct takesort *ts, const struct val *v, unsigned strmask)
{
	const struct key *k = &ts->keys[0];
	uint64_t kind, body = 0;
	double d;
	size_t i;

	if (v->kind == VAL_EMPTY)
		return (uint64_t)VAL_EMPTY << HINT_BITS;
	if (numeric(k, strmask) && v->kind == VAL_NUM) {
		kind = VAL_NUM;
		d = v->is_int ? (double)v->i : v->d;
		if (d == 0)
			d = 0;		/* -0 == 0 */
		memcpy(&body, &d, sizeof(body));
		body = body >> 63 ? ~body : body | UINT64_C(1) << 63;
		body >>= 64 - HINT_BITS;
	} else {
		kind = numeric(k, strmask) ? VAL_STR : VAL_NUM;
		for (i = 0; i < 7; i++)
			body = body << 8 | (i < v->len ?
			    (unsigned char)v->s[i] : 0);
		body <<= HINT_BITS - 56;
	}
	if (k->desc)
		body = ~body & HINT_MASK;
	return kind << HINT_BITS | body;
}

/* Classifies the bytes s/len: empty, a number (parsed), or a string. */
static inline void
set_text(struct val *v, const char *s, size_t len)
{
	struct pf_number num;

	v->s = s;
	v->len = len;
	if (len == 0)
		v->kind = VAL_EMPTY;
	else if (pf_number_parse(s, len, &num)) {
		v->kind = VAL_NUM;
		v->is_int = num.is_int;
		if (num.is_int)
			v->i = num.i;
		else
			v->d = num.d;
	} else
		v->kind = VAL_STR;
}

/* Computes the record's key values into w->cand. */
static inline void
eval_keys(struct worker *w, const struct pf_record *rec)
{
	const struct takesort *ts = w->ts;
	const struct key *k;
	struct val *v;
	struct pf_value pv;
	const char *s;
	size_t j, len;

	if (w->eval != NULL)
		pf_eval_reset(w->eval);
	for (j = 0; j < ts->nkeys; j++) {
		k = &ts->keys[j];
		v = &w->cand[j];
		if (k->sample) {
			/* 53 bits: the hint (a double) holds them exactly. */
			*v = (struct val){ .s = "", .kind = VAL_NUM,
			    .is_int = true, .i = (int64_t)(XXH64(&rec->nr,
			    sizeof(rec->nr), ts->args->seed) >> 11) };
			continue;
		}
		if (k->field >= 0) {
			if ((size_t)k->field < rec->nfields)
				set_text(v, rec->fields[k->field].ptr,
				    rec->fields[k->field].len);
			else
				set_text(v, "", 0);
			continue;
		}
		pf_eval(w->eval, k->expr, rec, &pv);
		pf_value_text(w->eval, &pv, &s, &len);
		if (pv.type == PF_V_INT) {
			v->s = s;
			v->len = len;
			v->kind = VAL_NUM;
			v->is_int = true;
			v->i = pv.i;
		} else if (pv.type == PF_V_NUM && !isnan(pv.d)) {
			v->s = s;
			v->len = len;
			v->kind = VAL_NUM;
			v->is_int = false;
			v->d = pv.d;
		} else
			set_text(v, s, len);
	}
}

#endif
