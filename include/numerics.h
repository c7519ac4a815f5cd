/* Bit-exact integer numerics of the acceltran device: the definition that
 * the RTL reproduces bit for bit. docs/numerics.md explains every step,
 * its widths, its parameters and its error against real arithmetic.
 *
 * Device-side functions (the specification) use only integer adds,
 * multiplies of stated widths, arithmetic shifts, compares, saturation,
 * two small ROMs and fixed-iteration divide / square root. int64_t is used
 * as a container; the comment of each step states how many bits the value
 * really needs (that is the RTL width). No intermediate overflows int64.
 *
 * Host-side helpers (float allowed) derive parameters from scales, and the
 * float references measure the error of the integer operations.
 *
 * Conventions
 *   - A real value v is represented by an integer q with a scale s:
 *     v = q * s. Activations and weights are int16 (weights may have one
 *     scale per output channel).
 *   - rshift_round(x, S) = floor((x + 2^(S-1)) / 2^S) for S >= 1, x for
 *     S = 0: round half up (ties go towards +infinity), computed without
 *     the wide add as (x >>> S) + bit S-1 of x (>>> = arithmetic shift).
 *   - sat16 clamps to [-32768, 32767].
 */
#ifndef ACCELTRAN_NUMERICS_H
#define ACCELTRAN_NUMERICS_H

#include <stdint.h>

/* ------------------------------------------------------------ formats */

/* GEMM accumulator: a 48-bit signed register (kept in an int64_t).
 * |a*w| <= 2^30 for int16 operands, K <= 4096 = 2^12 terms give 2^42, the
 * int32 bias adds < 2^31: 44 bits are the minimum; 48 leave room for
 * K <= 65536 and keep (48-bit x 16-bit multiplier) inside 64 bits. */
#define AT_ACC_BITS 48
#define AT_ACC_MAX ((INT64_C(1) << 47) - 1)
#define AT_ACC_MIN (-(INT64_C(1) << 47))

/* Fixed-point multiplier: y = rshift_round(x * m, s).
 * m is unsigned 16-bit; the host helper normalises it to [2^15, 2^16)
 * (relative error of m / 2^s against the real ratio <= 2^-16). s: 0..63. */
typedef struct at_rq {
    uint16_t m;
    uint8_t s;
} at_rq;

/* floor(x / 2^s) (arithmetic shift right), s in 0..63 (larger s acts as 63). */
int64_t at_asr(int64_t x, unsigned s);
/* Round half up shift (see the conventions above), s in 0..63 (larger s
 * acts as 63). */
int64_t at_rshift_round(int64_t x, unsigned s);
/* rshift_round(x * rq.m, rq.s); requires |x| <= 2^47 (48-bit operand; the
 * model aborts otherwise): the product is then a signed 64-bit value. Not
 * saturated. */
int64_t at_rq_apply(int64_t x, at_rq rq);
int16_t at_sat16(int64_t x);
/* Clamp to the 48-bit accumulator range. */
int64_t at_sat48(int64_t x);

/* ------------------------------------------------------------ requant */

/* GEMM output requantization:
 *   x = sat48(sat48(acc) + bias)      (bias int32 in the accumulator's
 *                                      scale s_a * s_w)
 *   y = sat16(rshift_round(x * m, s)) (x: 48-bit signed, m: 16-bit
 *                                      unsigned, product 64-bit signed)
 * With m / 2^s = s_a * s_w / s_y the output is in scale s_y. */
int16_t at_requant(int64_t acc, int32_t bias, at_rq rq);

/* ------------------------------------------------------------ GELU */

/* Integer GELU: int16 in (scale s_in) -> int16 out (scale s_out).
 * GELU(x) = relu(x) - h(|x|), h(t) = t * Phi(-t) (Phi: normal CDF).
 *   t  = rshift_round(|x| * in.m, in.s)     |x|: 17 bits, t: unsigned 31
 *                                           bits, Q16 (t = |x_real| 2^16)
 *   h  = 0 when t >= 5 * 2^16, else linear interpolation in a 161-entry
 *        ROM of h on [0, 5) (step 1/32, entries Q16 unsigned, <= 14 bits):
 *        i = t >> 11, f = t & 0x7FF (11 bits),
 *        h = T[i] + rshift_round((T[i+1] - T[i]) * f, 11)
 *   g  = (x > 0 ? t : 0) - h                 signed 32 bits, Q16
 *   y  = sat16(rshift_round(g * out.m, out.s))  (out.m / 2^out.s =
 *                                            2^-16 / s_out)           */
