/*
 * seed.h - a fresh seed for what a run draws at random when the user gave
 * none (ptakesort --sample without --seed).
 */
#ifndef PF_SEED_H
#define PF_SEED_H

#include <stdint.h>

/*
 * A new 64-bit seed on every call and every run: 8 bytes of
 * /dev/urandom, or, where it cannot be read, the clock, the process id
 * and a counter mixed. Never fails.
 */
uint64_t pf_seed_draw(void);

#endif
