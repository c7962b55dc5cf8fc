/*
 * command_feeder.c - the feeder: one thread that runs the reader
 * (reader.h), cutting the input into buffers at record boundaries, and
 * the bounded queue that hands them to the event loop (command.c).
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "map/command_int.h"
#include "support/xalloc.h"

/* Frees the feeder's buffers, once its thread has been joined. */
void
cmd_feeder_free(struct feeder *f)
{
	int i;

	if (f->bufs == NULL)
		return;
	for (i = 0; i < f->nbufs; i++)
		pf_buf_free(&f->bufs[i]);
	free(f->bufs);
	free(f->files);
	free(f->offsets);
	free(f->lengths);
	free(f->free_stack);
	free(f->fifo);
	close(f->notify[0]);
	close(f->notify[1]);
	pthread_mutex_destroy(&f->mu);
	pthread_cond_destroy(&f->cv);
}

static void *
feeder_main(void *arg)
{
	struct feeder *f = arg;
	int idx, rc, file = 0;
	char b = 'x';

	for (;;) {
		pthread_mutex_lock(&f->mu);
		while (f->nfree == 0 && !f->stop)
			pthread_cond_wait(&f->cv, &f->mu);
		if (f->stop) {
			pthread_mutex_unlock(&f->mu);
			break;
		}
		idx = f->free_stack[--f->nfree];
		pthread_mutex_unlock(&f->mu);

		rc = pf_reader_fill(f->reader, &f->bufs[idx], &file);

		pthread_mutex_lock(&f->mu);
		if (rc <= 0) {
			f->eof = true;
			f->error = rc < 0;
			f->free_stack[f->nfree++] = idx;
		} else {
			f->files[idx] = file;
			f->offsets[idx] = f->reader->batch_offset;
			f->lengths[idx] = f->reader->batch_len;
			f->fifo[(f->fifo_head + f->fifo_count++) % f->nbufs] = idx;
		}
		pthread_mutex_unlock(&f->mu);
		(void)!write(f->notify[1], &b, 1);
		if (rc <= 0)
			break;
	}
	return NULL;
}

void
cmd_feeder_start(struct feeder *f, struct pf_reader *r, int nbufs)
{
	int i;

	f->reader = r;
	f->nbufs = nbufs;
	f->bufs = pf_xcalloc((size_t)nbufs, sizeof(*f->bufs));
	f->files = pf_xcalloc((size_t)nbufs, sizeof(int));
	f->offsets = pf_xcalloc((size_t)nbufs, sizeof(off_t));
	f->lengths = pf_xcalloc((size_t)nbufs, sizeof(off_t));
	f->free_stack = pf_xcalloc((size_t)nbufs, sizeof(int));
	f->fifo = pf_xcalloc((size_t)nbufs, sizeof(int));
	for (i = 0; i < nbufs; i++)
		f->free_stack[f->nfree++] = i;
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	if (pipe2(f->notify, O_CLOEXEC | O_NONBLOCK) != 0)
		err(1, "pipe");
	if ((errno = pthread_create(&f->thread, NULL, feeder_main, f)) != 0)
		err(1, "pthread_create");
	f->running = true;
}

/* Takes the oldest filled buffer: its index, or -1 (then *eof says why). */
int
cmd_feeder_take(struct feeder *f, bool *eof)
{
	int idx = -1;

	pthread_mutex_lock(&f->mu);
	if (f->fifo_count > 0) {
		idx = f->fifo[f->fifo_head];
		f->fifo_head = (f->fifo_head + 1) % f->nbufs;
		f->fifo_count--;
	}
	*eof = idx < 0 && f->eof;
	pthread_mutex_unlock(&f->mu);
	return idx;
}

bool
cmd_feeder_has_data(struct feeder *f)
{
	bool has;

	pthread_mutex_lock(&f->mu);
	has = f->fifo_count > 0;
	pthread_mutex_unlock(&f->mu);
	return has;
}

void
cmd_feeder_give_back(struct feeder *f, int idx)
{
	pthread_mutex_lock(&f->mu);
	f->free_stack[f->nfree++] = idx;
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

/*
 * Stops the thread and joins it. A thread blocked reading a pipe or a
 * terminal may not come back: after STOP_WAIT_MS it is left to end with
 * the process (then false).
 */
bool
cmd_feeder_stop(struct feeder *f)
{
	struct timespec until;

	if (!f->running)
		return true;
	pthread_mutex_lock(&f->mu);
	f->stop = true;
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mu);
	f->running = false;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += STOP_WAIT_MS * 1000000L;
	until.tv_sec += until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	return pthread_timedjoin_np(f->thread, NULL, &until) == 0;
}
