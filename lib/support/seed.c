/*
 * seed.c - fresh seeds (see seed.h): the system's random bytes, with a
 * fallback that still differs from run to run.
 */
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "support/seed.h"

/* splitmix64's finalizer: every input bit moves every output bit. */
static uint64_t
mix(uint64_t x)
{
	x += UINT64_C(0x9e3779b97f4a7c15);
	x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

/* Reads 8 random bytes into *out; returns whether it could. */
static int
urandom(uint64_t *out)
{
	unsigned char *p = (unsigned char *)out;
	size_t got = 0;
	ssize_t n;
	int fd;

	if ((fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	while (got < sizeof(*out)) {
		n = read(fd, p + got, sizeof(*out) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	return got == sizeof(*out);
}

uint64_t
pf_seed_draw(void)
{
	static uint64_t counter;
	struct timespec ts;
	uint64_t seed;

	if (urandom(&seed))
		return seed;
	clock_gettime(CLOCK_REALTIME, &ts);
	seed = mix((uint64_t)ts.tv_sec * UINT64_C(1000000000) +
	    (uint64_t)ts.tv_nsec);
	seed = mix(seed ^ (uint64_t)getpid());
	return mix(seed ^ ++counter);
}
