/*
 * spawn.c - child processes: start, feed, collect, reap, kill (spawn.h).
 *
 * A child is started with vfork() and execve(): the child borrows our
 * address space until it execs, so starting one costs a few tens of
 * microseconds whatever our size, and a failed exec (ENOENT, EACCES) is
 * reported back through memory we share. (The system's posix_spawn()
 * would do the same, but its <spawn.h> is shadowed by this file's
 * header on pflow's include path.) All signals are blocked around
 * vfork() so that none of our handlers runs in the child. Every
 * descriptor we create is close-on-exec, so a child holds only its own
 * stdin and stdout pipes, and end of file on a child's stdout really
 * means that it (and its descendants) closed it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "process/spawn.h"
#include "support/compat.h"
#include "support/xalloc.h"

extern char **environ;

static int event_pipe[2] = { -1, -1 };
static int devnull_fd = -1;

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* A pipe whose ends are close-on-exec; our end (ours_idx) non-blocking. */
static int
make_pipe(int p[2], int ours_idx, int size)
{
	int fl;

	if (pipe2(p, O_CLOEXEC) != 0)
		return errno;
#ifdef F_SETPIPE_SZ			/* Linux only */
	if (size > 0)
		(void)fcntl(p[0], F_SETPIPE_SZ, size);
#endif
	fl = fcntl(p[ours_idx], F_GETFL);
	fcntl(p[ours_idx], F_SETFL, fl | O_NONBLOCK);
	return 0;
}

/* environ with the NAME=value strings of add put in (malloc'd array). */
static char **
build_env(char *const *add)
{
	size_t n = 0, nadd = 0, i, j, klen;
	char **env;

	while (environ[n] != NULL)
		n++;
	while (add[nadd] != NULL)
		nadd++;
	env = pf_xcalloc(n + nadd + 1, sizeof(char *));
	memcpy(env, environ, n * sizeof(char *));
	for (i = 0; i < nadd; i++) {
		klen = strcspn(add[i], "=") + 1;
		for (j = 0; j < n; j++)
			if (strncmp(env[j], add[i], klen) == 0)
				break;
		env[j] = add[i];
		if (j == n)
			n++;
	}
	env[n] = NULL;
	return env;
}

/*
 * The child's side of pf_spawn(), between vfork() and exec: it shares our
 * memory, so it only calls async-signal-safe functions and reports a
 * failed exec through *child_errno.
 */
static void __attribute__((noreturn))
exec_child(const char *path, char *const argv[], char **env,
    const struct pf_spawn_opts *o, int in_fd, int out_fd, const sigset_t *mask,
    volatile int *child_errno)
{
	struct sigaction dfl;

	if ((o->in != PF_STDIO_INHERIT && dup2(in_fd, STDIN_FILENO) < 0) ||
	    (o->out != PF_STDIO_INHERIT && dup2(out_fd, STDOUT_FILENO) < 0) ||
	    (o->own_group && setpgid(0, 0) < 0))
		goto fail;
	/*
	 * Our handlers and our SIG_IGN of SIGPIPE are not the child's; a
	 * SIGINT or SIGTERM ignored when we started (no handler of ours,
	 * see pf_signal_ignored()) stays ignored, as exec(2) keeps it.
	 */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &dfl, NULL);
	if (!pf_signal_ignored(SIGINT))
		sigaction(SIGINT, &dfl, NULL);
	if (!pf_signal_ignored(SIGTERM))
		sigaction(SIGTERM, &dfl, NULL);
	sigaction(SIGPIPE, &dfl, NULL);
	sigprocmask(SIG_SETMASK, mask, NULL);
	execve(path, argv, env);
	if (errno == ENOEXEC)		/* a script without #!: execvpe runs sh */
		execvpe(argv[0], argv, env);
fail:
	*child_errno = errno;
	_exit(127);
}

