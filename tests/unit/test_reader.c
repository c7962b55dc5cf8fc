/*
 * test_reader.c - the reader's batches (reader.c): where each one ends
 * and why (pf_reader.ended): full, idle input past --flush, a count
 * trigger, a time trigger, the end of an operand; on regular files,
 * byte ranges and pipes.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv/reader.h"
#include "unit.h"

static const struct pf_dialect csv = { .format = PF_CSV, .delim = ',',
	.header = true };

static const char *
write_temp(int n, const char *text)
{
	static char path[2][64];
	FILE *f;

	snprintf(path[n], sizeof(path[n]), "/tmp/pflow-test-reader-%d-%d.csv",
	    (int)getpid(), n);
	f = fopen(path[n], "wb");
	fputs(text, f);
	fclose(f);
	return path[n];
}

/* Starts r; checks the header is "head". */
static void
start(struct pf_reader *r)
{
	struct pf_schema schema;

	CHECK(pf_reader_start(r, &schema) == 1);
	CHECK(schema.nfields == 1 && strcmp(schema.names[0], "head") == 0);
	pf_schema_free(&schema);
}

/* Fills the next batch; checks its bytes, its operand and why it ended. */
static void
expect_batch(struct pf_reader *r, struct pf_buf *in, const char *bytes,
    int file, enum pf_batch_end ended)
{
	int got_file = -1;

	CHECK(pf_reader_fill(r, in, &got_file) == 1);
	CHECK_BYTES(in->data, in->len, bytes);
	CHECK(in->data[in->len] == '\n');	/* the sentinel */
	CHECK(got_file == file);
	if (r->ended != ended)
		printf("# ended %d, want %d\n", (int)r->ended, (int)ended);
	CHECK(r->ended == ended);
}

static void
expect_end(struct pf_reader *r, struct pf_buf *in)
{
	int file;

	CHECK(pf_reader_fill(r, in, &file) == 0);
}

/*
 * A batch of chunk bytes (here read 20 at a time) ends at its last record
 * boundary (full); a file's last batch at its end, and the next file
 * starts a new batch.
 */
static void
test_full_and_file_end(void)
{
	static const char *rec8 = "1234567\n", *four =
	    "1234567\n1234567\n1234567\n1234567\n";
	char *paths[2];
	struct pf_reader r;
	struct pf_buf in = { 0 }, text = { 0 };
	off_t offset;
	int i;

	pf_buf_adds(&text, "head\n");
	for (i = 0; i < 10; i++)
		pf_buf_adds(&text, rec8);
	pf_buf_adds(&text, "9\n");
	pf_buf_addc(&text, '\0');
	paths[0] = (char *)write_temp(0, text.data);
	paths[1] = (char *)write_temp(1, "head\nx\n");
	pf_reader_init(&r, &csv, paths, 2, 20, 0);
	start(&r);
	/* 15 bytes read with the header, 20 more: 4 records. */
	expect_batch(&r, &in, four, 0, PF_BATCH_FULL);
	expect_batch(&r, &in, four + 16, 0, PF_BATCH_FULL);
	expect_batch(&r, &in, four + 8, 0, PF_BATCH_FULL);
	expect_batch(&r, &in, "1234567\n9\n", 0, PF_BATCH_FILE_END);
	expect_batch(&r, &in, "x\n", 1, PF_BATCH_FILE_END);
	expect_end(&r, &in);
	pf_reader_free(&r);

	/* As byte ranges, scanned 20 bytes at a time: in stays empty. */
	pf_reader_init(&r, &csv, paths, 2, 20, 0);
	r.ranges = true;
	start(&r);
	for (offset = 5; offset < 5 + 64; offset += 16) {
		expect_batch(&r, &in, "", 0, PF_BATCH_FULL);
		CHECK(r.batch_offset == offset && r.batch_len == 16);
	}
	expect_batch(&r, &in, "", 0, PF_BATCH_FILE_END);
	CHECK(r.batch_offset == offset && r.batch_len == 18);
	expect_batch(&r, &in, "", 1, PF_BATCH_FILE_END);
	CHECK(r.batch_offset == 5 && r.batch_len == 2);
	expect_end(&r, &in);
	pf_reader_free(&r);
	pf_buf_free(&in);
	pf_buf_free(&text);
	unlink(paths[0]);
	unlink(paths[1]);
}

