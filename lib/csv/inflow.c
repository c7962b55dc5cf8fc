/*
 * inflow.c - a compressed input decoded ahead of the reader (see
 * inflow.h).
 *
 * The ring: slots[tail] is the next one the producer fills, slots[head]
 * the one the reader takes bytes from (at pos); `filled` slots lie
 * between. The producer fills a slot outside the lock, then posts it;
 * the reader copies out of the head slot outside the lock, then frees
 * it. `done` (end of stream or error) is set by the producer after its
 * last slot; `stop` asks it to leave early.
 */
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "csv/inflow.h"
#include "support/xalloc.h"

#define IN_BUF		(256 * 1024)
#define POLL_MS		100	/* how often a waiting read checks stop */

struct slot {
	unsigned char	*data;
	size_t		 len;
};

struct pf_inflow {
	int		 fd;
	bool		 pollable;
	bool		 raw_eof;
	struct pf_decoder *decoder;
	unsigned char	*in;		/* compressed bytes read, not decoded */
	const unsigned char *in_at;
	size_t		 in_len;
	_Atomic uint64_t bytes_in;

	pthread_mutex_t	 lock;
	pthread_cond_t	 filled_cv;	/* a slot was posted, or done */
	pthread_cond_t	 free_cv;	/* a slot was freed, or stop */
	struct slot	 slots[PF_INFLOW_SLOTS];
	int		 head, tail, filled;
	size_t		 pos;		/* read position in slots[head] */
	bool		 done;		/* no slot will be posted any more */
	bool		 failed;	/* ... because of error */
	bool		 stop;
	bool		 threaded;
	pthread_t	 thread;
	char		 error[256];
};

struct pf_inflow *
pf_inflow_new(int fd, bool pollable, enum pf_codec c, const void *head,
    size_t head_len, bool raw_eof)
{
	struct pf_inflow *f = pf_xcalloc(1, sizeof(*f));
	int i;

	f->fd = fd;
	f->pollable = pollable;
	f->raw_eof = raw_eof;
	f->decoder = pf_decoder_new(c);
	f->in = pf_xmalloc(head_len > IN_BUF ? head_len : IN_BUF);
	memcpy(f->in, head, head_len);
	f->in_at = f->in;
	f->in_len = head_len;
	atomic_store(&f->bytes_in, head_len);
	for (i = 0; i < PF_INFLOW_SLOTS; i++)
		f->slots[i].data = pf_xmalloc(PF_INFLOW_SLOT);
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->filled_cv, NULL);
	pthread_cond_init(&f->free_cv, NULL);
	return f;
}

static bool
stopping(struct pf_inflow *f)
{
	bool stop;

	pthread_mutex_lock(&f->lock);
	stop = f->stop;
	pthread_mutex_unlock(&f->lock);
	return stop;
}

/*
 * Reads more compressed input into f->in (which is empty). Returns 1,
 * 0 at its end (or when asked to stop), -1 on error.
 */
static int
read_input(struct pf_inflow *f)
{
	struct pollfd pfd = { .fd = f->fd, .events = POLLIN };
	ssize_t n;

	f->in_at = f->in;
	f->in_len = 0;
	if (f->raw_eof)
		return 0;
	for (;;) {
		if (f->pollable) {
			if (stopping(f))
				return 0;
			if (poll(&pfd, 1, POLL_MS) == 0)
				continue;
		}
		n = read(f->fd, f->in, IN_BUF);
		if (n > 0)
			break;
		if (n == 0) {
			f->raw_eof = true;
			return 0;
		}
		if (errno != EINTR && errno != EAGAIN) {
			snprintf(f->error, sizeof(f->error), "%s",
			    strerror(errno));
			return -1;
		}
	}
	f->in_len = (size_t)n;
	atomic_fetch_add(&f->bytes_in, (uint64_t)n);
	return 1;
}

/*
 * Fills s with decoded bytes, up to a whole slot. Returns 1 when more
 * may follow, 0 at the end of the stream, -1 on error (f->error set).
 */
static int
fill_slot(struct pf_inflow *f, struct slot *s)
{
	const char *why = NULL;
	size_t produced;
	int rc;

	s->len = 0;
	while (s->len < PF_INFLOW_SLOT) {
		if (f->in_len == 0 && !f->raw_eof) {
			if (read_input(f) < 0)
				return -1;
			if (!f->raw_eof && f->in_len == 0)
				return 0;	/* asked to stop */
		}
		rc = pf_decoder_run(f->decoder, &f->in_at, &f->in_len,
		    s->data + s->len, PF_INFLOW_SLOT - s->len, &produced,
		    f->raw_eof, &why);
		s->len += produced;
		if (rc < 0) {
			snprintf(f->error, sizeof(f->error), "%s", why);
			return -1;
		}
		if (rc == 1)
			return 0;
		/* A slot with something in it goes as soon as input waits. */
		if (s->len > 0 && f->in_len == 0 && f->pollable)
			break;
	}
	return 1;
}

