/*
 * test_engine.c - the threaded pipeline (engine.c, reader.c): the same
 * output for every -j, --chunk and --queue, records in input order,
 * per-worker state merged at the end, malformed input stopping the run.
 * Also run under ThreadSanitizer (suite "engine").
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine.h"
#include "unit.h"

/* The tool under test: writes "<order-rank>:<field 2>" per record and
 * counts records per worker. */
struct echo_worker {
	uint64_t	records;
};

struct echo {
	struct pf_buf	 captured;	/* everything emitted, in order */
	uint64_t	 total;		/* sum of the workers' counts */
	pthread_mutex_t	 lock;
};

static int
echo_start(void *ctx, const struct pf_schema *schema, struct pf_buf *out)
{
	(void)ctx;
	pf_buf_adds(out, schema->names[1]);
	pf_buf_addc(out, '\n');
	return 0;
}

static void *
echo_worker_new(void *ctx)
{
	(void)ctx;
	return calloc(1, sizeof(struct echo_worker));
}

static uint64_t
echo_record(void *worker, const struct pf_record *rec, struct pf_buf *out)
{
	struct echo_worker *w = worker;

	w->records++;
	pf_buf_add(out, rec->fields[1].ptr, rec->fields[1].len);
	pf_buf_addc(out, '\n');
	return 1;
}

static int
echo_emit(void *ctx, const struct pf_buf *out)
{
	struct echo *e = ctx;

	pthread_mutex_lock(&e->lock);
	pf_buf_add(&e->captured, out->data, out->len);
	pthread_mutex_unlock(&e->lock);
	return 0;
}

static void
echo_finish(void *ctx, void **workers, int n, struct pf_buf *out)
{
	struct echo *e = ctx;
	char line[32];
	int i;

	for (i = 0; i < n; i++)
		e->total += ((struct echo_worker *)workers[i])->records;
	snprintf(line, sizeof(line), "total %llu\n",
	    (unsigned long long)e->total);
	pf_buf_adds(out, line);
}

static int
run_echo(const char *path, int jobs, size_t chunk, int queue,
    struct echo *e)
{
	struct pf_options opt;
	struct pf_tool tool = {
		.ctx = e,
		.start = echo_start,
		.worker_new = echo_worker_new,
		.worker_free = free,
		.record = echo_record,
		.emit = echo_emit,
		.finish = echo_finish,
	};
	char *files[] = { (char *)path };

	memset(e, 0, sizeof(*e));
	pthread_mutex_init(&e->lock, NULL);
	pf_options_init(&opt);
	opt.jobs = jobs;
	opt.chunk = chunk;
	opt.queue = queue;
	pf_options_finish(&opt);
	return pf_run(&opt, files, 1, &tool);
}

static char *
write_temp(const char *text, size_t len)
{
	static char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/pflow-test-engine-%d.csv",
	    (int)getpid());
	f = fopen(path, "wb");
	fwrite(text, 1, len, f);
	fclose(f);
	return path;
}

/* 20,000 records with quoted fields, embedded newlines and CRLF. */
static void
make_input(struct pf_buf *in, struct pf_buf *want)
{
	char line[128];
	int i;

	pf_buf_adds(in, "\xEF\xBB\xBFid,value,note\r\n");
	pf_buf_adds(want, "value\n");
	for (i = 0; i < 20000; i++) {
		switch (i % 4) {
		case 0:
			snprintf(line, sizeof(line), "%d,v%d,plain\n", i, i);
			break;
		case 1:
			snprintf(line, sizeof(line), "%d,\"v%d\",\"two\nlines\"\n",
			    i, i);
			break;
		case 2:
			snprintf(line, sizeof(line), "%d,v%d,\"a \"\"q\"\", b\"\r\n",
			    i, i);
			break;
		default:
			snprintf(line, sizeof(line), "\n%d,v%d,", i, i);
			strcat(line, i == 19999 ? "" : "\n");
		}
		pf_buf_adds(in, line);
		snprintf(line, sizeof(line), "v%d\n", i);
		pf_buf_adds(want, line);
	}
	pf_buf_adds(want, "total 20000\n");
}

