/* Top-k of a row: see at_topk.h. */
#include "at_topk.h"

/* The k-th largest value of v[0..n) (1 <= k <= n), by quickselect (v is
 * a copy of the row in the caller's scratch and is reordered). Deterministic: the
 * pivot is the median of the first, middle and last element. */
static int16_t kth_largest(int16_t *v, uint32_t n, uint32_t k)
{
    uint32_t lo = 0, hi = n - 1, want = k - 1; /* index in descending order */
    while (lo < hi) {
        int16_t a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi];
        int16_t p;
        if ((a >= b && b >= c) || (c >= b && b >= a))
            p = b;
        else if ((b >= a && a >= c) || (c >= a && a >= b))
            p = a;
        else
            p = c;
        /* three-way partition, descending: [lo, gt) > p, [gt, lt) == p, [lt, hi] < p */
        uint32_t gt = lo, i = lo, lt = hi + 1;
        while (i < lt) {
            if (v[i] > p) {
                int16_t t = v[i];
                v[i++] = v[gt];
                v[gt++] = t;
            } else if (v[i] < p) {
                int16_t t = v[i];
                v[i] = v[--lt];
                v[lt] = t;
            } else {
                i++;
            }
        }
        if (want < gt)
            hi = gt - 1;
        else if (want >= lt)
            lo = lt;
        else
            return p;
    }
    return v[lo];
}

uint32_t at_topk_row(int16_t *row, uint32_t n, uint32_t k, int16_t *scratch)
{
    uint32_t zeros = 0;
    if (k && k < n) {
        for (uint32_t j = 0; j < n; j++)
            scratch[j] = row[j];
        int16_t t = kth_largest(scratch, n, k);
        uint32_t above = 0;
        for (uint32_t j = 0; j < n; j++)
            above += row[j] > t;
        uint32_t ties = k - above; /* values equal to t that are kept, lowest columns first */
        for (uint32_t j = 0; j < n; j++) {
            if (row[j] > t)
                continue;
            if (row[j] == t && ties) {
                ties--;
                continue;
            }
            row[j] = 0;
        }
    }
    for (uint32_t j = 0; j < n; j++)
        zeros += row[j] == 0;
    return zeros;
}