/* vfork() in a frame of its own, which the child never returns to. */
static pid_t
start_child(const char *path, char *const argv[], char **env,
    const struct pf_spawn_opts *o, int in_fd, int out_fd, const sigset_t *mask,
    volatile int *child_errno)
{
	pid_t pid = vfork();

	if (pid == 0)
		exec_child(path, argv, env, o, in_fd, out_fd, mask,
		    child_errno);
	return pid;
}

/* Whether path is a file we may execute: 0, or an errno value. */
static int
executable(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return errno;
	if (S_ISDIR(st.st_mode))
		return EACCES;
	return access(path, X_OK) == 0 ? 0 : errno;
}

/*
 * Where execvp() would find argv0: 0 with *path set to the file, or
 * ENOENT or EACCES. Checked before the child is started, so that the
 * answer does not depend on vfork(2) sharing memory (valgrind, for one,
 * turns it into fork), and so that the child execs the file at once
 * instead of trying every directory of $PATH, each a failed execve(2).
 * A tool starts the same command many times: the last answer is
 * remembered.
 */
static int
command_path(const char *argv0, const char **path)
{
	static char *last, *last_path;
	static int last_rc;
	const char *dirs, *p, *colon;
	char full[4096];
	int rc = ENOENT, e;

	if (last != NULL && strcmp(last, argv0) == 0) {
		*path = last_path;
		return last_rc;
	}
	free(last_path);
	last_path = NULL;
	if (strchr(argv0, '/') != NULL) {
		if ((rc = executable(argv0)) == 0)
			last_path = pf_xstrdup(argv0);
	} else if (*argv0 != '\0') {
		if ((dirs = getenv("PATH")) == NULL)
			dirs = "/bin:/usr/bin";
		for (p = dirs; rc != 0; p = colon + 1) {
			colon = strchr(p, ':');
			if (colon == NULL)
				colon = p + strlen(p);
			snprintf(full, sizeof(full), "%.*s%s%s", (int)(colon - p),
			    p, colon > p ? "/" : "", argv0);
			e = executable(full);
			if (e == 0 && rc != 0)
				last_path = pf_xstrdup(full);
			if (e == 0 || (e == EACCES && rc == ENOENT))
				rc = e;
			if (*colon == '\0')
				break;
		}
	}
	free(last);
	last = pf_xstrdup(argv0);
	last_rc = rc;
	*path = last_path;
	return rc;
}

int
pf_spawn(struct pf_child *c, char *const argv[], const struct pf_spawn_opts *o)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 };
	volatile int child_errno = 0;
	sigset_t all, old;
	char **env = environ;
	const char *path;
	pid_t pid;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	c->in_fd = c->out_fd = -1;
	if ((rc = command_path(argv[0], &path)) != 0)
		return rc;
	if (devnull_fd < 0 && (o->in == PF_STDIO_NULL || o->out == PF_STDIO_NULL) &&
	    (devnull_fd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
		return errno;
	if (o->in == PF_STDIO_NULL)
		in[0] = devnull_fd;
	if (o->out == PF_STDIO_NULL)
		out[1] = devnull_fd;
	if (o->in == PF_STDIO_PIPE && (rc = make_pipe(in, 1, o->pipe_size)) != 0)
		return rc;
	if (o->out == PF_STDIO_PIPE && (rc = make_pipe(out, 0, o->pipe_size)) != 0)
		goto out;
	if (o->env_add != NULL && o->env_add[0] != NULL)
		env = build_env(o->env_add);

	/* No handler may run in the child before it resets them. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid = start_child(path, argv, env, o, in[0], out[1], &old, &child_errno);
	if (pid < 0)
		rc = errno;
	else if (child_errno != 0) {
		rc = child_errno;
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (env != environ)
		free(env);
	if (rc == 0) {
		c->pid = pid;
		c->own_group = o->own_group;
		c->in_fd = o->in == PF_STDIO_PIPE ? in[1] : -1;
		c->out_fd = o->out == PF_STDIO_PIPE ? out[0] : -1;
		in[1] = out[0] = -1;
	}
out:
	if (o->in == PF_STDIO_PIPE)
		close_fd(&in[0]);
	if (o->out == PF_STDIO_PIPE)
		close_fd(&out[1]);
	close_fd(&in[1]);
	close_fd(&out[0]);
	return rc;
}

int
pf_child_feed(struct pf_child *c, const char *buf, size_t len, size_t *off)
{
	ssize_t n;

	while (*off < len) {
		n = write(c->in_fd, buf + *off, len - *off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			return -1;
		}
		*off += (size_t)n;
	}
	return 1;
}

int
pf_child_splice(struct pf_child *c, int src, off_t *off, off_t end)
{
	ssize_t n;

	while (*off < end) {
		n = splice(src, off, c->in_fd, NULL, (size_t)(end - *off),
		    SPLICE_F_NONBLOCK | SPLICE_F_MORE);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			return errno == EPIPE ? -1 : -2;
		}
		if (n == 0)
			return -2;	/* the file got shorter */
	}
	return 1;
}