static void
test_same_output_for_all_settings(void)
{
	static const struct { int jobs; size_t chunk; int queue; } runs[] = {
		{ 1, 1 << 20, 4 }, { 1, 64, 2 }, { 2, 100, 4 }, { 4, 64, 5 },
		{ 8, 1000, 16 }, { 3, 7, 3 }, { 4, 1 << 16, 8 },
	};
	struct pf_buf in = { 0 }, want = { 0 };
	struct echo e;
	const char *path;
	size_t i;

	make_input(&in, &want);
	path = write_temp(in.data, in.len);
	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		CHECK(run_echo(path, runs[i].jobs, runs[i].chunk, runs[i].queue,
		    &e) == 0);
		CHECK(e.captured.len == want.len);
		CHECK(e.captured.len == want.len &&
		    memcmp(e.captured.data, want.data, want.len) == 0);
		if (e.captured.len != want.len ||
		    memcmp(e.captured.data, want.data, want.len) != 0)
			printf("# differs with -j%d --chunk %zu --queue %d\n",
			    runs[i].jobs, runs[i].chunk, runs[i].queue);
		pf_buf_free(&e.captured);
	}
	unlink(path);
	pf_buf_free(&in);
	pf_buf_free(&want);
}

static void
test_malformed_stops_with_status_1(void)
{
	static const char text[] = "a,b\n1,2\n3\n4,5\n";
	struct echo e;
	const char *path = write_temp(text, sizeof(text) - 1);

	/* Output before the bad record is written; finish() is skipped. */
	CHECK(run_echo(path, 2, 4, 4, &e) == 1);
	CHECK_BYTES(e.captured.data, e.captured.len, "b\n2\n");
	pf_buf_free(&e.captured);
	unlink(path);
}

static void
test_empty_and_header_only(void)
{
	struct echo e;
	const char *path = write_temp("", 0);

	CHECK(run_echo(path, 2, 64, 4, &e) == 0);
	CHECK(e.captured.len == 0);
	pf_buf_free(&e.captured);
	path = write_temp("a,b", 3);
	CHECK(run_echo(path, 2, 64, 4, &e) == 0);
	CHECK_BYTES(e.captured.data, e.captured.len, "b\ntotal 0\n");
	pf_buf_free(&e.captured);
	unlink(path);
}

/* A record much larger than a batch grows the batch. */
static void
test_record_larger_than_batch(void)
{
	struct pf_buf in = { 0 }, want = { 0 };
	struct echo e;
	const char *path;
	size_t i;

	pf_buf_adds(&in, "a,b\n1,\"");
	pf_buf_adds(&want, "b\n");
	for (i = 0; i < 300000; i++)
		pf_buf_addc(&in, i % 1000 == 999 ? '\n' : 'x');
	pf_buf_add(&want, in.data + 7, in.len - 7);
	pf_buf_adds(&in, "\"\n2,y\n");
	pf_buf_adds(&want, "\ny\ntotal 2\n");
	path = write_temp(in.data, in.len);
	CHECK(run_echo(path, 2, 1024, 4, &e) == 0);
	CHECK(e.captured.len == want.len &&
	    memcmp(e.captured.data, want.data, want.len) == 0);
	pf_buf_free(&e.captured);
	pf_buf_free(&in);
	pf_buf_free(&want);
	unlink(path);
}

/* A tool that notes, in order, where each count trigger falls; its
 * worker state is a record counter. */
struct trig_worker {
	uint64_t	seen;
};

static void *
trig_batch_end(void *worker)
{
	struct trig_worker *w = worker;
	uint64_t *n = malloc(sizeof(*n));

	*n = w->seen;		/* records since the last batch_end */
	w->seen = 0;
	return n;
}

static uint64_t
trig_record(void *worker, const struct pf_record *rec, struct pf_buf *out)
{
	(void)rec;
	(void)out;
	((struct trig_worker *)worker)->seen++;
	return 0;
}