#define AT_GELU_LUT_SEGMENTS 160 /* over t in [0, 5), step 1/32 */
#define AT_GELU_LUT_FRAC_BITS 11 /* t is Q16, step 2^-5: 16 - 5 */

typedef struct at_gelu_params {
    at_rq in;  /* ratio s_in * 2^16 (requires s_in < 1) */
    at_rq out; /* ratio 2^-16 / s_out */
} at_gelu_params;

int16_t at_gelu(int16_t x, const at_gelu_params *p);
/* The ROM (AT_GELU_LUT_SEGMENTS + 1 entries, Q16). */
extern const uint16_t at_gelu_lut[AT_GELU_LUT_SEGMENTS + 1];

/* ------------------------------------------------------------ post-processing */

/* Mask layout (everywhere): bit i of a row is bit (i & 7) of byte i >> 3;
 * 1 = kept (non-zero after pruning), 0 = pruned. */

/* DynaTran on a row in place: |y[i]| <= tau -> y[i] = 0 and mask bit 0,
 * else mask bit 1. tau: 0..32767 (tau = 0 prunes only zeros). Writes
 * (n + 7) / 8 mask bytes when mask is non-NULL (unused high bits of the
 * last byte are 0). Returns the pruned count, or AT_EINVAL. */
int at_dynatran_row(int16_t *y, int n, int16_t tau, uint8_t *mask);

/* Post-processing of one GEMM output row (n outputs, column j):
 *   y = requant(acc[j], bias[j], rq[per_channel ? j : 0])
 *   if gelu: y = at_gelu(y, &gelu_p)       (y's scale is then s_out of gelu_p)
 *   DynaTran with tau
 * bias may be NULL (zeros). Returns the pruned count (>= 0) or AT_EINVAL. */
typedef struct at_postproc {
    const at_rq *rq;   /* 1 entry, or n entries when per_channel */
    int per_channel;
    int gelu;          /* 0 or 1 */
    at_gelu_params gelu_p;
    int16_t tau;       /* 0..32767 */
} at_postproc;

int at_postproc_row(const int64_t *acc, const int32_t *bias, int n,
                    const at_postproc *p, int16_t *y, uint8_t *mask);

/* ------------------------------------------------------------ softmax */

/* Row softmax over the first len columns of a row of n (1 <= len <= n <=
 * 512); columns >= len are ignored and written as 0. Input int16 scores
 * with scale s_in (the 1/sqrt(d) of attention folded in); output int16
 * probabilities with the fixed scale 2^-15 (1.0 -> 32767 after
 * saturation). Steps (widths in docs/numerics.md):
 *   mx = max x[0..len)
 *   d  = mx - x[i]                               16 bits unsigned
 *   u  = rshift_round(d * in.m, in.s)            Q16 log2 units, 32 bits:
 *        u = d s_in log2(e) 2^16, i.e. x - mx = -(z + f) ln2
 *   z  = u >> 16, f = u & 0xFFFF                 (p = -f ln2 in (-ln2, 0])
 *   P  = 2^-f by a second-order polynomial per eighth of [0, 1): j = f>>13,
 *        t = f & 0x1FFF, a = c1[j] + ((c2[j] * t) >>> 16),
 *        P = c0[j] + ((a * t) >>> 16)            Q26, P in (2^25, 2^26]
 *   e  = z >= 28 ? 0 : rshift_round(P, z)       Q26, 27 bits unsigned
 *   sum = sum of e                               36 bits unsigned,
 *                                                in [2^26, 2^35]
 *   r  = floor(2^52 / sum)                       27-step restoring division,
 *                                                27 bits, in [2^17, 2^26]
 *   y  = min(32767, rshift_round(e * r, 37))     e * r: 53 bits          */
#define AT_SOFTMAX_MAX_LEN 512
#define AT_SOFTMAX_EXP_BITS 26  /* e is Q26 */
#define AT_SOFTMAX_RECIP_BITS 52
#define AT_PROB_FRAC_BITS 15    /* output scale 2^-15 */

typedef struct at_softmax_params {
    at_rq in; /* ratio s_in * log2(e) * 2^16 (requires s_in < ln 2) */
} at_softmax_params;

/* Polynomial coefficients {c0, c1, c2} (Q26) of 2^-(j/8 + t), t in [0, 1/8). */
extern const int32_t at_exp2_poly[8][3];

