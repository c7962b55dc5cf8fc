/*
 * driver.c - a small stand-in for libFuzzer, so that the fuzz targets run
 * in every build (gcc, AddressSanitizer) as `meson test --suite
 * fuzz-smoke`, where clang's -fsanitize=fuzzer is not available.
 *
 *	fuzz_X [-t SECONDS] [-s SEED] [-m MAXLEN] CORPUS...
 *
 * Every file of the CORPUS directories (or CORPUS files) is run once;
 * then random mutations of them (bit flips, interesting bytes, inserted
 * CSV and expression tokens, erased, duplicated and spliced ranges) run
 * until SECONDS have passed ($PF_FUZZ_SECONDS if set, else -t, else 10,
 * so that `PF_FUZZ_SECONDS=600 meson test --suite fuzz-smoke` runs long).
 * There is no coverage feedback; mutants are kept in a small pool and
 * mutated again, which reaches past the first layer of the seeds. The
 * seed is printed, and -s replays the same sequence.
 *
 * A crash (a signal, including the abort() of a failed invariant or of a
 * sanitizer) or an input that runs longer than 10 seconds writes the
 * input to fuzz-crash-PID (in $PF_FUZZ_ARTIFACTS, else the current
 * directory) and names it on stderr, so it can be replayed: fuzz_X FILE.
 */
#include <dirent.h>
#include <errno.h>
#include <err.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HANG_SECONDS	10
#define POOL		256

struct input {
	uint8_t	*data;
	size_t	 len;
};

static struct input *corpus;
static size_t ncorpus, corpus_cap;
static struct input pool[POOL];
static size_t npool;

/* The input being run, for the crash handler. */
static const uint8_t *volatile current;
static volatile size_t current_len;
static char artifact[4096];

static const char *const tokens[] = {
	"\"", "\"\"", ",", ";", "\t", "\n", "\r\n", "\r", "\xef\xbb\xbf",
	"\xff", "\xc3", "\xe2\x82\xac", "\0", " ", "$0", "$1", "$3", "{",
	"}", "{elevation ft}", "(", ")", "==", "!=", "<=", ">=", "=~", "!~",
	"&&", "||", " and ", " or ", "not ", " in (", "?", ":", ".", "+",
	"-", "*", "/", "%", "!", "/a+/i", "//", "/(a|b)*c/", "'x'",
	"\"\\\"\"", "\\", "1e308", "-9223372036854775808",
	"9223372036854775807", "0.1", "-0", "a", "b", "name", "when",
	"len(", "lower(", "upper(", "trim(", "substr(", "replace(", "num(",
	"int(", "round(", "floor(", "ceil(", "abs(", "min(", "max(",
	"isnum(", "isempty(", "coalesce(", "time(", "strftime(", "%Y-%m-%d",
	"true", "false", "x = ", "*",
};

/* Sanitizers report and exit without a signal: they call this first. */
void __sanitizer_set_death_callback(void (*callback)(void))
    __attribute__((weak));

static uint64_t rng;

static uint64_t
next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static size_t
below(size_t n)
{
	return n ? (size_t)(next_random() % n) : 0;
}