static void
trig_batch_result(void *ctx, void *result, const struct pf_batch_info *info,
    struct pf_buf *out)
{
	uint64_t *n = result, *total = ctx;
	char line[32];

	if (n != NULL) {
		*total += *n;
		free(n);
	}
	if (out != NULL && pf_batch_at_trigger(info->ended)) {
		snprintf(line, sizeof(line), "%llu/%llu ",
		    (unsigned long long)(info->first_record + info->records - 1),
		    (unsigned long long)*total);
		pf_buf_adds(out, line);
	}
}

static int
trig_start(void *ctx, const struct pf_schema *schema, struct pf_buf *out)
{
	(void)ctx;
	(void)schema;
	(void)out;
	return 0;
}

/* Count triggers fall on exact record numbers for every batch size. */
static void
test_count_triggers(void)
{
	struct pf_buf in = { 0 };
	char line[64], outpath[64];
	const char *path;
	uint64_t total;
	int i, saved, fd, jobs;
	FILE *f;

	pf_buf_adds(&in, "a,b\n");
	for (i = 1; i <= 100; i++) {
		snprintf(line, sizeof(line), i % 10 == 0 ?
		    "%d,\"x\ny\"\n\n" : "%d,x\r\n", i);
		pf_buf_adds(&in, line);
	}
	path = write_temp(in.data, in.len);
	snprintf(outpath, sizeof(outpath), "%s.out", path);
	for (jobs = 1; jobs <= 4; jobs += 3) {
		struct pf_options opt;
		struct pf_tool tool = {
			.ctx = &total,
			.start = trig_start,
			.record = trig_record,
			.batch_end = trig_batch_end,
			.batch_result = trig_batch_result,
			.every_records = 7,
		};
		char *files[] = { (char *)path };
		char got[512] = "";
		size_t n;

		total = 0;
		tool.worker_new = echo_worker_new;	/* a zeroed counter */
		tool.worker_free = free;
		pf_options_init(&opt);
		opt.jobs = jobs;
		opt.chunk = 50;
		pf_options_finish(&opt);
		fflush(stdout);
		saved = dup(STDOUT_FILENO);
		fd = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, STDOUT_FILENO);
		close(fd);
		CHECK(pf_run(&opt, files, 1, &tool) == 0);
		dup2(saved, STDOUT_FILENO);
		close(saved);
		f = fopen(outpath, "r");
		n = fread(got, 1, sizeof(got) - 1, f);
		got[n] = '\0';
		fclose(f);
		CHECK_STR(got, "7/7 14/14 21/21 28/28 35/35 42/42 49/49 56/56 "
		    "63/63 70/70 77/77 84/84 91/91 98/98 ");
		CHECK(total == 100);
	}
	unlink(outpath);
	unlink(path);
	pf_buf_free(&in);
}

/*
 * Turns (pf_tool.in_order): in_order numbers each batch's records with a
 * counter that no lock guards (the turns order its uses; TSan checks
 * it), after_order writes "N:value" lines into the batch's output.
 */
struct turn_batch {
	struct pf_buf	 values;	/* field 2 of each record, LF after */
	uint64_t	 n, first;
};

struct turn_worker {
	struct turn_batch	*b;
	uint64_t		*next;	/* the shared counter */
};

/* The tool's ctx: the capture first, as echo_emit() takes it. */
struct turn_ctx {
	struct echo	 e;
	uint64_t	 next;
};

static void *
turn_worker_new(void *ctx)
{
	struct turn_worker *w = calloc(1, sizeof(*w));

	w->next = &((struct turn_ctx *)ctx)->next;
	return w;
}

static uint64_t
turn_record(void *worker, const struct pf_record *rec, struct pf_buf *out)
{
	struct turn_worker *w = worker;

	(void)out;
	if (w->b == NULL)
		w->b = calloc(1, sizeof(*w->b));
	pf_buf_add(&w->b->values, rec->fields[1].ptr, rec->fields[1].len);
	pf_buf_addc(&w->b->values, '\n');
	w->b->n++;
	return 0;
}

