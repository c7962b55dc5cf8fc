/*
 * inflow.h - a compressed input decoded ahead of the reader, in bounded
 * memory.
 *
 * A producer (which pf_inflow_start() runs on a thread that the engine
 * starts: only the engine starts threads) reads the compressed bytes
 * from a descriptor, decodes them (codec.h) into a ring of
 * PF_INFLOW_SLOTS buffers of PF_INFLOW_SLOT bytes each, and waits while
 * the ring is full; the reader takes decoded bytes with
 * pf_inflow_read() as it would read(2) them. So decoding runs beside the
 * record cutter and the workers, and memory is the ring, one input
 * buffer and the decoder's own state, whatever the input's size. Without
 * a thread (pf_inflow_start() not called) pf_inflow_read() decodes in
 * line, the same bytes.
 */
#ifndef PF_INFLOW_H
#define PF_INFLOW_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "csv/codec.h"

#define PF_INFLOW_SLOTS	4
#define PF_INFLOW_SLOT	(512 * 1024)

/* Starts fn(arg) on a new thread into *thread; 0 or an errno value. */
typedef int pf_thread_start_fn(pthread_t *thread, void *(*fn)(void *),
    void *arg);

struct pf_inflow;

/*
 * A decoder of codec c over descriptor fd (not closed by the inflow),
 * whose first head_len bytes were read already (head, copied). raw_eof:
 * fd has ended (head is the whole input). pollable: fd is a pipe or
 * terminal, whose reads wait with poll(2) so that pf_inflow_free() is
 * not held up by an input that says nothing.
 */
struct pf_inflow *pf_inflow_new(int fd, bool pollable, enum pf_codec c,
    const void *head, size_t head_len, bool raw_eof);

/*
 * Runs the producer on a thread that start() makes. Returns 0, or an
 * errno value (the inflow then decodes in line).
 */
int pf_inflow_start(struct pf_inflow *f, pf_thread_start_fn *start);

/*
 * Up to want decoded bytes into buf; waits for some. Returns the count,
 * 0 at the end of the stream, or -1 when the input is corrupt,
 * truncated or unreadable (pf_inflow_error() says why).
 */
ssize_t pf_inflow_read(struct pf_inflow *f, void *buf, size_t want);

/*
 * Waits at most timeout_ms (-1: no limit) for decoded bytes (or the end,
 * or an error); returns true if pf_inflow_read() would not wait.
 */
bool pf_inflow_wait(struct pf_inflow *f, long timeout_ms);

/* Compressed bytes read from the descriptor so far (any thread). */
uint64_t pf_inflow_bytes_in(struct pf_inflow *f);

/* Why pf_inflow_read() returned -1. */
const char *pf_inflow_error(struct pf_inflow *f);

/* Stops the producer, waits for its thread, frees everything. */
void pf_inflow_free(struct pf_inflow *f);

#endif
