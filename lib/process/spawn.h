/*
 * spawn.h - child processes for tools that run commands: start, feed,
 * collect, reap, kill.
 *
 * A child is started with vfork(2) and execve(2) (no shell), optionally with
 * pipes on its stdin and stdout and variables added to its environment,
 * in its own process group so that a kill reaches everything it started
 * (sh -c pipelines included). Our ends of the pipes are non-blocking and
 * close-on-exec; the caller polls them and moves bytes with
 * pf_child_feed() (or pf_child_splice(), from a file) and
 * pf_child_collect().
 *
 * Reaping is event-driven: pf_events_init() installs handlers for
 * SIGCHLD, SIGINT and SIGTERM that write to a self-pipe; the caller polls
 * pf_events_fd() with its children's pipes, calls pf_events_take() when
 * it is readable, and then pf_reap() until it returns 0. No thread per
 * child, no system(3). One process should hold one event set.
 */
#ifndef PF_SPAWN_H
#define PF_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "support/buf.h"

/* What a child's stdin or stdout is connected to. */
enum pf_stdio {
	PF_STDIO_INHERIT,	/* ours */
	PF_STDIO_PIPE,		/* a pipe to or from us */
	PF_STDIO_NULL,		/* /dev/null */
};

struct pf_spawn_opts {
	enum pf_stdio	  in;
	enum pf_stdio	  out;
	char *const	 *env_add;	/* "NAME=value" strings, NULL-terminated,
					   added to (or replacing in) environ */
	bool		  own_group;	/* run in a new process group */
	int		  pipe_size;	/* F_SETPIPE_SZ for the pipes (best
					   effort), 0 for the default */
};

struct pf_child {
	pid_t	pid;		/* 0 when not running */
	int	in_fd;		/* our end of its stdin pipe, or -1 */
	int	out_fd;		/* our end of its stdout pipe, or -1 */
	bool	own_group;
};

/*
 * Starts argv[0] (searched in PATH) with argv. Returns 0, or an errno
 * value (ENOENT for a command that does not exist, EACCES, ...) with
 * nothing left open.
 */
int pf_spawn(struct pf_child *c, char *const argv[],
    const struct pf_spawn_opts *o);

/*
 * Writes as much of buf[*off..len) to the child's stdin as the pipe
 * takes without blocking, advancing *off. Returns 1 when all is written,
 * 0 when the pipe is full (poll for POLLOUT), -1 when the child closed
 * its stdin (EPIPE: the caller usually stops feeding).
 */
int pf_child_feed(struct pf_child *c, const char *buf, size_t len,
    size_t *off);

/*
 * Like pf_child_feed(), but moves bytes [*off, end) of the regular file
 * src to the child's stdin with splice(2): the pipe takes the file's
 * pages from the page cache, with no copy through our memory. Returns as
 * pf_child_feed() does, and -2 when src cannot be spliced (EINVAL, or
 * the file is shorter than end): the caller then writes the bytes it has.
 */
int pf_child_splice(struct pf_child *c, int src, off_t *off, off_t end);

/* Closes our end of the child's stdin (it sees end of file). */
void pf_child_close_in(struct pf_child *c);

/*
 * Reads what the child's stdout holds, appending to out. Returns 1 when
 * bytes were read (call again), 0 at end of file (the pipe is then
 * closed), -1 when nothing is there yet (EAGAIN) or on a read error
 * (errno says which).
 */
int pf_child_collect(struct pf_child *c, struct pf_buf *out);

/* Sends sig to the child (to its whole group when it has its own). */
void pf_child_kill(const struct pf_child *c, int sig);

/* Closes whatever pipes are still open (after the child is reaped). */
void pf_child_close(struct pf_child *c);

/*
 * Installs the SIGCHLD, SIGINT and SIGTERM handlers and the self-pipe;
 * ignores SIGPIPE (a closed pipe is an EPIPE error instead). Children get
 * default dispositions back. A SIGINT or SIGTERM that is ignored already
 * (inherited SIG_IGN: a job started with & by a non-interactive shell
 * ignores SIGINT) gets no handler and stays ignored, in the children
 * too. Returns the fd to poll for POLLIN.
 */
int pf_events_init(void);

/*
 * Whether sig is ignored (SIG_IGN). Asked before a tool installs a
 * handler for SIGINT or SIGTERM, it says whether the process started
 * with it ignored; such a signal is left ignored.
 */
bool pf_signal_ignored(int sig);

/*
 * Drains the self-pipe. Returns the last SIGINT or SIGTERM received
 * since the previous call, or 0; SIGCHLD only means "call pf_reap()".
 */
int pf_events_take(void);

/*
 * Reaps one finished child without blocking: returns its pid and sets
 * *wstatus (see waitpid(2)), or returns 0 when none has finished.
 */
pid_t pf_reap(int *wstatus);

#endif
