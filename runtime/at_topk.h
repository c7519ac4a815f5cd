/* Top-k attention, AccelTran's baseline for DynaTran (docs/dynatran.md,
 * "Top-k"): of each row of attention probabilities keep the k largest and
 * set the rest to 0, so that the P x V GEMM skips them. Ties are broken by
 * the lower column index; a row of at most k elements is left as it is.
 * The inference API runs it on the host between the SOFTMAX and the P x V
 * stages (at_infer_opts.topk); at_qref runs the same function. */
#ifndef ACCELTRAN_AT_TOPK_H
#define ACCELTRAN_AT_TOPK_H

#include <stdint.h>

/* Keeps the k largest of row[0..n) (by value; equal values: the lower
 * column first) and zeros the others. k = 0 keeps everything (top-k off).
 * scratch: n elements of the caller's (no allocation per row). Returns the
 * zeros of the row afterwards. O(n) on average (quickselect). */
uint32_t at_topk_row(int16_t *row, uint32_t n, uint32_t k, int16_t *scratch);

#endif
