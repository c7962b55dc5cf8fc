/*
 * suggest.h - "did you mean": the names nearest to what a user typed,
 * for unknown tools, options, fields and functions alike.
 */
#ifndef PF_SUGGEST_H
#define PF_SUGGEST_H

#include <stddef.h>

/*
 * The edit distance between a and b (insertions, deletions,
 * substitutions and swaps of two neighbours, each costing 1; ASCII
 * letters compared without case). Stops counting past 64 (returns 65).
 */
size_t pf_edit_distance(const char *a, size_t alen, const char *b,
    size_t blen);

/*
 * The index in names[0..n) of the name nearest to typed, or -1 when none
 * is near enough: a word of 1 or 2 bytes only by case, within 1 edit
 * up to 4 bytes, 2 up to 8, else 3; or a name that starts with typed (3
 * bytes or more). Ties go to the first name.
 */
long pf_suggest(const char *typed, size_t len, const char *const *names,
    size_t n);

#endif