static void
write_artifact(void)
{
	const uint8_t *p = current;
	size_t len = current_len, off = 0;
	ssize_t n;
	int fd;

	if (p == NULL)
		return;
	fd = open(artifact, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return;
	while (off < len && (n = write(fd, p + off, len - off)) > 0)
		off += (size_t)n;
	close(fd);
	(void)!write(STDERR_FILENO, "fuzz: input written to ", 23);
	(void)!write(STDERR_FILENO, artifact, strlen(artifact));
	(void)!write(STDERR_FILENO, "\n", 1);
}

static void
on_crash(int sig)
{
	write_artifact();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
on_alarm(int sig)
{
	(void)sig;
	(void)!write(STDERR_FILENO, "fuzz: an input ran too long\n", 28);
	write_artifact();
	_exit(1);
}

static void
run(const uint8_t *data, size_t len)
{
	/* A private copy of exactly len bytes, as libFuzzer gives. */
	uint8_t *copy = malloc(len ? len : 1);

	if (copy == NULL)
		err(1, "malloc");
	if (len)
		memcpy(copy, data, len);
	current = copy;
	current_len = len;
	alarm(HANG_SECONDS);
	LLVMFuzzerTestOneInput(copy, len);
	alarm(0);
	current = NULL;
	free(copy);
}

static void
add_file(const char *path, size_t maxlen)
{
	struct input in = { 0 };
	size_t cap = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY)) < 0)
		err(1, "%s", path);
	for (;;) {
		if (in.len == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((in.data = realloc(in.data, cap)) == NULL)
				err(1, "realloc");
		}
		if ((n = read(fd, in.data + in.len, cap - in.len)) < 0)
			err(1, "%s", path);
		if (n == 0)
			break;
		in.len += (size_t)n;
	}
	close(fd);
	run(in.data, in.len);		/* every seed whole, once */
	if (in.len > maxlen)
		in.len = maxlen;
	if (ncorpus == corpus_cap) {
		corpus_cap = corpus_cap ? corpus_cap * 2 : 64;
		if ((corpus = realloc(corpus, corpus_cap * sizeof(*corpus))) ==
		    NULL)
			err(1, "realloc");
	}
	corpus[ncorpus++] = in;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the files of a directory in name order, or a single file. */
static void
add_path(const char *path, size_t maxlen)
{
	struct dirent *de;
	struct stat st;
	char **names = NULL, full[4096];
	size_t n = 0, i;
	DIR *dir;

	if (stat(path, &st) != 0)
		err(1, "%s", path);
	if (!S_ISDIR(st.st_mode)) {
		add_file(path, maxlen);
		return;
	}
	if ((dir = opendir(path)) == NULL)
		err(1, "%s", path);
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((names = realloc(names, (n + 1) * sizeof(*names))) == NULL ||
		    (names[n] = strdup(de->d_name)) == NULL)
			err(1, "malloc");
		n++;
	}
	closedir(dir);
	qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i < n; i++) {
		snprintf(full, sizeof(full), "%s/%s", path, names[i]);
		if (stat(full, &st) == 0 && S_ISREG(st.st_mode))
			add_file(full, maxlen);
		free(names[i]);
	}
	free(names);
}

/* Inserts n bytes at position at of b (which has room for maxlen). */
static void
insert(uint8_t *b, size_t *len, size_t maxlen, size_t at, const void *p,
    size_t n)
{
	if (*len + n > maxlen)
		n = maxlen - *len;
	memmove(b + at + n, b + at, *len - at);
	memcpy(b + at, p, n);
	*len += n;
}

