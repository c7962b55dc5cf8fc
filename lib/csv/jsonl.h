/*
 * jsonl.h - JSON Lines input: one JSON object a line, its keys the
 * fields.
 *
 * The fields are the keys of the first object, in its order (a key
 * table, learned once by the reader before any record is split, then
 * only read). Each later object is split into those fields: a string is
 * unescaped (\uXXXX too, a surrogate pair as one character, a lone
 * surrogate as U+FFFD), a number is its text as written, true and false
 * are those words, null is empty, an array or object is its compact JSON
 * text (no blanks outside strings; strings as written); a key the object
 * lacks is empty. Each field's JSON type is marked in pf_record.kinds
 * (record.h), for writers of JSON Lines to keep it. A key the first object did not have, a key twice in
 * one object, and text that is no JSON object make the record malformed,
 * with a message that says which (and names the key). Bytes that are not
 * UTF-8 inside strings pass through as they are.
 */
#ifndef PF_JSONL_H
#define PF_JSONL_H

#include <stdbool.h>
#include <stddef.h>

#include "csv/record.h"

/* The fields of JSON Lines input: the first object's keys. */
struct pf_jsonl_keys {
	size_t	  n;
	char	**names;	/* NUL-terminated; may hold NULs (\u0000) */
	size_t	 *lens;
	size_t	 *slots;	/* open addressing: index + 1, 0 empty */
	size_t	  nslots;
};

/*
 * The key table of the process's JSON Lines stream (a process reads one
 * stream: its operands, one after the other): learned by the reader from
 * the first object before any worker starts, then only read, by
 * pf_split_next() wherever a record of the stream is split.
 */
struct pf_jsonl_keys *pf_jsonl_stream_keys(void);

struct pf_jsonl_keys *pf_jsonl_keys_new(void);
void pf_jsonl_keys_free(struct pf_jsonl_keys *k);

/* The index of key name[0..len), or -1. */
long pf_jsonl_keys_find(const struct pf_jsonl_keys *k, const char *name,
    size_t len);

/*
 * Learns the keys of the object line[0..len) (the first record), in
 * order, into k (emptied first). Returns true, or false with why (size n) set
 * when the line is no JSON object or holds a key twice.
 */
bool pf_jsonl_keys_learn(struct pf_jsonl_keys *k, const char *line,
    size_t len, char *why, size_t n);

/*
 * Fills schema (empty) with k's keys as its field names, as a header
 * names them (the names copied).
 */
void pf_jsonl_keys_schema(const struct pf_jsonl_keys *k,
    struct pf_schema *schema);

/*
 * pf_split_next() for JSON Lines (k: pf_jsonl_stream_keys()): splits the line at p
 * (p < end; the caller has skipped empty lines) into k->n fields. A
 * malformed line sets *status to PF_SPLIT_JSON and sp->why to the
 * reason; rec->raw is the line even then.
 */
const char *pf_split_jsonl(struct pf_splitter *sp,
    const struct pf_jsonl_keys *k, const char *p, const char *end,
    struct pf_record *rec, size_t *lines, enum pf_split_status *status);

#endif
