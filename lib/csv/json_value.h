/*
 * json_value.h - pflow's one JSON value reader, for JSON Lines input
 * (jsonl.c reads each line's object with it) and pmap --explode
 * (pf_json_array_each()).
 *
 * A string is unescaped (\uXXXX too, a surrogate pair as one character,
 * a lone surrogate as U+FFFD; bytes that are not UTF-8 pass through as
 * they are), a number is its text as written (checked as JSON writes
 * numbers), true and false are those words, null is empty, an array or
 * object is its compact JSON text (no blanks outside strings).
 */
#ifndef PF_JSON_VALUE_H
#define PF_JSON_VALUE_H

#include <stdbool.h>
#include <stddef.h>

#include "support/buf.h"
#include "csv/record.h"

/* A reader's place in the text, and where what it builds goes. */
struct pf_json_parse {
	const char	*line;		/* the text, for positions */
	const char	*p, *e;		/* the rest of the text */
	struct pf_buf	*out;		/* unescaped strings, compact text */
	struct pf_buf	 stack;		/* open brackets of a container */
	char		*why;		/* the message of a fault (size nwhy) */
	size_t		 nwhy;
	bool		 dumps;		/* a container's strings as json.dumps
					   writes them, not as written */
};

/*
 * A value: in the text (ptr), or in out at off (ptr NULL); kind is its
 * enum pf_json_kind (record.h), set by pf_json_parse_value().
 */
struct pf_json_value {
	const char	*ptr;
	size_t		 off, len;
	unsigned char	 kind;
};

/*
 * Sets ps->why to "malformed JSON: WHAT (at byte N)", N the place of
 * ps->p. Returns false.
 */
bool pf_json_fail(struct pf_json_parse *ps, const char *what);

/* Moves ps->p past spaces, tabs, CRs and LFs. */
void pf_json_skip_blanks(struct pf_json_parse *ps);

/*
 * The string at ps->p (a quote), ps->p moved past it. Its body is v (in
 * the text when it has no escape); with raw, v is instead the string as
 * written, quotes and escapes included (for containers' text), or with
 * ps->dumps as json.dumps writes it (the same when it has no escape).
 * Returns false with ps->why set when it is malformed.
 */
bool pf_json_parse_string(struct pf_json_parse *ps, struct pf_json_value *v,
    bool raw);

/*
 * Any value at ps->p (blanks skipped before it), ps->p moved past it,
 * as the top of this header says. Returns false with ps->why set when
 * it is malformed.
 */
bool pf_json_parse_value(struct pf_json_parse *ps, struct pf_json_value *v);

/*
 * The elements of the JSON array that is wholly s[0..len) (blanks may
 * stand around it and between its parts), for pmap --explode: each()
 * gets them in order, with their kinds, as pf_json_parse_value() reads them, but an array
 * or object as Python's json.dumps(v, separators=(",", ":"),
 * ensure_ascii=False) writes it. An element's bytes live until each()
 * returns. value and stack are the caller's scratch (kept between calls,
 * freed with pf_buf_free()). Returns false when s is not wholly a JSON
 * array; each() may have had the elements before the fault.
 */
bool pf_json_array_each(const char *s, size_t len, struct pf_buf *value,
    struct pf_buf *stack,
    void (*each)(void *ctx, const char *elem, size_t len,
    enum pf_json_kind kind), void *ctx);

#endif