/* One random change to b[0..*len), which has room for maxlen bytes. */
static void
mutate_once(uint8_t *b, size_t *len, size_t maxlen)
{
	static const uint8_t special[] = { '"', ',', '\n', '\r', '\t', ';',
	    0, 0xff, 0x80, ' ', '$', '(', ')', '{', '}', '/', '\\', '0', '9',
	    '-', '.', 'e' };
	const struct input *other;
	size_t at = below(*len + 1), n, from;
	const char *tok;
	uint8_t byte;

	switch (below(8)) {
	case 0:		/* flip a bit */
		if (*len)
			b[below(*len)] ^= (uint8_t)(1u << below(8));
		break;
	case 1:		/* an interesting byte, over or in */
		byte = special[below(sizeof(special))];
		if (*len && below(2))
			b[below(*len)] = byte;
		else
			insert(b, len, maxlen, at, &byte, 1);
		break;
	case 2:		/* a token */
		tok = tokens[below(sizeof(tokens) / sizeof(tokens[0]))];
		insert(b, len, maxlen, at, tok, tok[0] ? strlen(tok) : 1);
		break;
	case 3:		/* erase a range */
		if (*len) {
			at = below(*len);
			n = 1 + below(*len - at < 16 ? *len - at : 16);
			memmove(b + at, b + at + n, *len - at - n);
			*len -= n;
		}
		break;
	case 4:		/* duplicate a range */
		if (*len) {
			from = below(*len);
			n = 1 + below(*len - from < 64 ? *len - from : 64);
			uint8_t tmp[64];
			memcpy(tmp, b + from, n);
			insert(b, len, maxlen, at, tmp, n);
		}
		break;
	case 5:		/* splice in a range of another input */
		other = &corpus[below(ncorpus)];
		if (other->len) {
			from = below(other->len);
			n = 1 + below(other->len - from < 256 ?
			    other->len - from : 256);
			insert(b, len, maxlen, at, other->data + from, n);
		}
		break;
	case 6:		/* truncate */
		*len = at;
		break;
	default:	/* a random byte */
		if (*len)
			b[below(*len)] = (uint8_t)next_random();
		break;
	}
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
usage(void)
{
	fprintf(stderr, "usage: %s [-t SECONDS] [-s SEED] [-m MAXLEN] "
	    "CORPUS...\n", program_invocation_short_name);
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *env, *dir;
	double seconds = 10, start;
	size_t maxlen = 4096, len, i, k, runs = 0;
	uint64_t seed = 0;
	uint8_t *b;
	int c;

	while ((c = getopt(argc, argv, "t:s:m:")) != -1) {
		switch (c) {
		case 't': seconds = atof(optarg); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'm': maxlen = strtoul(optarg, NULL, 0); break;
		default: usage();
		}
	}
	/* The environment wins, so that a test's -t can be lengthened. */
	if ((env = getenv("PF_FUZZ_SECONDS")) != NULL)
		seconds = atof(env);
	argc -= optind;
	argv += optind;
	if (argc == 0 || maxlen == 0)
		usage();
	if ((dir = getenv("PF_FUZZ_ARTIFACTS")) == NULL)
		dir = ".";
	snprintf(artifact, sizeof(artifact), "%s/fuzz-crash-%ld", dir,
	    (long)getpid());
	signal(SIGSEGV, on_crash);
	signal(SIGBUS, on_crash);
	signal(SIGABRT, on_crash);
	signal(SIGFPE, on_crash);
	signal(SIGILL, on_crash);
	signal(SIGALRM, on_alarm);
	if (__sanitizer_set_death_callback != NULL)
		__sanitizer_set_death_callback(write_artifact);
	if (seed == 0)
		seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	rng = seed | 1;

	for (i = 0; i < (size_t)argc; i++)
		add_path(argv[i], maxlen);
	if (ncorpus == 0) {	/* an empty directory: start from nothing */
		if ((corpus = calloc(1, sizeof(*corpus))) == NULL ||
		    (corpus[0].data = malloc(1)) == NULL)
			err(1, "malloc");
		ncorpus = 1;
	}
	printf("%s: %zu seeds replayed; mutating for %g s, seed %llu "
	    "(-s to replay)\n", program_invocation_short_name, ncorpus, seconds,
	    (unsigned long long)seed);
	fflush(stdout);

	if ((b = malloc(maxlen)) == NULL)
		err(1, "malloc");
	start = now();
	while (now() - start < seconds) {
		for (k = 0; k < 100; k++, runs++) {
			const struct input *base = npool && below(2) ?
			    &pool[below(npool)] : &corpus[below(ncorpus)];

			len = base->len < maxlen ? base->len : maxlen;
			memcpy(b, base->data, len);
			for (i = 1 + below(4); i > 0; i--)
				mutate_once(b, &len, maxlen);
			run(b, len);
			if (below(8) == 0) {	/* keep some mutants */
				struct input *slot = npool < POOL ?
				    &pool[npool++] : &pool[below(POOL)];

				free(slot->data);
				slot->data = malloc(len ? len : 1);
				memcpy(slot->data, b, len);
				slot->len = len;
			}
		}
	}
	printf("%s: %zu mutated inputs in %.1f s, no failure\n",
	    program_invocation_short_name, runs, now() - start);

	free(b);
	for (i = 0; i < npool; i++)
		free(pool[i].data);
	for (i = 0; i < ncorpus; i++)
		free(corpus[i].data);
	free(corpus);
	return 0;
}
