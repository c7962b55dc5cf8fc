/*
 * stdout.h - the tools' record output stream: stdout, through a view for
 * people (--otable, --oxtab, --omd; csv/view.h) when the output format
 * is one, as it is otherwise.
 *
 * One per process. pf_run() starts it before the header and finishes it
 * after the tool's last output; all record output of a run (the engine's
 * writer, ptakesort's final merge) goes through pf_stdout_write(), from
 * one thread at a time. Command modes (pmap's, ppartition's --) write
 * their commands' output as it is, not through here.
 */
#ifndef PF_STDOUT_H
#define PF_STDOUT_H

#include <stddef.h>

#include "csv/record.h"

/* Starts the stream for output format (a view or any other). */
void pf_stdout_start(enum pf_format format);

/* Writes s[0..len) (whole records). Returns 0, or -1 with errno set. */
int pf_stdout_write(const char *s, size_t len);

/*
 * Writes what the view still holds (--otable's first rows) and ends the
 * stream. Returns 0, or -1 with errno set (EPIPE: a closed stdout).
 */
int pf_stdout_finish(void);

#endif
