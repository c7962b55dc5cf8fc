/*
 * engine_driven.c - driven mode (engine.h): the reader on a thread of its
 * own, the workers as in pf_run(), and the in-order stage run by the
 * tool's event loop, which takes batches without blocking when it has
 * room for them and polls a notification pipe to learn when to look. See
 * engine.c for the design.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine_int.h"
#include "support/compat.h"
#include "support/xalloc.h"

/* How long pf_engine_close() waits for a stopped reader to come back. */
#define ABANDON_AFTER_MS	200

struct pf_engine {
	struct engine	 e;
	char		**files;
	int		  nfiles;
	bool		  opened;	/* engine_open() ran */
};

/*
 * A byte on the notification pipe: a batch is done, or the input ended.
 * The pipe is non-blocking: when it is full, it is readable already.
 */
void
notify_driver(struct engine *e)
{
	char b = 'x';

	(void)!write(e->notify[1], &b, 1);
}

static void *
reader_main(void *arg)
{
	struct engine *e = arg;
	int status = read_input(e);

	pthread_mutex_lock(&e->lock);
	e->read_status = status;
	e->input_done = true;
	pthread_cond_broadcast(&e->work_cv);
	pthread_mutex_unlock(&e->lock);
	notify_driver(e);
	return NULL;
}

struct pf_engine *
pf_engine_new(const struct pf_options *opt, char **files, int nfiles,
    struct pf_tool *tool)
{
	struct pf_engine *pe = pf_xcalloc(1, sizeof(*pe));

	pe->e.opt = opt;
	pe->e.tool = tool;
	pe->e.driven = true;
	pe->e.notify[0] = pe->e.notify[1] = -1;
	pe->files = files;
	pe->nfiles = nfiles;
	return pe;
}

const struct pf_reader *
pf_engine_reader(const struct pf_engine *pe)
{
	return &pe->e.reader_own;
}

int
pf_engine_start(struct pf_engine *pe)
{
	struct engine *e = &pe->e;
	int status;

	if (pipe2(e->notify, O_CLOEXEC | O_NONBLOCK) != 0)
		err(1, "pipe");
	pe->opened = true;
	status = engine_open(e, e->opt, pe->files, pe->nfiles, e->tool);
	if (status != 0 || e->no_input)
		return status;	/* no pool: pf_engine_next() says the end */
	pipeline_start(e);
	if ((errno = pthread_create(&e->reader_thread, NULL, reader_main,
	    e)) != 0)
		err(1, "cannot start the reader thread");
	e->reader_started = true;
	return 0;
}

int
pf_engine_fd(const struct pf_engine *pe)
{
	return pe->e.notify[0];
}

/* Gives back the batch the tool had. */
static void
give_back(struct engine *e)
{
	if (e->current == NULL)
		return;
	if (e->current->result != NULL)
		hand_on_result(e, e->current);
	release_batch(e, e->current);
	e->current = NULL;
}

bool
pf_engine_ready(struct pf_engine *pe)
{
	struct engine *e = &pe->e;
	bool ready;

	if (e->pool == 0)
		return false;
	pthread_mutex_lock(&e->lock);
	ready = e->done[e->next_write % (uint64_t)e->pool] != NULL &&
	    !atomic_load(&e->stopping);
	pthread_mutex_unlock(&e->lock);
	return ready;
}

int
pf_engine_next(struct pf_engine *pe, struct pf_batch_info *info,
    const struct pf_buf **out)
{
	struct engine *e = &pe->e;
	struct batch *b = NULL;
	char drain[64];
	bool end, more;
	double t0 = now();
	uint64_t after = e->next_write + 1;
	size_t slot;

	if (e->pool == 0)
		return -1;
	give_back(e);
	/* Drain first, then look: a batch done after the look notifies. */
	while (read(e->notify[0], drain, sizeof(drain)) > 0)
		;
	slot = (size_t)(e->next_write % (uint64_t)e->pool);
	pthread_mutex_lock(&e->lock);
	if (!atomic_load(&e->stopping)) {
		b = e->done[slot];
		e->done[slot] = NULL;
	}
	end = b == NULL && (atomic_load(&e->stopping) ||
	    (e->input_done && e->next_write == e->nbatches));
	/* What follows b, when it is here already (see below). */
	more = b != NULL && (e->done[after % (uint64_t)e->pool] != NULL ||
	    (e->input_done && after == e->nbatches));
	pthread_mutex_unlock(&e->lock);
	if (b == NULL)
		return end ? -1 : 0;
	e->current = b;
	e->next_write++;	/* pf_engine_ready() looks at the one after */
	write_batch(e, b);
	/*
	 * The drain took the bytes of all that was done, but one batch is
	 * handed on: when what follows it is here already (the next batch,
	 * the end of the input, or a stop write_batch() just made), no
	 * byte says so any more. Put one back: the descriptor must stay
	 * readable while there is more, for a loop that takes a batch and
	 * polls before it asks again (pmap's, when its window fills up)
	 * would otherwise wait for a byte that never comes.
	 */
	if (more || atomic_load(&e->stopping))
		notify_driver(e);
	batch_info(e, b, info);
	*out = &b->out;
	e->write_busy += now() - t0;
	return 1;
}

void
pf_engine_stop(struct pf_engine *pe)
{
	struct engine *e = &pe->e;

	if (e->pool == 0)
		return;
	pthread_mutex_lock(&e->lock);
	atomic_store(&e->stopping, true);
	pthread_cond_broadcast(&e->free_cv);
	pthread_mutex_unlock(&e->lock);
}

/* Joins the reader, unless it stays blocked in read(2): then false. */
static bool
join_reader(struct engine *e)
{
	struct timespec until;

	if (!e->reader_started)
		return true;
	e->reader_started = false;
	if (!atomic_load(&e->stopping)) {
		pthread_join(e->reader_thread, NULL);
		return true;
	}
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += ABANDON_AFTER_MS * 1000000L;
	until.tv_sec += until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	return pthread_timedjoin_np(e->reader_thread, NULL, &until) == 0;
}

int
pf_engine_close(struct pf_engine *pe, bool *abandoned)
{
	struct engine *e = &pe->e;
	int status, i;

	*abandoned = false;
	if (e->pool > 0) {
		give_back(e);
		if (!join_reader(e)) {
			/*
			 * The reader holds a batch and the engine: leave them
			 * to the exit. The workers end; the in-order stage is
			 * ours, so --bad and --stats still are.
			 */
			*abandoned = true;
			pthread_mutex_lock(&e->lock);
			e->input_done = true;
			pthread_cond_broadcast(&e->work_cv);
			pthread_mutex_unlock(&e->lock);
			for (i = 0; i < e->opt->jobs; i++)
				pthread_join(e->workers[i].thread, NULL);
			show_progress(e, true);
			if (e->opt->stats)
				fprintf(stderr, "%s: %llu records in, %llu "
				    "records out, %llu bad (input abandoned)\n",
				    program_invocation_short_name,
				    (unsigned long long)e->records_in,
				    (unsigned long long)e->tool->written,
				    (unsigned long long)e->nbad);
			engine_close_bad(e);
			return e->status;
		}
		pipeline_end(e, e->read_status);
	}
	if (pe->opened)
		engine_close(e);
	status = e->status;
	if (e->notify[0] >= 0) {
		close(e->notify[0]);
		close(e->notify[1]);
	}
	free(pe);
	return status;
}