/* Every 2 records a count trigger, also where the file ends anyway. */
static void
test_count_trigger(void)
{
	char *path = (char *)write_temp(0, "head\n1\n\"2\n\"\n3\n4\n5\n");
	struct pf_reader r;
	struct pf_buf in = { 0 };

	pf_reader_init(&r, &csv, &path, 1, 1 << 20, 0);
	r.every_records = 2;
	start(&r);
	expect_batch(&r, &in, "1\n\"2\n\"\n", 0, PF_BATCH_COUNT);
	expect_batch(&r, &in, "3\n4\n", 0, PF_BATCH_COUNT);
	expect_batch(&r, &in, "5\n", 0, PF_BATCH_FILE_END);
	expect_end(&r, &in);
	pf_reader_free(&r);
	pf_buf_free(&in);
	unlink(path);
}

/*
 * Reads stdin from a pipe that the test writes into itself: returns its
 * write end; *saved is the old stdin, for restore_stdin().
 */
static int
pipe_stdin(int *saved, const char *first)
{
	int fds[2];

	CHECK(pipe(fds) == 0);
	*saved = dup(STDIN_FILENO);
	dup2(fds[0], STDIN_FILENO);
	close(fds[0]);
	CHECK(write(fds[1], first, strlen(first)) == (ssize_t)strlen(first));
	return fds[1];
}

static void
restore_stdin(int saved)
{
	dup2(saved, STDIN_FILENO);
	close(saved);
}

/*
 * A pipe whose writer pauses: after --flush what is complete goes (idle),
 * the partial record stays; then the rest, when the pipe ends.
 */
static void
test_idle(void)
{
	struct pf_reader r;
	struct pf_buf in = { 0 };
	int saved, w;

	w = pipe_stdin(&saved, "head\n1\n2\n3");
	pf_reader_init(&r, &csv, NULL, 0, 1 << 20, 20);
	start(&r);
	expect_batch(&r, &in, "1\n2\n", 0, PF_BATCH_IDLE);
	CHECK(write(w, "4\n5\n", 4) == 4);
	expect_batch(&r, &in, "34\n5\n", 0, PF_BATCH_IDLE);
	CHECK(write(w, "6\n", 2) == 2);
	close(w);
	expect_batch(&r, &in, "6\n", 0, PF_BATCH_FILE_END);
	expect_end(&r, &in);
	pf_reader_free(&r);
	pf_buf_free(&in);
	restore_stdin(saved);
}

/*
 * A time trigger on a silent pipe ends an empty batch; on one with
 * input, a batch of what is complete; it ends at a count trigger when
 * one falls in it.
 */
static void
test_time_trigger(void)
{
	struct pf_reader r;
	struct pf_buf in = { 0 };
	int saved, w;

	w = pipe_stdin(&saved, "head\n");
	pf_reader_init(&r, &csv, NULL, 0, 1 << 20, -1);
	r.every_ms = 100;
	r.every_records = 3;
	start(&r);
	expect_batch(&r, &in, "", 0, PF_BATCH_TIME);
	CHECK(write(w, "1\n2\n3", 5) == 5);
	expect_batch(&r, &in, "1\n2\n", 0, PF_BATCH_TIME);
	CHECK(write(w, "\n4\n", 3) == 3);
	expect_batch(&r, &in, "3\n", 0, PF_BATCH_COUNT);
	expect_batch(&r, &in, "4\n", 0, PF_BATCH_TIME);
	close(w);
	expect_end(&r, &in);
	pf_reader_free(&r);
	pf_buf_free(&in);
	restore_stdin(saved);
}

int
main(void)
{
	UNIT_RUN(test_full_and_file_end);
	UNIT_RUN(test_count_trigger);
	UNIT_RUN(test_idle);
	UNIT_RUN(test_time_trigger);
	return UNIT_DONE();
}