static void *
turn_batch_end(void *worker)
{
	struct turn_worker *w = worker;
	struct turn_batch *b = w->b;

	w->b = NULL;
	return b;
}

static void
turn_in_order(void *worker, void *result)
{
	struct turn_worker *w = worker;
	struct turn_batch *b = result;

	b->first = *w->next;
	*w->next += b->n;
}

static bool
turn_after_order(void *worker, void *result, struct pf_buf *out)
{
	struct turn_batch *b = result;
	const char *p = b->values.data, *lf;
	char num[32];
	uint64_t i;

	(void)worker;
	for (i = 0; i < b->n; i++, p = lf + 1) {
		lf = memchr(p, '\n', b->values.len - (size_t)(p -
		    b->values.data));
		snprintf(num, sizeof(num), "%llu:",
		    (unsigned long long)(b->first + i + 1));
		pf_buf_adds(out, num);
		pf_buf_add(out, p, (size_t)(lf - p) + 1);
	}
	return false;	/* batch_result frees it */
}

static void
turn_batch_result(void *ctx, void *result, const struct pf_batch_info *info,
    struct pf_buf *out)
{
	struct turn_batch *b = result;

	(void)ctx;
	(void)info;
	(void)out;
	if (b != NULL) {
		pf_buf_free(&b->values);
		free(b);
	}
}

static void
turn_worker_free(void *worker)
{
	struct turn_worker *w = worker;

	turn_batch_result(NULL, w->b, NULL, NULL);
	free(w);
}

/* Every record numbered in input order, whatever -j, --chunk, --queue. */
static void
test_turns_in_order(void)
{
	static const struct { int jobs; size_t chunk; int queue; } runs[] = {
		{ 1, 1 << 20, 4 }, { 2, 100, 4 }, { 4, 64, 5 }, { 8, 7, 16 },
	};
	struct pf_buf in = { 0 }, want = { 0 }, ignored = { 0 };
	struct turn_ctx t;
	char line[64];
	const char *path;
	size_t r;
	int i;

	make_input(&in, &ignored);
	for (i = 0; i < 20000; i++) {
		snprintf(line, sizeof(line), "%d:v%d\n", i + 1, i);
		pf_buf_adds(&want, line);
	}
	path = write_temp(in.data, in.len);
	for (r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
		struct pf_options opt;
		struct pf_tool tool = {
			.ctx = &t,
			.start = trig_start,
			.worker_new = turn_worker_new,
			.worker_free = turn_worker_free,
			.record = turn_record,
			.emit = echo_emit,
			.batch_end = turn_batch_end,
			.batch_result = turn_batch_result,
			.in_order = turn_in_order,
			.after_order = turn_after_order,
		};
		char *files[] = { (char *)path };

		memset(&t, 0, sizeof(t));
		pthread_mutex_init(&t.e.lock, NULL);
		pf_options_init(&opt);
		opt.jobs = runs[r].jobs;
		opt.chunk = runs[r].chunk;
		opt.queue = runs[r].queue;
		pf_options_finish(&opt);
		CHECK(pf_run(&opt, files, 1, &tool) == 0);
		CHECK(t.e.captured.len == want.len &&
		    memcmp(t.e.captured.data, want.data, want.len) == 0);
		CHECK(t.next == 20000);
		pf_buf_free(&t.e.captured);
		pthread_mutex_destroy(&t.e.lock);
	}
	unlink(path);
	pf_buf_free(&in);
	pf_buf_free(&want);
	pf_buf_free(&ignored);
}

int
main(void)
{
	UNIT_RUN(test_same_output_for_all_settings);
	UNIT_RUN(test_malformed_stops_with_status_1);
	UNIT_RUN(test_empty_and_header_only);
	UNIT_RUN(test_record_larger_than_batch);
	UNIT_RUN(test_count_triggers);
	UNIT_RUN(test_turns_in_order);
	return UNIT_DONE();
}