int at_softmax_row(const int16_t *x, int n, int len, const at_softmax_params *p,
                   int16_t *y);
/* The exp stage alone: 2^-u for u in Q16 log2 units, result Q26. */
uint32_t at_exp2_neg_q16(uint32_t u);

/* ------------------------------------------------------------ layer-norm */

/* Row layer-norm over n (1..1024) elements with optional residual:
 *   v   = x[i] + (res ? res[i] : 0)             17 bits signed (x and res
 *                                               must share the scale s_in)
 *   S1  = sum v                                 27 bits signed
 *   S2  = sum v*v                               43 bits unsigned
 *   V   = n*S2 - S1*S1 (= n^2 var, exact)       53 bits unsigned (<= 2^52)
 *   Ve  = (V << 8) + eps_q                      62 bits unsigned
 *   k   = (61 - msb(Ve)) >> 1  (Ve > 0),  N = Ve << 2k in [2^60, 2^62)
 *   sq  = floor(sqrt(N))                        31-step bit-by-bit root,
 *                                               in [2^30, 2^31)
 *   rs  = floor(2^55 / sq)                      26-step restoring division,
 *                                               in (2^24, 2^25]
 *   (Ve == 0: rs = 0, k = 0; every output is then beta)
 *   c   = n*v - S1 (= n (v - mean), exact)      28 bits signed
 *   zf  = rshift_round(c * rs, 36 - k)          normalised value, Q15,
 *                                               21 bits signed
 *   y   = sat16(rshift_round(zf * gamma[i] * out.m, out.s) + beta[i])
 *         (zf * gamma: 36 bits signed; gamma int16 with scale s_g; beta
 *          int32 pre-scaled to the output scale s_out; out.m / 2^out.s =
 *          s_g 2^-15 / s_out) */
#define AT_LN_MAX_N 1024
#define AT_LN_Z_FRAC_BITS 15
#define AT_LN_EPS_FRAC_BITS 8
#define AT_LN_EPS_MAX (INT64_C(1) << 61)

typedef struct at_layernorm_params {
    int64_t eps_q; /* round(n^2 eps / s_in^2 * 2^8), 0..2^61 */
    at_rq out;     /* ratio s_gamma * 2^-15 / s_out */
} at_layernorm_params;

int at_layernorm_row(const int16_t *x, const int16_t *res, int n,
                     const int16_t *gamma, const int32_t *beta,
                     const at_layernorm_params *p, int16_t *y);

/* The fixed-iteration helpers, exposed for tests and the RTL testbench. */
uint64_t at_isqrt62(uint64_t N);  /* floor(sqrt(N)), N < 2^62, 31 steps */
/* floor(2^pow2 / den) by a qbits-step restoring division; requires
 * den > 0, pow2 <= 62, den << (qbits - 1) < 2^63 and 2^pow2 < den * 2^qbits. */
uint64_t at_recip_div(unsigned pow2, uint64_t den, unsigned qbits);

/* ------------------------------------------------------------ host helpers */

/* (m, s) with m / 2^s closest to r, m normalised to [2^15, 2^16) when
 * 2^-48 <= r < 2^16. r <= 0 gives m = 0 (output 0). Returns 0, or
 * AT_ERANGE when r >= 2^16 (clamped to m = 65535, s = 0) or r is NaN. */
int at_rq_from_ratio(double r, at_rq *rq);
double at_rq_ratio(at_rq rq);

/* int16 of v / s, rounded half up, saturated. */
int16_t at_quant16(double v, double s);
/* int32 of v / s, rounded half up, saturated (biases, betas). */
int32_t at_quant32(double v, double s);

int at_gelu_params_make(double s_in, double s_out, at_gelu_params *p);
int at_softmax_params_make(double s_in, at_softmax_params *p);
int at_layernorm_params_make(int n, double s_in, double s_gamma,
                             double s_out, double eps,
                             at_layernorm_params *p);

/* ------------------------------------------------------------ float references */

double at_ref_gelu(double x);                 /* x Phi(x), erf form */
/* p[0..len) = softmax(x[0..len)), p[len..n) = 0 */
void at_ref_softmax(const double *x, int n, int len, double *p);
/* y = (v - mean) / sqrt(var + eps) * gamma + beta (population variance) */
void at_ref_layernorm(const double *v, int n, const double *gamma,
                      const double *beta, double eps, double *y);

#endif
