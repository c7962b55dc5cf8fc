/*
 * resume.h - pmap --resume: the jobs that a joblog records as successful.
 */
#ifndef PF_RESUME_H
#define PF_RESUME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pf_resume {
	uint64_t	*seqs;		/* job numbers that succeeded, sorted,
					   no duplicates */
	size_t		 n, cap;
	size_t		 pos;		/* pf_resume_done()'s place in seqs */
};

/*
 * Reads the joblog at path (GNU parallel's tab-separated columns, as
 * pmap --joblog writes them) and keeps the numbers of the jobs whose
 * exit status and signal are 0. Memory is one number per such line,
 * whatever the numbers are. A missing file is an empty joblog.
 *
 * A last line without a newline is a line cut short (a crash, a full
 * disk): its job is not counted as done, and the line is cut off the
 * file, with a warning, so that the lines appended next start on a line
 * of their own.
 *
 * Returns 0, or 1 after a message: the file cannot be read or cut, or a
 * line is not a joblog line ("FILE:LINE: malformed joblog line").
 */
int pf_resume_load(struct pf_resume *r, const char *path);

/*
 * Whether job seq succeeded. The calls must come in increasing order of
 * seq (jobs are numbered in input order): each costs O(1) amortized.
 */
bool pf_resume_done(struct pf_resume *r, uint64_t seq);

void pf_resume_free(struct pf_resume *r);

#endif
