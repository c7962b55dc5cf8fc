/*
 * test_engine_driven.c - the engine's driven mode (engine_driven.c): a
 * loop that polls pf_engine_fd() with no timeout and takes batches with
 * pf_engine_next() gets every batch, in order, and the end, however it
 * paces itself. Workers sleep at random in record(), and the loop takes
 * a few batches per wake-up and dawdles, so batches and the end of the
 * input are often done before the loop asks: a lost wake-up hangs the
 * test (meson's timeout fails it); so does one after a stop. Also run
 * under ThreadSanitizer (suite "engine").
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "unit.h"

#define RECORDS	600
#define RUNS	120	/* per loop style */

/* A worker's random numbers. */
struct nap_worker {
	unsigned int	seed;
};

static unsigned int next_seed = 1;

static void
nap_us(unsigned int *seed, int max_us)
{
	struct timespec ts = { 0, (long)(rand_r(seed) % max_us) * 1000 };

	nanosleep(&ts, NULL);
}

static int
nap_start(void *ctx, const struct pf_schema *schema, struct pf_buf *out)
{
	(void)ctx;
	(void)schema;
	(void)out;
	return 0;
}

static void *
nap_worker_new(void *ctx)
{
	struct nap_worker *w = malloc(sizeof(*w));

	(void)ctx;
	w->seed = next_seed++;	/* workers are made on the main thread */
	return w;
}

/* Copies field 1; now and then naps at the start of a batch. */
static uint64_t
nap_record(void *worker, const struct pf_record *rec, struct pf_buf *out)
{
	struct nap_worker *w = worker;

	if (rec->in_batch == 1 && rand_r(&w->seed) % 3 == 0)
		nap_us(&w->seed, 400);
	pf_buf_add(out, rec->fields[1].ptr, rec->fields[1].len);
	pf_buf_addc(out, '\n');
	return 1;
}

static char *
write_input(struct pf_buf *want)
{
	static char path[64];
	char line[64];
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/tmp/pflow-test-driven-%d.csv",
	    (int)getpid());
	f = fopen(path, "wb");
	fputs("id,value\n", f);
	for (i = 1; i <= RECORDS; i++) {
		fprintf(f, "%d,v%d\n", i, i);
		snprintf(line, sizeof(line), "v%d\n", i);
		pf_buf_adds(want, line);
	}
	fclose(f);
	return path;
}

/* The tool both tests drive: records copied, workers napping. */
static struct pf_tool
nap_tool(void)
{
	return (struct pf_tool){
		.start = nap_start,
		.worker_new = nap_worker_new,
		.worker_free = free,
		.record = nap_record,
	};
}

/*
 * One driven run. take_all: the loop calls pf_engine_next() until it
 * says 0 before it polls (ppartition's way); else it takes at most a
 * few batches per wake-up (pmap's, when its window fills up). Returns
 * whether the output and the status were right.
 */
static bool
drive(const char *path, const struct pf_buf *want, int jobs, size_t chunk,
    int queue, bool take_all, unsigned int seed)
{
	struct pf_options opt;
	struct pf_tool tool = nap_tool();
	char *files[] = { (char *)path };
	struct pf_buf got = { 0 };
	struct pf_batch_info info;
	const struct pf_buf *out;
	struct pf_engine *e;
	struct pollfd pfd;
	bool abandoned, ok;
	int rc = 0, room;

	pf_options_init(&opt);
	opt.jobs = jobs;
	opt.chunk = chunk;
	opt.queue = queue;
	pf_options_finish(&opt);
	e = pf_engine_new(&opt, files, 1, &tool);
	if (pf_engine_start(e) != 0) {
		pf_engine_close(e, &abandoned);
		return false;
	}
	for (;;) {
		room = take_all ? -1 : 1 + (int)(rand_r(&seed) % 3);
		while (room != 0 && (rc = pf_engine_next(e, &info, &out)) > 0) {
			pf_buf_add(&got, out->data, out->len);
			room--;
		}
		if (rc < 0)
			break;
		/* Busy elsewhere: let batches, and the end, get done. */
		if (rand_r(&seed) % 2 == 0)
			nap_us(&seed, 300);
		pfd = (struct pollfd){ .fd = pf_engine_fd(e), .events = POLLIN };
		while (poll(&pfd, 1, -1) < 0)
			;	/* EINTR */
	}
	ok = pf_engine_close(e, &abandoned) == 0 && !abandoned;
	ok = ok && got.len == want->len &&
	    memcmp(got.data, want->data, want->len) == 0;
	if (!ok)
		printf("# -j%d --chunk %zu --queue %d, %s: got %zu bytes of "
		    "%zu\n", jobs, chunk, queue, take_all ? "take all" :
		    "a few at a time", got.len, want->len);
	pf_buf_free(&got);
	return ok;
}

static void
run_many(bool take_all)
{
	static const size_t chunks[] = { 16, 64, 200, 1024 };
	struct pf_buf want = { 0 };
	const char *path = write_input(&want);
	int i;

	for (i = 0; i < RUNS; i++)
		CHECK(drive(path, &want, 1 + i % 4, chunks[i / 4 % 4],
		    2 + i % 5, take_all, (unsigned int)i + 1));
	unlink(path);
	pf_buf_free(&want);
}

static void
test_few_batches_per_wakeup(void)
{
	run_many(false);
}

static void
test_all_batches_per_wakeup(void)
{
	run_many(true);
}

/*
 * A malformed record stops the run in pf_engine_next(), and the loop,
 * which polls after each batch, must hear of it although no batch and
 * no end follows: the input is a pipe that stays open and says nothing.
 */
static void
test_stop_wakes_the_loop(void)
{
	static const char text[] = "a,b\n1,2\n3\n";
	struct pf_options opt;
	struct pf_tool tool = nap_tool();
	char *files[] = { "-" };
	struct pf_buf got = { 0 };
	struct pf_batch_info info;
	const struct pf_buf *out;
	struct pf_engine *e;
	struct pollfd pfd;
	int p[2], saved, rc;
	bool abandoned;

	CHECK(pipe(p) == 0);
	CHECK(write(p[1], text, sizeof(text) - 1) == sizeof(text) - 1);
	saved = dup(STDIN_FILENO);
	dup2(p[0], STDIN_FILENO);
	close(p[0]);
	pf_options_init(&opt);
	opt.jobs = 2;
	pf_options_finish(&opt);
	e = pf_engine_new(&opt, files, 1, &tool);
	CHECK(pf_engine_start(e) == 0);
	pfd = (struct pollfd){ .fd = pf_engine_fd(e), .events = POLLIN };
	while ((rc = pf_engine_next(e, &info, &out)) >= 0) {
		if (rc > 0)
			pf_buf_add(&got, out->data, out->len);
		while (poll(&pfd, 1, -1) < 0)
			;	/* EINTR */
	}
	CHECK_BYTES(got.data, got.len, "2\n");
	close(p[1]);		/* the reader may end now */
	CHECK(pf_engine_close(e, &abandoned) == 1);
	CHECK(!abandoned);
	dup2(saved, STDIN_FILENO);
	close(saved);
	pf_buf_free(&got);
}

int
main(void)
{
	UNIT_RUN(test_few_batches_per_wakeup);
	UNIT_RUN(test_all_batches_per_wakeup);
	UNIT_RUN(test_stop_wakes_the_loop);
	return UNIT_DONE();
}
