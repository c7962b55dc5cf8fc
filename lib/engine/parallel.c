/*
 * parallel.c - pf_parallel_run() (see parallel.h): a thread per job
 * but the first, joined before returning.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "engine/parallel.h"
#include "support/xalloc.h"

struct parallel_job {
	void		(*job)(void *, size_t);
	void		*ctx;
	size_t		 i;
	pthread_t	 thread;
	bool		 started;
};

static void *
job_main(void *arg)
{
	struct parallel_job *j = arg;

	j->job(j->ctx, j->i);
	return NULL;
}

void
pf_parallel_run(size_t n, void (*job)(void *ctx, size_t i), void *ctx)
{
	struct parallel_job *jobs;
	size_t i;

	if (n == 0)
		return;
	jobs = pf_xcalloc(n, sizeof(*jobs));
	for (i = 0; i < n; i++) {
		jobs[i].job = job;
		jobs[i].ctx = ctx;
		jobs[i].i = i;
		if (i > 0)
			jobs[i].started = pthread_create(&jobs[i].thread, NULL,
			    job_main, &jobs[i]) == 0;
	}
	for (i = 0; i < n; i++)
		if (!jobs[i].started)
			job_main(&jobs[i]);
	for (i = 0; i < n; i++)
		if (jobs[i].started)
			pthread_join(jobs[i].thread, NULL);
	free(jobs);
}