/*
 * Puts slot s, filled (fill_slot() returned rc), in the ring if it holds
 * anything, and marks the end (under the lock when there is a thread).
 */
static void
post_slot(struct pf_inflow *f, const struct slot *s, int rc)
{
	if (s->len > 0) {
		f->tail = (f->tail + 1) % PF_INFLOW_SLOTS;
		f->filled++;
	}
	if (rc <= 0) {
		f->done = true;
		f->failed = rc < 0;
	}
}

/* The producer: fills free slots until the end, an error or stop. */
static void *
produce(void *arg)
{
	struct pf_inflow *f = arg;
	struct slot *s;
	int rc;

	for (;;) {
		pthread_mutex_lock(&f->lock);
		while (f->filled == PF_INFLOW_SLOTS && !f->stop)
			pthread_cond_wait(&f->free_cv, &f->lock);
		if (f->stop) {
			f->done = true;
			pthread_cond_broadcast(&f->filled_cv);
			pthread_mutex_unlock(&f->lock);
			return NULL;
		}
		s = &f->slots[f->tail];
		pthread_mutex_unlock(&f->lock);

		rc = fill_slot(f, s);

		pthread_mutex_lock(&f->lock);
		post_slot(f, s, rc);
		pthread_cond_broadcast(&f->filled_cv);
		pthread_mutex_unlock(&f->lock);
		if (rc <= 0)
			return NULL;
	}
}

int
pf_inflow_start(struct pf_inflow *f, pf_thread_start_fn *start)
{
	int rc;

	if (start == NULL)
		return ENOSYS;
	if ((rc = start(&f->thread, produce, f)) == 0)
		f->threaded = true;
	return rc;
}

/* In line: decodes one slot when the ring is empty. */
static void
produce_in_line(struct pf_inflow *f)
{
	struct slot *s = &f->slots[f->tail];
	int rc;

	if (f->done || f->filled > 0)
		return;
	rc = fill_slot(f, s);
	post_slot(f, s, rc);
}

ssize_t
pf_inflow_read(struct pf_inflow *f, void *buf, size_t want)
{
	struct slot *s;
	size_t n;

	if (!f->threaded)
		produce_in_line(f);
	pthread_mutex_lock(&f->lock);
	while (f->filled == 0 && !f->done)
		pthread_cond_wait(&f->filled_cv, &f->lock);
	if (f->filled == 0) {
		pthread_mutex_unlock(&f->lock);
		return f->failed ? -1 : 0;
	}
	s = &f->slots[f->head];
	pthread_mutex_unlock(&f->lock);

	n = s->len - f->pos < want ? s->len - f->pos : want;
	memcpy(buf, s->data + f->pos, n);
	f->pos += n;
	if (f->pos == s->len) {
		pthread_mutex_lock(&f->lock);
		f->pos = 0;
		f->head = (f->head + 1) % PF_INFLOW_SLOTS;
		f->filled--;
		pthread_cond_signal(&f->free_cv);
		pthread_mutex_unlock(&f->lock);
	}
	return (ssize_t)n;
}

bool
pf_inflow_wait(struct pf_inflow *f, long timeout_ms)
{
	struct timespec until;
	bool ready;

	if (!f->threaded || timeout_ms < 0)
		return true;	/* a read decodes, or waits, as it must */
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&f->lock);
	while (f->filled == 0 && !f->done &&
	    pthread_cond_timedwait(&f->filled_cv, &f->lock, &until) == 0)
		;
	ready = f->filled > 0 || f->done;
	pthread_mutex_unlock(&f->lock);
	return ready;
}

uint64_t
pf_inflow_bytes_in(struct pf_inflow *f)
{
	return atomic_load(&f->bytes_in);
}

const char *
pf_inflow_error(struct pf_inflow *f)
{
	return f->error;
}

void
pf_inflow_free(struct pf_inflow *f)
{
	int i;

	if (f == NULL)
		return;
	if (f->threaded) {
		pthread_mutex_lock(&f->lock);
		f->stop = true;
		pthread_cond_broadcast(&f->free_cv);
		pthread_mutex_unlock(&f->lock);
		pthread_join(f->thread, NULL);
	}
	pthread_mutex_destroy(&f->lock);
	pthread_cond_destroy(&f->filled_cv);
	pthread_cond_destroy(&f->free_cv);
	for (i = 0; i < PF_INFLOW_SLOTS; i++)
		free(f->slots[i].data);
	pf_decoder_free(f->decoder);
	free(f->in);
	free(f);
}
