/*
 * compat.c - stand-ins for the Linux and glibc calls a system lacks (see
 * compat.h); on Linux with glibc only pf_qsort_r() and pf_self_exe()
 * are compiled, and both call the system's own.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __APPLE__
#include <mach-o/dyld.h>
#endif
#if defined(__FreeBSD__) || defined(__DragonFly__)
#include <sys/sysctl.h>
#endif

#include "support/compat.h"

#if !PF_HAVE_MEMRCHR
void *
memrchr(const void *s, int c, size_t n)
{
	const unsigned char *p = (const unsigned char *)s + n;

	while (p > (const unsigned char *)s)
		if (*--p == (unsigned char)c)
			return (void *)(uintptr_t)p;
	return NULL;
}
#endif

#if !PF_HAVE_PIPE2
int
pipe2(int fd[2], int flags)
{
	int i;

	if (pipe(fd) != 0)
		return -1;
	for (i = 0; i < 2; i++)
		if (((flags & O_CLOEXEC) &&
		    fcntl(fd[i], F_SETFD, FD_CLOEXEC) != 0) ||
		    ((flags & O_NONBLOCK) && fcntl(fd[i], F_SETFL,
		    fcntl(fd[i], F_GETFL) | O_NONBLOCK) != 0)) {
			close(fd[0]);
			close(fd[1]);
			return -1;
		}
	return 0;
}
#endif

#if !PF_HAVE_EXECVPE
int
execvpe(const char *file, char *const argv[], char *const envp[])
{
	const char *path = getenv("PATH"), *dir, *colon;
	char full[PATH_MAX];
	size_t len;
	int saved = ENOENT;

	if (strchr(file, '/') != NULL)
		return execve(file, argv, envp);
	for (dir = path ? path : "/usr/bin:/bin"; ; dir = colon + 1) {
		colon = strchr(dir, ':');
		len = colon ? (size_t)(colon - dir) : strlen(dir);
		if ((size_t)snprintf(full, sizeof(full), "%.*s%s%s", (int)len,
		    dir, len ? "/" : "", file) < sizeof(full)) {
			execve(full, argv, envp);
			if (errno != ENOENT && errno != ENOTDIR)
				saved = errno;
		}
		if (colon == NULL)
			break;
	}
	errno = saved;
	return -1;
}
#endif

#if !PF_HAVE_SPLICE
ssize_t
splice(int in, off_t *in_off, int out, off_t *out_off, size_t len,
    unsigned flags)
{
	(void)in, (void)in_off, (void)out, (void)out_off, (void)len;
	(void)flags;
	errno = EINVAL;
	return -1;
}
#endif

#if !PF_HAVE_PTHREAD_TIMEDJOIN_NP
int
pthread_timedjoin_np(pthread_t t, void **ret, const struct timespec *until)
{
	(void)until;
	return pthread_join(t, ret);
}
#endif

#if !PF_HAVE_PROGRAM_INVOCATION_SHORT_NAME
const char *
pf_program_name(void)
{
#if PF_HAVE_GETPROGNAME
	return getprogname();
#else
	return "pflow";
#endif
}
#endif

#if !PF_HAVE_GNU_QSORT_R
/* Heap sort: in place, no allocation, O(n log n) whatever the input. */
static void
swap_items(char *a, char *b, size_t size)
{
	char t;

	while (size-- > 0) {
		t = *a;
		*a++ = *b;
		*b++ = t;
	}
}

static void
sift_down(char *base, size_t root, size_t n, size_t size,
    int (*cmp)(const void *, const void *, void *), void *arg)
{
	size_t child;

	while ((child = 2 * root + 1) < n) {
		if (child + 1 < n && cmp(base + child * size,
		    base + (child + 1) * size, arg) < 0)
			child++;
		if (cmp(base + root * size, base + child * size, arg) >= 0)
			return;
		swap_items(base + root * size, base + child * size, size);
		root = child;
	}
}
#endif

void
pf_qsort_r(void *base, size_t n, size_t size,
    int (*cmp)(const void *, const void *, void *), void *arg)
{
#if PF_HAVE_GNU_QSORT_R
	qsort_r(base, n, size, cmp, arg);
#else
	char *b = base;
	size_t i;

	for (i = n / 2; i-- > 0;)
		sift_down(b, i, n, size, cmp, arg);
	for (i = n; i-- > 1;) {
		swap_items(b, b + i * size, size);
		sift_down(b, 0, i, size, cmp, arg);
	}
#endif
}

int
pf_self_exe(char *buf, size_t size)
{
	static const char *const links[] = { "/proc/self/exe",
	    "/proc/curproc/exe", "/proc/curproc/file" };
	ssize_t n;
	size_t i;

	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if ((n = readlink(links[i], buf, size - 1)) >= 0) {
			if ((size_t)n == size - 1) {
				errno = ENAMETOOLONG;
				return -1;
			}
			buf[n] = '\0';
			return 0;
		}
#ifdef __APPLE__
	{
		uint32_t len = (uint32_t)size;

		if (_NSGetExecutablePath(buf, &len) == 0)
			return 0;
		errno = ENAMETOOLONG;
		return -1;
	}
#elif defined(__FreeBSD__) || defined(__DragonFly__)
	{
		int mib[4] = { CTL_KERN, KERN_PROC, KERN_PROC_PATHNAME, -1 };
		size_t len = size;

		return sysctl(mib, 4, buf, &len, NULL, 0);
	}
#else
	errno = ENOSYS;
	return -1;
#endif
}
