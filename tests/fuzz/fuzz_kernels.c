/*
 * fuzz_kernels.c - fuzz target: every CSV kernel the CPU runs (scan.h)
 * against the reference automaton, on the input (tests/fuzz/kernels.h
 * says what is compared). Byte 0 picks the dialect (low 3 bits: CSV
 * with , ; tab |, TSV, --lines with and without -d) and the fields
 * wanted (bits 3-5: 0 for all, else 1-7); the rest is the data.
 */
#include <stdint.h>
#include <stdlib.h>

#include "kernels.h"
#include "split_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (!check_kernels(&split_dialects[data[0] & 7],
	    (const char *)data + 1, size - 1, (size_t)(data[0] >> 3 & 7)))
		abort();
	return 0;
}
