/*
 * parallel.h - the engine's fork-join, for work a tool does after the
 * pipeline (ptakesort sorting its workers' buffers at the end): only the
 * engine starts threads.
 */
#ifndef PF_PARALLEL_H
#define PF_PARALLEL_H

#include <stddef.h>

/*
 * Runs job(ctx, i) for every i in [0, n), in parallel: i = 0 on the
 * calling thread, each other on a thread of its own (one that cannot be
 * started runs on the caller). Returns when all have returned. Jobs
 * must not share what they write.
 */
void pf_parallel_run(size_t n, void (*job)(void *ctx, size_t i), void *ctx);

#endif
