/*
 * compat.h - the Linux and glibc calls pflow uses, on every system.
 *
 * meson checks for each one (config.h, PF_HAVE_*); where the system
 * lacks it, compat.c supplies a stand-in under the same name, so that
 * callers are written once for Linux and include this header:
 *   memrchr        a byte loop from the end
 *   pipe2          pipe() then fcntl() for O_CLOEXEC and O_NONBLOCK
 *   execvpe        the PATH search of execvp() with envp as environment
 *   splice         fails with EINVAL: callers copy through a buffer
 *   pthread_timedjoin_np
 *                  waits without the deadline (pthread_join)
 *   program_invocation_short_name
 *                  getprogname() where there is one, else "pflow"
 * Two have no same-name stand-in: pf_qsort_r() (glibc's argument order
 * everywhere; BSD's qsort_r takes them in another order) and
 * pf_self_exe() (/proc/self/exe, and the BSD and macOS ways).
 */
#ifndef PF_COMPAT_H
#define PF_COMPAT_H

#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "config.h"

/* tests/unit/test_compat.c builds every stand-in, whatever the system. */
#ifdef PF_COMPAT_FALLBACKS
#undef PF_HAVE_MEMRCHR
#undef PF_HAVE_PIPE2
#undef PF_HAVE_EXECVPE
#undef PF_HAVE_SPLICE
#undef PF_HAVE_PTHREAD_TIMEDJOIN_NP
#undef PF_HAVE_PROGRAM_INVOCATION_SHORT_NAME
#undef PF_HAVE_GNU_QSORT_R
#define PF_HAVE_MEMRCHR 0
#define PF_HAVE_PIPE2 0
#define PF_HAVE_EXECVPE 0
#define PF_HAVE_SPLICE 0
#define PF_HAVE_PTHREAD_TIMEDJOIN_NP 0
#define PF_HAVE_PROGRAM_INVOCATION_SHORT_NAME 0
#define PF_HAVE_GNU_QSORT_R 0
#endif

#if !PF_HAVE_MEMRCHR
void *memrchr(const void *s, int c, size_t n);
#endif

#if !PF_HAVE_PIPE2
int pipe2(int fd[2], int flags);
#endif

#if !PF_HAVE_EXECVPE
int execvpe(const char *file, char *const argv[], char *const envp[]);
#endif

#if !PF_HAVE_SPLICE
#define SPLICE_F_MOVE		1
#define SPLICE_F_NONBLOCK	2
#define SPLICE_F_MORE		4
ssize_t splice(int in, off_t *in_off, int out, off_t *out_off, size_t len,
    unsigned flags);
#endif

#if !PF_HAVE_PTHREAD_TIMEDJOIN_NP
int pthread_timedjoin_np(pthread_t t, void **ret, const struct timespec *until);
#endif

#if !PF_HAVE_PROGRAM_INVOCATION_SHORT_NAME
const char *pf_program_name(void);
#define program_invocation_short_name pf_program_name()
#endif

/* qsort() with a context: cmp(a, b, arg), as glibc's qsort_r. */
void pf_qsort_r(void *base, size_t n, size_t size,
    int (*cmp)(const void *, const void *, void *), void *arg);

/*
 * Writes the running executable's path to buf (NUL-terminated) and
 * returns 0, or returns -1 with errno set (ENOSYS where the system has
 * no way to say, ENAMETOOLONG when it does not fit).
 */
int pf_self_exe(char *buf, size_t size);

#endif
