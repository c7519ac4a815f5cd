/* Bit-exact integer numerics of the acceltran device (see numerics.h and
 * docs/numerics.md). The first part is the device definition: integers
 * only. The host helpers and float references are at the end. */
#include "numerics.h"

#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "at_error.h"

/* ================================================================ device */

/* Every intermediate is checked against the width that the specification
 * (and the RTL) gives it; a value outside it means the specification is
 * wrong or a caller broke a documented precondition: the model stops. The
 * checks are compares, cheap next to the arithmetic. */
static void width_fail(const char *what, int64_t v, int bits, int is_signed)
{
    fprintf(stderr, "numerics: %s = %" PRId64 " does not fit %s %d bits\n",
            what, v, is_signed ? "signed" : "unsigned", bits);
    abort();
}

#define CHK_S(v, bits)                                                       \
    do {                                                                     \
        int64_t v_ = (v);                                                    \
        if (v_ < -(INT64_C(1) << ((bits) - 1)) ||                            \
            v_ > (INT64_C(1) << ((bits) - 1)) - 1)                           \
            width_fail(#v, v_, bits, 1);                                     \
    } while (0)

#define CHK_U(v, bits)                                                       \
    do {                                                                     \
        int64_t v_ = (int64_t)(v);                                           \
        if (v_ < 0 || v_ > (INT64_C(1) << (bits)) - 1)                       \
            width_fail(#v, v_, bits, 0);                                     \
    } while (0)

int64_t at_asr(int64_t x, unsigned s)
{
    /* floor(x / 2^s) without relying on the implementation-defined >> of
     * negative values: for x < 0, ~x = -x - 1 >= 0. */
    if (s > 63)
        s = 63;
    return x >= 0 ? x >> s : ~(~x >> s);
}

int64_t at_rshift_round(int64_t x, unsigned s)
{
    if (s == 0)
        return x;
    if (s > 63)
        s = 63;
    /* floor((x + 2^(s-1)) / 2^s) == floor(x / 2^s) + bit (s-1) of x (two's
     * complement): the truncated value plus the first dropped bit. No wide
     * add, no overflow (floor(x / 2^s) <= 2^62). */
    return at_asr(x, s) + (int64_t)(((uint64_t)x >> (s - 1)) & 1u);
}

int64_t at_rq_apply(int64_t x, at_rq rq)
{
    /* |x| <= 2^47 and m < 2^16: |x * m| < 2^63. */
    if (x < -(INT64_C(1) << 47) || x > (INT64_C(1) << 47))
        width_fail("at_rq_apply operand", x, 48, 1);
    /* rq.s > 63 acts as 63 (at_rshift_round clamps; the field is 6 bits) */
    return at_rshift_round(x * (int64_t)rq.m, rq.s);
}

int16_t at_sat16(int64_t x)
{
    if (x > INT16_MAX)
        return INT16_MAX;
    if (x < INT16_MIN)
        return INT16_MIN;
    return (int16_t)x;
}

int64_t at_sat48(int64_t x)
{
    if (x > AT_ACC_MAX)
        return AT_ACC_MAX;
    if (x < AT_ACC_MIN)
        return AT_ACC_MIN;
    return x;
}

/* ---------------------------------------------------------------- requant */

int16_t at_requant(int64_t acc, int32_t bias, at_rq rq)
{
    /* The accumulator register holds 48 bits; clamping first keeps the
     * model free of overflow for any int64 input. acc + bias: 49 bits. */
    int64_t x = at_sat48(at_sat48(acc) + (int64_t)bias); /* 49 -> 48 bits */
    CHK_S(x, 48);
    return at_sat16(at_rq_apply(x, rq));
}

/* ---------------------------------------------------------------- GELU */

/* h(t) = t * Phi(-t) = t * erfc(t / sqrt 2) / 2 at t = i / 32, i = 0..160,
 * in Q16 (round to nearest). Frozen: the RTL ROM holds exactly these. */
const uint16_t at_gelu_lut[AT_GELU_LUT_SEGMENTS + 1] = {
        0,   998,  1946,  2843,  3689,  4484,  5230,  5927,  6575,  7175,
     7728,  8234,  8696,  9113,  9487,  9819, 10110, 10362, 10576, 10753,
    10895, 11003, 11079, 11123, 11139, 11127, 11089, 11026, 10940, 10833,
    10706, 10560, 10398, 10219, 10027,  9822,  9606,  9380,  9146,  8903,
     8655,  8401,  8144,  7883,  7620,  7357,  7093,  6829,  6567,  6308,
     6050,  5796,  5546,  5301,  5060,  4824,  4594,  4370,  4152,  3940,
     3735,  3537,  3345,  3160,  2982,  2811,  2647,  2489,  2339,  2195,
     2058,  1927,  1803,  1684,  1572,  1466,  1366,  1271,  1181,  1097,
     1017,   943,   873,   807,   745,   688,   634,   584,   537,   494,
      453,   415,   381,   348,   318,   291,   265,   242,   220,   200,
      182,   165,   150,   136,   123,   111,   100,    91,    82,    74,
       66,    59,    53,    48,    43,    38,    34,    31,    27,    24,
       22,    19,    17,    15,    14,    12,    11,     9,     8,     7,
        6,     6,     5,     4,     4,     3,     3,     3,     2,     2,
        2,     2,     1,     1,     1,     1,     1,     1,     1,     0,
        0,     0,     0,     0,     0,     0,     0,     0,     0,     0,
        0,
};

int16_t at_gelu(int16_t x, const at_gelu_params *p)
{
    /* |x|: 0..32768 (16 bits unsigned). t = |x| s_in 2^16, Q16: the
     * product |x| * m < 2^31, t < 2^31. */
    int64_t ax = x < 0 ? -(int64_t)x : (int64_t)x;
    CHK_U(ax, 16);
    int64_t t = at_rq_apply(ax, p->in);
    CHK_U(t, 31);
    int64_t h = 0;
    if (t < ((int64_t)AT_GELU_LUT_SEGMENTS << AT_GELU_LUT_FRAC_BITS)) {
        int64_t i = t >> AT_GELU_LUT_FRAC_BITS;                  /* 0..159 */
        int64_t f = t & ((1 << AT_GELU_LUT_FRAC_BITS) - 1);      /* 11 bits */
        int64_t lo = at_gelu_lut[i], hi = at_gelu_lut[i + 1];
        int64_t dh = hi - lo;                                    /* 11 bits signed */
        CHK_S(dh, 11);
        int64_t dhf = dh * f;                                    /* 22 bits signed */
        CHK_S(dhf, 22);
        h = lo + at_rshift_round(dhf, AT_GELU_LUT_FRAC_BITS);
        CHK_U(h, 14);
    }
    int64_t g = (x > 0 ? t : 0) - h; /* Q16, 32 bits signed */
    CHK_S(g, 32);
    return at_sat16(at_rq_apply(g, p->out));
}

/* ---------------------------------------------------------------- post-processing */

int at_dynatran_row(int16_t *y, int n, int16_t tau, uint8_t *mask)
{
    if (!y || n < 0 || tau < 0)
        return AT_EINVAL;
    if (mask)
        for (int b = 0; b < (n + 7) / 8; b++)
            mask[b] = 0;
    int pruned = 0;
    for (int i = 0; i < n; i++) {
        int32_t v = y[i];
        int32_t a = v < 0 ? -v : v; /* 0..32768, 17 bits */
        if (a <= tau) {
            y[i] = 0;
            pruned++;
        } else if (mask) {
            mask[i >> 3] |= (uint8_t)(1u << (i & 7));
        }
    }
    return pruned;
}

int at_postproc_row(const int64_t *acc, const int32_t *bias, int n,
                    const at_postproc *p, int16_t *y, uint8_t *mask)
{
    if (!acc || !p || !p->rq || !y || n < 0 || p->tau < 0)
        return AT_EINVAL;
    for (int j = 0; j < n; j++) {
        at_rq rq = p->rq[p->per_channel ? j : 0];
        int16_t v = at_requant(acc[j], bias ? bias[j] : 0, rq);
        if (p->gelu)
            v = at_gelu(v, &p->gelu_p);
        y[j] = v;
    }
    return at_dynatran_row(y, n, p->tau, mask);
}

/* ---------------------------------------------------------------- softmax */

/* 2^-(j/8 + t), t in [0, 1/8): quadratic through t = 0, 1/16, 1/8,
 * coefficients {c0, c1, c2} of c0 + c1 t + c2 t^2 in Q26 (t real).
 * Frozen: the RTL ROM holds exactly these. */
const int32_t at_exp2_poly[8][3] = {
    {67108864, -46488146, 15440251},
    {61539100, -42629818, 14158773},
    {56431603, -39091716, 12983652},
    {51748008, -35847261, 11906061},
    {47453133, -32872084, 10917906},
    {43514715, -30143834, 10011764},
    {39903169, -27642017, 9180828},
    {36591368, -25347842, 8418857},
};

uint32_t at_exp2_neg_q16(uint32_t u)
{
    uint32_t z = u >> 16;                 /* integer part (shift amount) */
    uint32_t f = u & 0xFFFFu;             /* fraction, Q16 */
    uint32_t j = f >> 13;                 /* segment 0..7 */
    int64_t t = (int64_t)(f & 0x1FFFu);   /* offset in segment, 13 bits */
    const int32_t *c = at_exp2_poly[j];
    /* c0: 27 bits unsigned, c1: 27 bits signed, c2: 24 bits unsigned */
    int64_t c2t = (int64_t)c[2] * t;       /* 37 bits unsigned */
    CHK_U(c2t, 37);
    int64_t a = (int64_t)c[1] + at_asr(c2t, 16); /* 27 bits signed, < 0 */
    CHK_S(a, 27);
    int64_t at = a * t;                    /* 40 bits signed */
    CHK_S(at, 40);
    int64_t P = (int64_t)c[0] + at_asr(at, 16); /* (2^25, 2^26]: 27 bits */
    CHK_U(P, 27);
    if (z >= AT_SOFTMAX_EXP_BITS + 2)      /* z >= 28: 0 */
        return 0;
    int64_t e = at_rshift_round(P, z);
    CHK_U(e, 27);
    return (uint32_t)e;
}

uint64_t at_recip_div(unsigned pow2, uint64_t den, unsigned qbits)
{
    /* Restoring division of 2^pow2 by den, one quotient bit per step from
     * bit qbits-1 down to 0 (den << k < 2^63 by the precondition). */
    uint64_t rem = (uint64_t)1 << pow2;
    uint64_t q = 0;
    for (int k = (int)qbits - 1; k >= 0; k--) {
        uint64_t d = den << k;
        if (rem >= d) {
            rem -= d;
            q |= (uint64_t)1 << k;
        }
    }
    return q;
}

int at_softmax_row(const int16_t *x, int n, int len, const at_softmax_params *p,
                   int16_t *y)
{
    if (!x || !p || !y || n < 1 || n > AT_SOFTMAX_MAX_LEN || len < 1 || len > n)
        return AT_EINVAL;
    int16_t mx = x[0];
    for (int i = 1; i < len; i++)
        if (x[i] > mx)
            mx = x[i];
    uint32_t e[AT_SOFTMAX_MAX_LEN];
    uint64_t sum = 0; /* <= 512 * 2^26 = 2^35: 36 bits unsigned */
    for (int i = 0; i < len; i++) {
        int64_t d = (int64_t)mx - x[i];                 /* 0..65535 */
        CHK_U(d, 16);
        int64_t u = at_rq_apply(d, p->in);              /* < 2^32 */
        CHK_U(u, 32);
        e[i] = at_exp2_neg_q16((uint32_t)u);
        sum += e[i];
    }
    CHK_U(sum, 36);
    /* sum >= 2^26 (the maximum contributes exactly 2^26): r in
     * [2^17, 2^26], 27 quotient bits. */
    if (sum < ((uint64_t)1 << AT_SOFTMAX_EXP_BITS))
        width_fail("softmax sum below 2^26", (int64_t)sum, 36, 0);
    uint64_t r = at_recip_div(AT_SOFTMAX_RECIP_BITS, sum, 27);
    CHK_U(r, 27);
    for (int i = 0; i < len; i++) {
        int64_t er = (int64_t)e[i] * (int64_t)r;        /* 53 bits unsigned */
        CHK_U(er, 53);
        int64_t pr = at_rshift_round(er, AT_SOFTMAX_RECIP_BITS - AT_PROB_FRAC_BITS);
        y[i] = pr > INT16_MAX ? INT16_MAX : (int16_t)pr;
    }
    for (int i = len; i < n; i++)
        y[i] = 0;
    return 0;
}

/* ---------------------------------------------------------------- layer-norm */

uint64_t at_isqrt62(uint64_t N)
{
    /* Digit-by-digit (restoring) square root, two radicand bits per step,
     * 31 steps for N < 2^62; rem stays below 2^33. */
    uint64_t root = 0, rem = 0;
    for (int i = 30; i >= 0; i--) {
        rem = (rem << 2) | ((N >> (2 * i)) & 3u);
        uint64_t trial = (root << 2) | 1u;
        root <<= 1;
        if (rem >= trial) {
            rem -= trial;
            root |= 1u;
        }
    }
    return root;
}

static int msb64(uint64_t v) /* index of the highest set bit, v > 0 */
{
    int m = 0;
    for (int s = 32; s > 0; s >>= 1)
        if (v >> s) {
            v >>= s;
            m += s;
        }
    return m;
}

int at_layernorm_row(const int16_t *x, const int16_t *res, int n,
                     const int16_t *gamma, const int32_t *beta,
                     const at_layernorm_params *p, int16_t *y)
{
    if (!x || !gamma || !beta || !p || !y || n < 1 || n > AT_LN_MAX_N ||
        p->eps_q < 0 || p->eps_q > AT_LN_EPS_MAX)
        return AT_EINVAL;
    /* Pass 1: S1 (27 bits signed), S2 (43 bits unsigned). */
    int64_t S1 = 0, S2 = 0;
    for (int i = 0; i < n; i++) {
        int64_t v = (int64_t)x[i] + (res ? res[i] : 0); /* 17 bits signed */
        CHK_S(v, 17);
        S1 += v;
        S2 += v * v;
    }
    CHK_S(S1, 27);
    CHK_U(S2, 43);
    /* V = n^2 var >= 0, <= 2^52; Ve = V 2^8 + eps_q < 2^62 */
    int64_t nS2 = (int64_t)n * S2, S1sq = S1 * S1; /* 53 bits unsigned each */
    CHK_U(nS2, 53);
    CHK_U(S1sq, 53);
    int64_t V = nS2 - S1sq;
    CHK_U(V, 53);
    int64_t Ve = (V << AT_LN_EPS_FRAC_BITS) + p->eps_q;
    CHK_U(Ve, 62);
    uint64_t rs = 0;
    int k = 0;
    if (Ve != 0) {
        k = (61 - msb64((uint64_t)Ve)) >> 1;               /* 0..30 */
        uint64_t N = (uint64_t)Ve << (2 * k);              /* [2^60, 2^62) */
        uint64_t sq = at_isqrt62(N);                       /* [2^30, 2^31) */
        if (sq < (UINT64_C(1) << 30))
            width_fail("layernorm sqrt below 2^30", (int64_t)sq, 31, 0);
        CHK_U(sq, 31);
        rs = at_recip_div(55, sq, 26);                     /* (2^24, 2^25] */
        CHK_U(rs, 26);
    }
    /* Pass 2 */
    for (int i = 0; i < n; i++) {
        int64_t v = (int64_t)x[i] + (res ? res[i] : 0);
        int64_t c = (int64_t)n * v - S1;               /* 28 bits signed */
        CHK_S(c, 28);
        int64_t crs = c * (int64_t)rs;                 /* 53 bits signed */
        CHK_S(crs, 53);
        /* sqrt(Ve) = sq 2^-k = sqrt(V + eps) 2^4: z = c 2^(k+4) / sq,
         * zf = z 2^15 = c rs 2^(k + 4 + 15 - 55) */
        int64_t zf = at_rshift_round(crs, (unsigned)(36 - k)); /* Q15 */
        CHK_S(zf, 21);
        int64_t zg = zf * gamma[i];                    /* 36 bits signed */
        CHK_S(zg, 36);
        int64_t yo = at_rq_apply(zg, p->out);          /* 52 bits signed */
        CHK_S(yo, 52);
        y[i] = at_sat16(yo + beta[i]);                 /* 53 bits -> 16 */
    }
    return 0;
}

/* ================================================================ host */

int at_rq_from_ratio(double r, at_rq *rq)
{
    rq->m = 0;
    rq->s = 0;
    if (isnan(r))
        return AT_ERANGE;
    if (r <= 0)
        return 0;
    int e;
    double f = frexp(r, &e); /* r = f 2^e, f in [0.5, 1) */
    long long m = llround(ldexp(f, 16));
    int s = 16 - e;
    if (m == 65536) {
        m = 32768;
        s -= 1;
    }
    if (s < 0) {
        rq->m = 65535;
        rq->s = 0;
        return AT_ERANGE;
    }
    if (s > 63) {
        m = llround(ldexp(r, 63));
        s = 63;
    }
    rq->m = (uint16_t)m;
    rq->s = (uint8_t)s;
    return 0;
}

double at_rq_ratio(at_rq rq)
{
    return ldexp((double)rq.m, -(int)rq.s);
}

int16_t at_quant16(double v, double s)
{
    double q = floor(v / s + 0.5);
    if (isnan(q))
        return 0;
    if (q > INT16_MAX)
        return INT16_MAX;
    if (q < INT16_MIN)
        return INT16_MIN;
    return (int16_t)q;
}

int32_t at_quant32(double v, double s)
{
    double q = floor(v / s + 0.5);
    if (isnan(q))
        return 0;
    if (q > INT32_MAX)
        return INT32_MAX;
    if (q < INT32_MIN)
        return INT32_MIN;
    return (int32_t)q;
}

int at_gelu_params_make(double s_in, double s_out, at_gelu_params *p)
{
    if (!(s_in > 0) || !(s_out > 0))
        return AT_EINVAL;
    int rc = at_rq_from_ratio(s_in * 65536.0, &p->in);
    int rc2 = at_rq_from_ratio(1.0 / (65536.0 * s_out), &p->out);
    return rc ? rc : rc2;
}

int at_softmax_params_make(double s_in, at_softmax_params *p)
{
    if (!(s_in > 0))
        return AT_EINVAL;
    return at_rq_from_ratio(s_in * 65536.0 / log(2.0), &p->in);
}

int at_layernorm_params_make(int n, double s_in, double s_gamma,
                             double s_out, double eps,
                             at_layernorm_params *p)
{
    if (n < 1 || n > AT_LN_MAX_N || !(s_in > 0) || !(s_gamma > 0) ||
        !(s_out > 0) || !(eps >= 0))
        return AT_EINVAL;
    double e = floor((double)n * (double)n * eps / (s_in * s_in) *
                         (double)(1 << AT_LN_EPS_FRAC_BITS) + 0.5);
    p->eps_q = e > (double)AT_LN_EPS_MAX ? AT_LN_EPS_MAX : (int64_t)e;
    return at_rq_from_ratio(s_gamma / (32768.0 * s_out), &p->out);
}

double at_ref_gelu(double x)
{
    return 0.5 * x * (1.0 + erf(x / sqrt(2.0)));
}

void at_ref_softmax(const double *x, int n, int len, double *p)
{
    double mx = x[0];
    for (int i = 1; i < len; i++)
        if (x[i] > mx)
            mx = x[i];
    double sum = 0;
    for (int i = 0; i < len; i++) {
        p[i] = exp(x[i] - mx);
        sum += p[i];
    }
    for (int i = 0; i < len; i++)
        p[i] /= sum;
    for (int i = len; i < n; i++)
        p[i] = 0;
}

void at_ref_layernorm(const double *v, int n, const double *gamma,
                      const double *beta, double eps, double *y)
{
    double mean = 0, var = 0;
    for (int i = 0; i < n; i++)
        mean += v[i];
    mean /= n;
    for (int i = 0; i < n; i++)
        var += (v[i] - mean) * (v[i] - mean);
    var /= n;
    double inv = 1.0 / sqrt(var + eps);
    for (int i = 0; i < n; i++)
        y[i] = (v[i] - mean) * inv * gamma[i] + beta[i];
}