void
pf_child_close_in(struct pf_child *c)
{
	close_fd(&c->in_fd);
}

int
pf_child_collect(struct pf_child *c, struct pf_buf *out)
{
	ssize_t n;

	pf_buf_reserve(out, 64 * 1024);
	do
		n = read(c->out_fd, out->data + out->len, out->cap - out->len);
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		out->len += (size_t)n;
		return 1;
	}
	if (n == 0) {
		close_fd(&c->out_fd);
		return 0;
	}
	return -1;
}

void
pf_child_kill(const struct pf_child *c, int sig)
{
	if (c->pid <= 0)
		return;
	if (c->own_group && kill(-c->pid, sig) == 0)
		return;
	kill(c->pid, sig);
}

void
pf_child_close(struct pf_child *c)
{
	close_fd(&c->in_fd);
	close_fd(&c->out_fd);
}

static void
on_signal(int sig)
{
	int saved = errno;
	char b = sig == SIGINT ? 'I' : sig == SIGTERM ? 'T' : 'C';

	(void)!write(event_pipe[1], &b, 1);
	errno = saved;
}

bool
pf_signal_ignored(int sig)
{
	struct sigaction old;

	return sigaction(sig, NULL, &old) == 0 && !(old.sa_flags &
	    SA_SIGINFO) && old.sa_handler == SIG_IGN;
}

int
pf_events_init(void)
{
	struct sigaction sa;
	int fl;

	if (event_pipe[0] >= 0)
		return event_pipe[0];
	if (pipe2(event_pipe, O_CLOEXEC) != 0)
		return -1;
	fl = fcntl(event_pipe[0], F_GETFL);
	fcntl(event_pipe[0], F_SETFL, fl | O_NONBLOCK);
	fl = fcntl(event_pipe[1], F_GETFL);
	fcntl(event_pipe[1], F_SETFL, fl | O_NONBLOCK);
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	/* Ignored at start (a job started with & by a script): it stays so. */
	if (!pf_signal_ignored(SIGINT))
		sigaction(SIGINT, &sa, NULL);
	if (!pf_signal_ignored(SIGTERM))
		sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	sigaction(SIGPIPE, &sa, NULL);
	return event_pipe[0];
}

int
pf_events_take(void)
{
	char b[256];
	ssize_t n, i;
	int sig = 0;

	while ((n = read(event_pipe[0], b, sizeof(b))) > 0 ||
	    (n < 0 && errno == EINTR)) {
		for (i = 0; i < n; i++)
			if (b[i] == 'I')
				sig = SIGINT;
			else if (b[i] == 'T')
				sig = SIGTERM;
	}
	return sig;
}

pid_t
pf_reap(int *wstatus)
{
	pid_t pid;

	do
		pid = waitpid(-1, wstatus, WNOHANG);
	while (pid < 0 && errno == EINTR);
	return pid < 0 ? 0 : pid;
}

