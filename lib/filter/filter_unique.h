/*
 * filter_unique.h - pfilter --unique: of the records that pass, the
 * first of each key, in input order, streaming.
 *
 * DESIGN
 * Each worker keeps the set of keys it has seen. Workers take batches in
 * input order, so a key a worker saw in an earlier batch cannot be first
 * in a later one: such records are dropped at once, and only a worker's
 * first sighting of a key is a candidate. The writer thread, which sees
 * batches strictly in input order, keeps the set of keys written and
 * writes a candidate when its key is new. Memory: each set grows with
 * the number of distinct keys only. The sets are pf_groups (table.h)
 * with empty states.
 */
#ifndef PF_FILTER_UNIQUE_H
#define PF_FILTER_UNIQUE_H

#include <stddef.h>
#include <stdint.h>

#include "support/buf.h"

struct pf_unique;		/* the writer's set */
struct pf_unique_worker;	/* a worker's set and its batch's candidates */

struct pf_unique *pf_unique_new(void);
void pf_unique_free(struct pf_unique *u);
struct pf_unique_worker *pf_unique_worker_new(void);
void pf_unique_worker_free(struct pf_unique_worker *w);

/*
 * Offers a record that passed: its key, and its output bytes (empty when
 * only counting). Kept as a candidate unless this worker saw the key.
 */
void pf_unique_offer(struct pf_unique_worker *w, const char *key,
    size_t keylen, const char *out, size_t outlen);

/* The batch's candidates, for pf_unique_result() (NULL for none). */
void *pf_unique_batch_end(struct pf_unique_worker *w);

/*
 * On the writer, in input order: appends the output of the candidates
 * whose key is new to out (NULL: only frees them); returns how many.
 */
uint64_t pf_unique_result(struct pf_unique *u, void *candidates,
    struct pf_buf *out);

#endif
