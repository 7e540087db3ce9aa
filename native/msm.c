/*
 * zkvm_msm: an optional native (N-API) backend for ristretto255 verification work, used by
 * src/crypto/msm/native.ts: multi-scalar multiplication, ristretto decoding, and the verifier's
 * hot scalar loops modulo l. Plus one constant-time routine for the prover (ctMsm, see below).
 *
 * !!! VARIABLE TIME, except ctMsm. Every other routine here branches and indexes memory on its
 * inputs (scalar digits, bucket occupancy, point validity, carries). It must only ever be given
 * PUBLIC data: verifier scalars (challenges, batch weights, public proof values) and public points.
 * Secret scalars (blinding factors, keys, witnesses) must never reach them; the only entry point
 * for secret scalars is ctMsm (constant-time fixed-window Straus, documented at ct_msm).
 *
 * Contents:
 *   - arithmetic modulo p = 2^255 - 19 in radix 2^51 (five 64-bit limbs, 128-bit products);
 *   - ristretto255 decoding, RFC 9496 section 4.3.1, strict: non-canonical field encodings,
 *     negative s, non-square ratios, negative t and y = 0 are all rejected;
 *   - extended twisted Edwards arithmetic (a = -1), "add-2008-hwcd-3" / "dbl-2008-hwcd" formulas;
 *   - Pippenger's bucket method with signed digits for many dynamic points, Straus with width-5
 *     NAF for few, and per-point tables P * 2^(c*k) for registered fixed generator sets, whose
 *     digits go into one bucket set with no doublings;
 *   - scalars modulo l in Montgomery form (four 64-bit limbs): the R1CS verifier's generator
 *     scalars (bpScalars, r1csScalars with the constraint flattening), axpy, invert;
 *   - ctMsm: constant-time MSM of secret scalars over public points, for the prover.
 *
 * JS interface (scalars are BigInts in [0, l) or packed 32-byte little-endian words):
 *   table(coords: bigint[4n])                      -> External  (fixed-base tables of n points)
 *   msm(tables: External[], fixedScalars: (bigint[] | Uint8Array)[], compressed: Uint8Array (32m),
 *       compressedScalars: bigint[m], coords: bigint[4q], coordScalars: bigint[q])
 *     -> null (identity) | bigint[4] (canonical X, Y, Z, T) | number i (compressed point i invalid)
 *   decode(bytes: Uint8Array(32)) -> null | bigint[4]
 *   bpScalars, r1csScalars, axpy, invert, ctMsm: see their definitions below.
 */
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t u64;
typedef unsigned __int128 u128;

/* ---------------------------------------------------------------- field, radix 2^51 */

typedef struct {
  u64 v[5];
} fe;

#define MASK51 ((u64)0x7ffffffffffffULL)

static const fe FE_ZERO = {{0, 0, 0, 0, 0}};
static const fe FE_ONE = {{1, 0, 0, 0, 0}};
static const fe FE_D = {{0x34dca135978a3ULL, 0x1a8283b156ebdULL, 0x5e7a26001c029ULL, 0x739c663a03cbbULL,
                         0x52036cee2b6ffULL}};
static const fe FE_D2 = {{0x69b9426b2f159ULL, 0x35050762add7aULL, 0x3cf44c0038052ULL, 0x6738cc7407977ULL,
                          0x2406d9dc56dffULL}};
static const fe FE_SQRT_M1 = {{0x61b274a0ea0b0ULL, 0xd5a5fc8f189dULL, 0x7ef5e9cbd0c60ULL, 0x78595a6804c9eULL,
                               0x2b8324804fc1dULL}};

static inline void fe_add(fe *r, const fe *a, const fe *b) {
  for (int i = 0; i < 5; i++) r->v[i] = a->v[i] + b->v[i];
}

/*
 * a - b + 4p. Limb bounds: b below 2^53 (any product, square or sum of two of them); the result is
 * below 2^54.2, which fe_mul and fe_sq accept (their 128-bit column sums stay below 2^116), so the
 * point formulas feed sums and differences straight into multiplications without carrying.
 */
static inline void fe_sub(fe *r, const fe *a, const fe *b) {
  r->v[0] = (a->v[0] + 0x1fffffffffffb4ULL) - b->v[0];
  r->v[1] = (a->v[1] + 0x1ffffffffffffcULL) - b->v[1];
  r->v[2] = (a->v[2] + 0x1ffffffffffffcULL) - b->v[2];
  r->v[3] = (a->v[3] + 0x1ffffffffffffcULL) - b->v[3];
  r->v[4] = (a->v[4] + 0x1ffffffffffffcULL) - b->v[4];
}

static inline void fe_carry(fe *r) {
  u64 c;
  c = r->v[0] >> 51; r->v[0] &= MASK51; r->v[1] += c;
  c = r->v[1] >> 51; r->v[1] &= MASK51; r->v[2] += c;
  c = r->v[2] >> 51; r->v[2] &= MASK51; r->v[3] += c;
  c = r->v[3] >> 51; r->v[3] &= MASK51; r->v[4] += c;
  c = r->v[4] >> 51; r->v[4] &= MASK51; r->v[0] += c * 19;
  c = r->v[0] >> 51; r->v[0] &= MASK51; r->v[1] += c;
}

static inline void fe_neg(fe *r, const fe *a) {
  fe_sub(r, &FE_ZERO, a);
  fe_carry(r);
}

static inline void fe_reduce_wide(fe *r, u128 t0, u128 t1, u128 t2, u128 t3, u128 t4) {
  t1 += t0 >> 51;
  t2 += t1 >> 51;
  t3 += t2 >> 51;
  t4 += t3 >> 51;
  u128 r0 = ((u64)t0 & MASK51) + (t4 >> 51) * 19;
  r->v[0] = (u64)r0 & MASK51;
  r->v[1] = ((u64)t1 & MASK51) + (u64)(r0 >> 51);
  r->v[2] = (u64)t2 & MASK51;
  r->v[3] = (u64)t3 & MASK51;
  r->v[4] = (u64)t4 & MASK51;
}

static inline void fe_mul(fe *r, const fe *a, const fe *b) {
  const u64 a0 = a->v[0], a1 = a->v[1], a2 = a->v[2], a3 = a->v[3], a4 = a->v[4];
  const u64 b0 = b->v[0], b1 = b->v[1], b2 = b->v[2], b3 = b->v[3], b4 = b->v[4];
  const u64 b1_19 = b1 * 19, b2_19 = b2 * 19, b3_19 = b3 * 19, b4_19 = b4 * 19;
  u128 t0 = (u128)a0 * b0 + (u128)a1 * b4_19 + (u128)a2 * b3_19 + (u128)a3 * b2_19 + (u128)a4 * b1_19;
  u128 t1 = (u128)a0 * b1 + (u128)a1 * b0 + (u128)a2 * b4_19 + (u128)a3 * b3_19 + (u128)a4 * b2_19;
  u128 t2 = (u128)a0 * b2 + (u128)a1 * b1 + (u128)a2 * b0 + (u128)a3 * b4_19 + (u128)a4 * b3_19;
  u128 t3 = (u128)a0 * b3 + (u128)a1 * b2 + (u128)a2 * b1 + (u128)a3 * b0 + (u128)a4 * b4_19;
  u128 t4 = (u128)a0 * b4 + (u128)a1 * b3 + (u128)a2 * b2 + (u128)a3 * b1 + (u128)a4 * b0;
  fe_reduce_wide(r, t0, t1, t2, t3, t4);
}

static inline void fe_sq(fe *r, const fe *a) {
  const u64 a0 = a->v[0], a1 = a->v[1], a2 = a->v[2], a3 = a->v[3], a4 = a->v[4];
  const u64 d0 = a0 * 2, d1 = a1 * 2, d2 = a2 * 2, a3_19 = a3 * 19, a4_19 = a4 * 19;
  u128 t0 = (u128)a0 * a0 + (u128)d1 * a4_19 + (u128)d2 * a3_19;
  u128 t1 = (u128)d0 * a1 + (u128)d2 * a4_19 + (u128)a3 * a3_19;
  u128 t2 = (u128)d0 * a2 + (u128)a1 * a1 + (u128)(a3 * 2) * a4_19;
  u128 t3 = (u128)d0 * a3 + (u128)d1 * a2 + (u128)a4 * a4_19;
  u128 t4 = (u128)d0 * a4 + (u128)d1 * a3 + (u128)a2 * a2;
  fe_reduce_wide(r, t0, t1, t2, t3, t4);
}

static void fe_sqn(fe *r, const fe *a, int n) {
  fe_sq(r, a);
  for (int i = 1; i < n; i++) fe_sq(r, r);
}

/* Fully reduced value in [0, p). */
static void fe_canonical(fe *r, const fe *a) {
  fe t = *a;
  fe_carry(&t);
  fe_carry(&t);
  /* Now t < 2^255 + small; subtract p if t >= p. */
  u64 q = (t.v[0] + 19) >> 51;
  q = (t.v[1] + q) >> 51;
  q = (t.v[2] + q) >> 51;
  q = (t.v[3] + q) >> 51;
  q = (t.v[4] + q) >> 51;
  t.v[0] += 19 * q;
  u64 c;
  c = t.v[0] >> 51; t.v[0] &= MASK51; t.v[1] += c;
  c = t.v[1] >> 51; t.v[1] &= MASK51; t.v[2] += c;
  c = t.v[2] >> 51; t.v[2] &= MASK51; t.v[3] += c;
  c = t.v[3] >> 51; t.v[3] &= MASK51; t.v[4] += c;
  t.v[4] &= MASK51;
  *r = t;
}

static int fe_is_zero(const fe *a) {
  fe t;
  fe_canonical(&t, a);
  return (t.v[0] | t.v[1] | t.v[2] | t.v[3] | t.v[4]) == 0;
}

static int fe_is_negative(const fe *a) {
  fe t;
  fe_canonical(&t, a);
  return (int)(t.v[0] & 1);
}

static int fe_equal(const fe *a, const fe *b) {
  fe d;
  fe_sub(&d, a, b);
  return fe_is_zero(&d);
}

/* Four 64-bit words (little-endian order) of the canonical value. */
static void fe_to_words(u64 w[4], const fe *a) {
  fe t;
  fe_canonical(&t, a);
  w[0] = t.v[0] | (t.v[1] << 51);
  w[1] = (t.v[1] >> 13) | (t.v[2] << 38);
  w[2] = (t.v[2] >> 26) | (t.v[3] << 25);
  w[3] = (t.v[3] >> 39) | (t.v[4] << 12);
}

/* From four words; the value must be below 2^255 (the caller checks). */
static void fe_from_words(fe *r, const u64 w[4]) {
  r->v[0] = w[0] & MASK51;
  r->v[1] = ((w[0] >> 51) | (w[1] << 13)) & MASK51;
  r->v[2] = ((w[1] >> 38) | (w[2] << 26)) & MASK51;
  r->v[3] = ((w[2] >> 25) | (w[3] << 39)) & MASK51;
  r->v[4] = (w[3] >> 12) & MASK51;
}

static void load_words(u64 w[4], const uint8_t *b) {
  for (int i = 0; i < 4; i++) {
    u64 x = 0;
    for (int j = 7; j >= 0; j--) x = (x << 8) | b[8 * i + j];
    w[i] = x;
  }
}

/* z^(2^250 - 1) into r, and z^11 into z11 (shared by inversion and square roots). */
static void fe_pow_2_250_1(fe *r, fe *z11, const fe *z) {
  fe t0, t1, t2, t3;
  fe_sq(&t0, z);          /* 2 */
  fe_sqn(&t1, &t0, 2);    /* 8 */
  fe_mul(&t1, z, &t1);    /* 9 */
  fe_mul(&t0, &t0, &t1);  /* 11 */
  *z11 = t0;
  fe_sq(&t2, &t0);        /* 22 */
  fe_mul(&t1, &t1, &t2);  /* 2^5 - 1 */
  fe_sqn(&t2, &t1, 5);
  fe_mul(&t1, &t2, &t1);  /* 2^10 - 1 */
  fe_sqn(&t2, &t1, 10);
  fe_mul(&t2, &t2, &t1);  /* 2^20 - 1 */
  fe_sqn(&t3, &t2, 20);
  fe_mul(&t2, &t3, &t2);  /* 2^40 - 1 */
  fe_sqn(&t2, &t2, 10);
  fe_mul(&t1, &t2, &t1);  /* 2^50 - 1 */
  fe_sqn(&t2, &t1, 50);
  fe_mul(&t2, &t2, &t1);  /* 2^100 - 1 */
  fe_sqn(&t3, &t2, 100);
  fe_mul(&t2, &t3, &t2);  /* 2^200 - 1 */
  fe_sqn(&t2, &t2, 50);
  fe_mul(r, &t2, &t1);    /* 2^250 - 1 */
}

static void fe_invert(fe *r, const fe *z) {
  fe t, z11;
  fe_pow_2_250_1(&t, &z11, z);
  fe_sqn(&t, &t, 5);      /* 2^255 - 2^5 */
  fe_mul(r, &t, &z11);    /* 2^255 - 21 = p - 2 */
}

/* z^((p - 5) / 8) = z^(2^252 - 3). */
static void fe_pow22523(fe *r, const fe *z) {
  fe t, z11;
  fe_pow_2_250_1(&t, &z11, z);
  fe_sqn(&t, &t, 2);      /* 2^252 - 4 */
  fe_mul(r, &t, z);       /* 2^252 - 3 */
}

static void fe_abs(fe *r, const fe *a) {
  if (fe_is_negative(a)) fe_neg(r, a);
  else *r = *a;
}

/* RFC 9496 SQRT_RATIO_M1(u, v): returns was_square; r = non-negative root of u/v (or of i*u/v). */
static int fe_sqrt_ratio_m1(fe *r, const fe *u, const fe *v) {
  fe v3, v7, t, check, neg_u, neg_u_i;
  fe_sq(&v3, v);
  fe_mul(&v3, &v3, v);     /* v^3 */
  fe_sq(&v7, &v3);
  fe_mul(&v7, &v7, v);     /* v^7 */
  fe_mul(&t, u, &v7);
  fe_pow22523(&t, &t);
  fe_mul(&t, &t, &v3);
  fe_mul(&t, &t, u);       /* r = u v^3 (u v^7)^((p-5)/8) */
  fe_sq(&check, &t);
  fe_mul(&check, &check, v);
  fe_neg(&neg_u, u);
  fe_mul(&neg_u_i, &neg_u, &FE_SQRT_M1);
  int correct = fe_equal(&check, u);
  int flipped = fe_equal(&check, &neg_u);
  int flipped_i = fe_equal(&check, &neg_u_i);
  if (flipped || flipped_i) fe_mul(&t, &t, &FE_SQRT_M1);
  fe_abs(r, &t);
  return correct || flipped;
}

/* ---------------------------------------------------------------- points */

typedef struct {
  fe X, Y, Z, T;
} ge_ext;

/* Affine Niels form: (y + x, y - x, 2d x y). */
typedef struct {
  fe ypx, ymx, t2d;
} ge_niels;

/* Projective Niels form: (Y + X, Y - X, Z, 2d T). */
typedef struct {
  fe ypx, ymx, z, t2d;
} ge_cached;

static void ge_identity(ge_ext *p) {
  p->X = FE_ZERO;
  p->Y = FE_ONE;
  p->Z = FE_ONE;
  p->T = FE_ZERO;
}

static void ge_to_cached(ge_cached *c, const ge_ext *p) {
  fe_add(&c->ypx, &p->Y, &p->X);
  fe_sub(&c->ymx, &p->Y, &p->X);
  c->z = p->Z;
  fe_mul(&c->t2d, &p->T, &FE_D2);
}

/* r = p + q (r may alias p). */
static void ge_add_cached(ge_ext *r, const ge_ext *p, const ge_cached *q) {
  fe a, b, c, d, e, f, g, h, t;
  fe_sub(&t, &p->Y, &p->X);
  fe_mul(&a, &t, &q->ymx);
  fe_add(&t, &p->Y, &p->X);
  fe_mul(&b, &t, &q->ypx);
  fe_mul(&c, &p->T, &q->t2d);
  fe_mul(&d, &p->Z, &q->z);
  fe_add(&d, &d, &d);
  fe_sub(&e, &b, &a);
  fe_sub(&f, &d, &c);
  fe_add(&g, &d, &c);
  fe_add(&h, &b, &a);
  fe_mul(&r->X, &e, &f);
  fe_mul(&r->Y, &g, &h);
  fe_mul(&r->T, &e, &h);
  fe_mul(&r->Z, &f, &g);
}

static void ge_add(ge_ext *r, const ge_ext *p, const ge_ext *q) {
  ge_cached c;
  ge_to_cached(&c, q);
  ge_add_cached(r, p, &c);
}

/* r = p + q or p - q for an affine Niels q (r may alias p). */
static void ge_madd(ge_ext *r, const ge_ext *p, const ge_niels *q, int negate) {
  fe a, b, c, d, e, f, g, h, t;
  const fe *qp = negate ? &q->ymx : &q->ypx;
  const fe *qm = negate ? &q->ypx : &q->ymx;
  fe_sub(&t, &p->Y, &p->X);
  fe_mul(&a, &t, qm);
  fe_add(&t, &p->Y, &p->X);
  fe_mul(&b, &t, qp);
  fe_mul(&c, &p->T, &q->t2d);
  fe_add(&d, &p->Z, &p->Z);
  fe_sub(&e, &b, &a);
  fe_add(&h, &b, &a);
  if (negate) {
    fe_add(&f, &d, &c);
    fe_sub(&g, &d, &c);
  } else {
    fe_sub(&f, &d, &c);
    fe_add(&g, &d, &c);
  }
  fe_mul(&r->X, &e, &f);
  fe_mul(&r->Y, &g, &h);
  fe_mul(&r->T, &e, &h);
  fe_mul(&r->Z, &f, &g);
}

/* Sets r = +-q (scaled by 4, one multiplication). */
static void ge_from_niels(ge_ext *r, const ge_niels *q, int negate) {
  fe x2, y2;
  fe_sub(&x2, &q->ypx, &q->ymx); /* 2x */
  fe_add(&y2, &q->ypx, &q->ymx); /* 2y */
  fe_carry(&x2); fe_carry(&y2);
  if (negate) fe_neg(&x2, &x2);
  fe_mul(&r->T, &x2, &y2);       /* 4xy */
  fe_add(&r->X, &x2, &x2);       /* 4x */
  fe_add(&r->Y, &y2, &y2);       /* 4y */
  fe_carry(&r->X); fe_carry(&r->Y);
  r->Z = (fe){{4, 0, 0, 0, 0}};
}

/* r = 2p. With A = X^2, B = Y^2, C = 2Z^2 and a = -1, the negated terms E' = A + B - (X+Y)^2,
 * F' = C + A - B, G' = A - B, H' = A + B give X3 = E'F', Y3 = G'H', T3 = E'H', Z3 = F'G'. */
static void ge_dbl(ge_ext *r, const ge_ext *p) {
  fe a, b, c, e, g, f, h, t;
  fe_sq(&a, &p->X);
  fe_sq(&b, &p->Y);
  fe_sq(&c, &p->Z);
  fe_add(&c, &c, &c);
  fe_add(&t, &p->X, &p->Y);
  fe_sq(&t, &t);
  fe_add(&h, &a, &b);
  fe_sub(&e, &h, &t);
  fe_sub(&g, &a, &b);
  fe_add(&f, &c, &g);
  fe_mul(&r->X, &e, &f);
  fe_mul(&r->Y, &g, &h);
  fe_mul(&r->T, &e, &h);
  fe_mul(&r->Z, &f, &g);
}

/* Affine Niels forms of n extended points with one inversion; returns 0 if out of memory. */
static int ge_ext_to_niels_batch(ge_niels *out, const ge_ext *in, size_t n) {
  if (n == 0) return 1;
  fe *prefix = (fe *)malloc(n * sizeof(fe));
  if (prefix == NULL) return 0;
  fe acc = FE_ONE;
  for (size_t i = 0; i < n; i++) {
    prefix[i] = acc;
    fe_mul(&acc, &acc, &in[i].Z);
  }
  fe inv;
  fe_invert(&inv, &acc);
  for (size_t i = n; i-- > 0;) {
    fe zi, x, y, xy;
    fe_mul(&zi, &inv, &prefix[i]);
    fe_mul(&inv, &inv, &in[i].Z);
    fe_mul(&x, &in[i].X, &zi);
    fe_mul(&y, &in[i].Y, &zi);
    fe_add(&out[i].ypx, &y, &x);
    fe_carry(&out[i].ypx);
    fe_sub(&out[i].ymx, &y, &x);
    fe_carry(&out[i].ymx);
    fe_mul(&xy, &x, &y);
    fe_mul(&out[i].t2d, &xy, &FE_D2);
  }
  free(prefix);
  return 1;
}

/* Ristretto identity test: X == 0 or Y == 0 for some representative of the coset. */
static int ge_is_ristretto_identity(const ge_ext *p) {
  return fe_is_zero(&p->X) || fe_is_zero(&p->Y);
}

/* RFC 9496 section 4.3.1; returns 0 on any invalid encoding. Output has Z = 1. */
static int ristretto_decode(ge_ext *p, const uint8_t b[32]) {
  if (b[31] & 0x80) return 0;
  if (b[0] & 1) return 0;
  /* Canonical: the value must be below p = 2^255 - 19. */
  {
    int ge_p = 1;
    if (b[0] < 0xed) ge_p = 0;
    for (int i = 1; i < 31 && ge_p; i++)
      if (b[i] != 0xff) ge_p = 0;
    if (ge_p && b[31] != 0x7f) ge_p = 0;
    if (ge_p) return 0;
  }
  u64 w[4];
  load_words(w, b);
  fe s, ss, u1, u2, u2sq, v, t, inv, denx, deny, x, y;
  fe_from_words(&s, w);
  fe_sq(&ss, &s);
  fe_sub(&u1, &FE_ONE, &ss);
  fe_carry(&u1);
  fe_add(&u2, &FE_ONE, &ss);
  fe_sq(&u2sq, &u2);
  fe_sq(&t, &u1);
  fe_mul(&t, &t, &FE_D);
  fe_add(&v, &t, &u2sq);
  fe_neg(&v, &v);                 /* v = -(d u1^2) - u2^2 */
  fe_mul(&t, &v, &u2sq);
  int was_square = fe_sqrt_ratio_m1(&inv, &FE_ONE, &t);
  fe_mul(&denx, &inv, &u2);
  fe_mul(&deny, &inv, &denx);
  fe_mul(&deny, &deny, &v);
  fe_add(&t, &s, &s);
  fe_mul(&t, &t, &denx);
  fe_abs(&x, &t);
  fe_mul(&y, &u1, &deny);
  fe_mul(&t, &x, &y);
  if (!was_square || fe_is_negative(&t) || fe_is_zero(&y)) return 0;
  p->X = x;
  p->Y = y;
  p->Z = FE_ONE;
  p->T = t;
  return 1;
}

/* ---------------------------------------------------------------- scalars and digits */

typedef struct {
  u64 w[4];
} scalar;

/* Signed digit k of window width c: digits[k] for k < windows, from a scalar below 2^253. */
static void recode(int32_t *digits, const scalar *s, int c, int windows) {
  int carry = 0;
  const int32_t half = 1 << (c - 1);
  const u64 mask = ((u64)1 << c) - 1;
  for (int k = 0; k < windows; k++) {
    int bit = k * c;
    u64 raw = 0;
    if (bit < 256) {
      int wi = bit >> 6, sh = bit & 63;
      raw = s->w[wi] >> sh;
      if (sh + c > 64 && wi < 3) raw |= s->w[wi + 1] << (64 - sh);
      raw &= mask;
    }
    int32_t d = (int32_t)raw + carry;
    if (k + 1 < windows && d >= half) {
      d -= (int32_t)1 << c;
      carry = 1;
    } else {
      carry = 0;
    }
    digits[k] = d;
  }
}

/* Windows of width c covering a 253-bit scalar with signed digits (the last one absorbs the carry). */
static int window_count(int c) { return 253 / c + 1; }

/* ---------------------------------------------------------------- fixed-base tables */

#define TABLE_C 10

typedef struct {
  size_t n;
  int windows;
  ge_niels *entries; /* n * windows: point i, window k at i * windows + k = P_i * 2^(c k) */
} fixed_table;

static void table_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  fixed_table *t = (fixed_table *)data;
  free(t->entries);
  free(t);
}

/* ---------------------------------------------------------------- MSM core */

typedef struct {
  ge_ext *b;
  uint8_t *used;
  size_t count;
} buckets;

static inline void bucket_add(buckets *bk, int32_t d, const ge_niels *q) {
  int neg = d < 0;
  size_t idx = (size_t)(neg ? -d : d) - 1;
  if (bk->used[idx]) {
    ge_madd(&bk->b[idx], &bk->b[idx], q, neg);
  } else {
    ge_from_niels(&bk->b[idx], q, neg);
    bk->used[idx] = 1;
  }
}

/* Sum_b (b+1) * bucket[b] into out; returns 0 if all buckets were empty. */
static int bucket_reduce(ge_ext *out, buckets *bk) {
  ge_ext running, sum;
  int have_running = 0, have_sum = 0;
  for (size_t i = bk->count; i-- > 0;) {
    if (bk->used[i]) {
      if (have_running) ge_add(&running, &running, &bk->b[i]);
      else {
        running = bk->b[i];
        have_running = 1;
      }
    }
    if (have_running) {
      if (have_sum) ge_add(&sum, &sum, &running);
      else {
        sum = running;
        have_sum = 1;
      }
    }
  }
  if (have_sum) *out = sum;
  return have_sum;
}

/* Estimated cost (in additions) of Pippenger with window c over n points. */
static double pippenger_cost(size_t n, int c) {
  return (double)window_count(c) * ((double)n + 2.0 * (double)(1 << (c - 1)) + (double)c * 0.8);
}

/*
 * Straus' method with width-5 NAF digits, for few dynamic points: per point a table of the odd
 * multiples P, 3P, ..., 15P (normalised to affine Niels form together, one inversion), then one
 * shared chain of about 253 doublings with an addition per non-zero digit (about 253 / 6 per point).
 */
#define STRAUS_W 5
#define STRAUS_TABLE 8 /* odd multiples up to 2^(STRAUS_W-1) - 1 */

/* Width-w NAF of a scalar below 2^253: odd digits in (-2^(w-1), 2^(w-1)), 256 positions. */
static void wnaf_recode(int8_t *naf, const scalar *s, int w) {
  const u64 x[5] = {s->w[0], s->w[1], s->w[2], s->w[3], 0};
  const u64 width = (u64)1 << w, mask = width - 1;
  u64 carry = 0;
  int pos = 0;
  memset(naf, 0, 256);
  while (pos < 256) {
    int idx = pos >> 6, sh = pos & 63;
    u64 bits = x[idx] >> sh;
    if (sh + w > 64) bits |= x[idx + 1] << (64 - sh);
    u64 win = carry + (bits & mask);
    if ((win & 1) == 0) {
      /* Even: this position's digit is 0 (a pending carry moves on with it). */
      pos++;
      continue;
    }
    if (win < width / 2) {
      carry = 0;
      naf[pos] = (int8_t)win;
    } else {
      carry = 1;
      naf[pos] = (int8_t)((int64_t)win - (int64_t)width);
    }
    pos += w;
  }
}

/* Estimated cost (in additions) of Straus over n points, to compare with pippenger_cost. */
static double straus_cost(size_t n) { return (double)n * (2.0 * STRAUS_TABLE + 253.0 / (STRAUS_W + 1)); }

/* acc = Sum scal[i] * pts[i] by Straus; returns 1, 0 for no non-zero digit, -1 if out of memory. */
static int straus_core(ge_ext *out, const ge_niels *pts, const scalar *scal, size_t n) {
  ge_ext *mult = (ge_ext *)malloc(n * STRAUS_TABLE * sizeof(ge_ext));
  ge_niels *tbl = (ge_niels *)malloc(n * STRAUS_TABLE * sizeof(ge_niels));
  int8_t *naf = (int8_t *)malloc(n * 256);
  int rc = -1;
  if (mult == NULL || tbl == NULL || naf == NULL) goto done;
  for (size_t i = 0; i < n; i++) {
    ge_ext p, p2;
    ge_cached c2;
    ge_from_niels(&p, &pts[i], 0);
    ge_dbl(&p2, &p);
    ge_to_cached(&c2, &p2);
    mult[i * STRAUS_TABLE] = p;
    for (int j = 1; j < STRAUS_TABLE; j++) ge_add_cached(&mult[i * STRAUS_TABLE + j], &mult[i * STRAUS_TABLE + j - 1], &c2);
    wnaf_recode(naf + 256 * i, &scal[i], STRAUS_W);
  }
  if (!ge_ext_to_niels_batch(tbl, mult, n * STRAUS_TABLE)) goto done;
  int top = -1;
  for (size_t i = 0; i < n; i++)
    for (int k = 255; k > top; k--)
      if (naf[256 * i + k] != 0) {
        top = k;
        break;
      }
  rc = 0;
  if (top < 0) goto done;
  ge_ext acc;
  ge_identity(&acc);
  for (int k = top; k >= 0; k--) {
    ge_dbl(&acc, &acc);
    for (size_t i = 0; i < n; i++) {
      int d = naf[256 * i + k];
      if (d > 0) ge_madd(&acc, &acc, &tbl[i * STRAUS_TABLE + (d >> 1)], 0);
      else if (d < 0) ge_madd(&acc, &acc, &tbl[i * STRAUS_TABLE + ((-d) >> 1)], 1);
    }
  }
  *out = acc;
  rc = 1;
done:
  free(mult);
  free(tbl);
  free(naf);
  return rc;
}

/*
 * acc = Sum scal[i] * pts[i] + Sum fscal[j] * (table entries of fixed point j).
 * ftab[j] points at the `fwin` table entries of fixed point j. Returns 1 with the sum in out, 0 for
 * the identity (nothing was added), -1 if out of memory.
 */
static int msm_core(ge_ext *out, const ge_niels *pts, const scalar *scal, size_t n, const ge_niels **ftab,
                    const scalar *fscal, size_t nf, int fwin) {
  int c = 1;
  int use_straus = 0;
  if (n > 0) {
    double best = pippenger_cost(n, 1);
    for (int cc = 2; cc <= 16; cc++) {
      double cost = pippenger_cost(n, cc);
      if (cost < best) {
        best = cost;
        c = cc;
      }
    }
    use_straus = straus_cost(n) < best;
  }
  int windows = window_count(c);
  int have_acc = 0;
  ge_ext acc;
  ge_identity(&acc);

  size_t nbuckets = (size_t)1 << (c - 1);
  size_t fbuckets = (size_t)1 << (TABLE_C - 1);
  size_t maxb = nbuckets > fbuckets ? nbuckets : fbuckets;
  buckets bk;
  bk.b = (ge_ext *)malloc(maxb * sizeof(ge_ext));
  bk.used = (uint8_t *)malloc(maxb);
  int32_t *fd = (int32_t *)malloc(sizeof(int32_t) * (size_t)fwin);
  int32_t *digits = (int32_t *)malloc(sizeof(int32_t) * (n ? n : 1) * (size_t)windows);
  if (bk.b == NULL || bk.used == NULL || fd == NULL || digits == NULL) {
    free(bk.b);
    free(bk.used);
    free(fd);
    free(digits);
    return -1;
  }

  /* Fixed part: every table digit goes into one bucket set of width TABLE_C. */
  if (nf > 0) {
    bk.count = fbuckets;
    memset(bk.used, 0, fbuckets);
    for (size_t j = 0; j < nf; j++) {
      recode(fd, &fscal[j], TABLE_C, fwin);
      for (int k = 0; k < fwin; k++)
        if (fd[k] != 0) bucket_add(&bk, fd[k], &ftab[j][k]);
    }
    have_acc = bucket_reduce(&acc, &bk);
  }

  if (n > 0 && use_straus) {
    ge_ext dyn;
    int got = straus_core(&dyn, pts, scal, n);
    if (got < 0) {
      free(bk.b);
      free(bk.used);
      free(fd);
      free(digits);
      return -1;
    }
    if (got > 0) {
      if (have_acc) ge_add(&acc, &acc, &dyn);
      else {
        acc = dyn;
        have_acc = 1;
      }
    }
  } else if (n > 0) {
    for (size_t i = 0; i < n; i++) recode(digits + i * (size_t)windows, &scal[i], c, windows);
    ge_ext dyn;
    int have_dyn = 0;
    bk.count = nbuckets;
    for (int k = windows - 1; k >= 0; k--) {
      if (have_dyn)
        for (int i = 0; i < c; i++) ge_dbl(&dyn, &dyn);
      memset(bk.used, 0, nbuckets);
      for (size_t i = 0; i < n; i++) {
        int32_t d = digits[i * (size_t)windows + (size_t)k];
        if (d != 0) bucket_add(&bk, d, &pts[i]);
      }
      ge_ext part;
      if (bucket_reduce(&part, &bk)) {
        if (have_dyn) ge_add(&dyn, &dyn, &part);
        else {
          dyn = part;
          have_dyn = 1;
        }
      }
    }
    if (have_dyn) {
      if (have_acc) ge_add(&acc, &acc, &dyn);
      else {
        acc = dyn;
        have_acc = 1;
      }
    }
  }
  free(bk.b);
  free(bk.used);
  free(fd);
  free(digits);
  *out = acc;
  return have_acc;
}

/* ---------------------------------------------------------------- scalars modulo l (verifier kernels)
 *
 * Arithmetic modulo l = 2^252 + 27742317777372353535851937790883648493 in four 64-bit limbs with
 * Montgomery multiplication (R = 2^256, CIOS with 128-bit products). Values are kept fully reduced
 * in [0, l). Like everything in this file it is VARIABLE TIME (early exits, branches on carries):
 * it only computes verifier scalars from public challenges and public proof values.
 */

typedef struct {
  u64 v[4];
} sc;

static const sc SC_L = {{0x5812631a5cf5d3edULL, 0x14def9dea2f79cd6ULL, 0, 0x1000000000000000ULL}};
static const sc SC_R2 = {{0xa40611e3449c0f01ULL, 0xd00e1ba768859347ULL, 0xceec73d217f5be65ULL,
                          0x0399411b7c309a3dULL}};
/* R mod l: the Montgomery form of 1. */
static const sc SC_MONT_ONE = {{0xd6ec31748d98951dULL, 0xc6ef5bf4737dcf70ULL, 0xfffffffffffffffeULL,
                                0x0fffffffffffffffULL}};
static const sc SC_ZERO = {{0, 0, 0, 0}};
static const sc SC_ONE = {{1, 0, 0, 0}};
#define SC_LINV 0xd2b51da312547e1bULL /* -l^-1 mod 2^64 */

/* 1 iff a < l. */
static int sc_is_canonical(const sc *a) {
  for (int i = 3; i >= 0; i--) {
    if (a->v[i] < SC_L.v[i]) return 1;
    if (a->v[i] > SC_L.v[i]) return 0;
  }
  return 0;
}

/* r = t - l if t >= l, else t (t below 2l). Branch-free select: the outcome is unpredictable. */
static inline void sc_reduce_once(sc *r, const u64 t[4]) {
  u64 d[4];
  u64 borrow = 0;
  for (int i = 0; i < 4; i++) {
    u128 x = (u128)t[i] - SC_L.v[i] - borrow;
    d[i] = (u64)x;
    borrow = (u64)(x >> 64) & 1;
  }
  const u64 keep = (u64)0 - borrow; /* all ones if t < l */
  for (int i = 0; i < 4; i++) r->v[i] = (t[i] & keep) | (d[i] & ~keep);
}

static inline void sc_add(sc *r, const sc *a, const sc *b) {
  u64 t[4];
  u128 c = 0;
  for (int i = 0; i < 4; i++) {
    c += (u128)a->v[i] + b->v[i];
    t[i] = (u64)c;
    c >>= 64;
  }
  sc_reduce_once(r, t); /* a + b < 2l < 2^254: no carry out */
}

static inline void sc_sub(sc *r, const sc *a, const sc *b) {
  u64 t[4];
  u64 borrow = 0;
  for (int i = 0; i < 4; i++) {
    u128 x = (u128)a->v[i] - b->v[i] - borrow;
    t[i] = (u64)x;
    borrow = (u64)(x >> 64) & 1;
  }
  const u64 mask = (u64)0 - borrow; /* add l back if a < b */
  u128 c = 0;
  for (int i = 0; i < 4; i++) {
    c += (u128)t[i] + (SC_L.v[i] & mask);
    r->v[i] = (u64)c;
    c >>= 64;
  }
}

/* r = a * b / R mod l, for a, b in [0, l). */
static inline void sc_mont_mul(sc *r, const sc *a, const sc *b) {
  u64 t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0;
  for (int i = 0; i < 4; i++) {
    const u64 bi = b->v[i];
    u128 c;
    u64 t5;
    c = (u128)a->v[0] * bi + t0; t0 = (u64)c; c >>= 64;
    c += (u128)a->v[1] * bi + t1; t1 = (u64)c; c >>= 64;
    c += (u128)a->v[2] * bi + t2; t2 = (u64)c; c >>= 64;
    c += (u128)a->v[3] * bi + t3; t3 = (u64)c; c >>= 64;
    c += t4; t4 = (u64)c; t5 = (u64)(c >> 64);
    const u64 m = t0 * SC_LINV;
    c = (u128)m * SC_L.v[0] + t0; c >>= 64;
    c += (u128)m * SC_L.v[1] + t1; t0 = (u64)c; c >>= 64;
    c += (u128)t2; t1 = (u64)c; c >>= 64; /* l's limb 2 is zero */
    c += (u128)m * SC_L.v[3] + t3; t2 = (u64)c; c >>= 64;
    c += t4; t3 = (u64)c; c >>= 64;
    t4 = t5 + (u64)c;
  }
  const u64 t[4] = {t0, t1, t2, t3};
  sc_reduce_once(r, t); /* the result is below 2l, so t4 is zero */
}

static inline void sc_to_mont(sc *r, const sc *a) { sc_mont_mul(r, a, &SC_R2); }
static inline void sc_from_mont(sc *r, const sc *a) { sc_mont_mul(r, a, &SC_ONE); }

/* r = a^(l-2) = 1/a (0 for a = 0), a and r in Montgomery form; 4-bit fixed windows over l - 2. */
static void sc_invert_mont(sc *r, const sc *a) {
  static const u64 E[4] = {0x5812631a5cf5d3ebULL, 0x14def9dea2f79cd6ULL, 0, 0x1000000000000000ULL};
  sc pw[16];
  pw[0] = SC_MONT_ONE;
  pw[1] = *a;
  for (int i = 2; i < 16; i++) sc_mont_mul(&pw[i], &pw[i - 1], a);
  sc acc = SC_MONT_ONE;
  for (int nib = 63; nib >= 0; nib--) {
    for (int j = 0; j < 4; j++) sc_mont_mul(&acc, &acc, &acc);
    int d = (int)((E[nib >> 4] >> (4 * (nib & 15))) & 15);
    if (d) sc_mont_mul(&acc, &acc, &pw[d]);
  }
  *r = acc;
}

static void sc_store(uint8_t *out, const sc *a) {
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 8; j++) out[8 * i + j] = (uint8_t)(a->v[i] >> (8 * j));
}

static void sc_load(sc *a, const uint8_t *in) { load_words(a->v, in); }

/* ---------------------------------------------------------------- constant-time MSM (prover)
 *
 * The one routine of this file that takes SECRET scalars: Sum s_i P_i for public points P_i and
 * secret s_i (witness vectors, blindings). CONSTANT TIME in the scalars: fixed 4-bit windows (64
 * of them, every scalar below 2^256), shared doublings, and per point and window exactly one table
 * addition, digit 0 included (it adds the identity entry: the addition formulas are complete, so
 * the same field operations run). The table entry is selected by scanning all 16 entries with
 * masked moves; no branch and no memory index depends on a scalar. The field arithmetic (fe_mul,
 * fe_sq, fe_add, fe_sub, fe_carry, fe_canonical) is branch-free. The work depends only on n.
 */

static inline void fe_cmov(fe *r, const fe *a, u64 mask) {
  for (int i = 0; i < 5; i++) r->v[i] ^= mask & (r->v[i] ^ a->v[i]);
}

static inline void cached_cmov(ge_cached *r, const ge_cached *a, u64 mask) {
  fe_cmov(&r->ypx, &a->ypx, mask);
  fe_cmov(&r->ymx, &a->ymx, mask);
  fe_cmov(&r->z, &a->z, mask);
  fe_cmov(&r->t2d, &a->t2d, mask);
}

/* out = table[digit] for digit in [0, 16), reading every entry. */
static inline void ct_select(ge_cached *out, const ge_cached *table, u64 digit) {
  *out = table[0];
  for (u64 k = 1; k < 16; k++) {
    const u64 is_k = ((digit ^ k) - 1) >> 63; /* 1 iff digit == k (both below 16) */
    cached_cmov(out, &table[k], (u64)0 - is_k);
  }
}

/* out = Sum scal[i] pts[i] in constant time (see above); returns 0 if out of memory. */
static int ct_msm(ge_ext *out, const ge_ext *pts, const scalar *scal, size_t n) {
  ge_cached *tbl = (ge_cached *)malloc((n ? n : 1) * 16 * sizeof(ge_cached));
  if (tbl == NULL) return 0;
  for (size_t i = 0; i < n; i++) {
    ge_cached *t = tbl + 16 * i;
    t[0].ypx = FE_ONE;
    t[0].ymx = FE_ONE;
    t[0].z = FE_ONE;
    t[0].t2d = FE_ZERO;
    ge_ext m = pts[i];
    ge_to_cached(&t[1], &m);
    for (int k = 2; k < 16; k++) {
      ge_add_cached(&m, &m, &t[1]);
      ge_to_cached(&t[k], &m);
    }
  }
  ge_ext acc;
  ge_identity(&acc);
  for (int w = 63; w >= 0; w--) {
    for (int j = 0; j < 4; j++) ge_dbl(&acc, &acc);
    for (size_t i = 0; i < n; i++) {
      const u64 digit = (scal[i].w[w >> 4] >> (4 * (w & 15))) & 15;
      ge_cached c;
      ct_select(&c, tbl + 16 * i, digit);
      ge_add_cached(&acc, &acc, &c);
    }
  }
  *out = acc;
  free(tbl);
  return 1;
}

/* ---------------------------------------------------------------- N-API glue */

#define CHECK(call)                                                  \
  do {                                                               \
    if ((call) != napi_ok) {                                         \
      napi_throw_error(env, "ZKVM_NATIVE", "N-API call failed: " #call); \
      goto fail;                                                     \
    }                                                                \
  } while (0)

/* Reads a non-negative BigInt below 2^256 into four words; returns 0 otherwise. */
static int get_words(napi_env env, napi_value v, u64 w[4]) {
  int sign = 0;
  size_t count = 4;
  w[0] = w[1] = w[2] = w[3] = 0;
  if (napi_get_value_bigint_words(env, v, &sign, &count, w) != napi_ok) return 0;
  if (sign != 0 || count > 4) return 0;
  return 1;
}

static int get_scalar(napi_env env, napi_value arr, uint32_t i, scalar *s) {
  napi_value v;
  if (napi_get_element(env, arr, i, &v) != napi_ok) return 0;
  if (!get_words(env, v, s->w)) return 0;
  return (s->w[3] >> 61) == 0; /* below 2^253 (the JS side enforces < l) */
}

static int get_coord(napi_env env, napi_value arr, uint32_t i, fe *out) {
  napi_value v;
  u64 w[4];
  if (napi_get_element(env, arr, i, &v) != napi_ok) return 0;
  if (!get_words(env, v, w)) return 0;
  if (w[3] >> 63) return 0;
  fe_from_words(out, w);
  return 1;
}

static napi_value make_coords(napi_env env, const ge_ext *p) {
  napi_value arr, v;
  const fe *cs[4] = {&p->X, &p->Y, &p->Z, &p->T};
  if (napi_create_array_with_length(env, 4, &arr) != napi_ok) return NULL;
  for (uint32_t i = 0; i < 4; i++) {
    u64 w[4];
    fe_to_words(w, cs[i]);
    if (napi_create_bigint_words(env, 0, 4, w, &v) != napi_ok) return NULL;
    if (napi_set_element(env, arr, i, v) != napi_ok) return NULL;
  }
  return arr;
}

static napi_value js_null(napi_env env) {
  napi_value n;
  napi_get_null(env, &n);
  return n;
}

/* table(coords: bigint[4n]) -> External */
static napi_value js_table(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result = NULL;
  uint32_t len = 0;
  ge_ext *ext = NULL;
  fixed_table *t = NULL;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(napi_get_array_length(env, argv[0], &len));
  if (len % 4 != 0) {
    napi_throw_range_error(env, NULL, "table: coordinate count must be a multiple of 4");
    return NULL;
  }
  size_t n = len / 4;
  int w = window_count(TABLE_C);
  t = (fixed_table *)calloc(1, sizeof(fixed_table));
  if (t == NULL) goto oom;
  t->n = n;
  t->windows = w;
  t->entries = (ge_niels *)malloc((n ? n : 1) * (size_t)w * sizeof(ge_niels));
  ext = (ge_ext *)malloc((n ? n : 1) * (size_t)w * sizeof(ge_ext));
  if (t->entries == NULL || ext == NULL) goto oom;
  for (size_t i = 0; i < n; i++) {
    ge_ext p;
    if (!get_coord(env, argv[0], (uint32_t)(4 * i), &p.X) || !get_coord(env, argv[0], (uint32_t)(4 * i + 1), &p.Y) ||
        !get_coord(env, argv[0], (uint32_t)(4 * i + 2), &p.Z) || !get_coord(env, argv[0], (uint32_t)(4 * i + 3), &p.T)) {
      napi_throw_range_error(env, NULL, "table: bad coordinate");
      goto fail;
    }
    for (int k = 0; k < w; k++) {
      ext[i * (size_t)w + (size_t)k] = p;
      if (k + 1 < w)
        for (int j = 0; j < TABLE_C; j++) ge_dbl(&p, &p);
    }
  }
  if (!ge_ext_to_niels_batch(t->entries, ext, n * (size_t)w)) goto oom;
  free(ext);
  ext = NULL;
  CHECK(napi_create_external(env, t, table_finalize, NULL, &result));
  return result;
oom:
  napi_throw_error(env, "ZKVM_NATIVE_OOM", "table: out of memory");
fail:
  free(ext);
  if (t) {
    free(t->entries);
    free(t);
  }
  return NULL;
}

/*
 * msm(tables, fixedScalars, compressed, compressedScalars, coords, coordScalars)
 *   -> null | bigint[4] | number (index of the first invalid compressed point)
 */
static int get_bytes(napi_env env, napi_value v, uint8_t **data, size_t *len, const char *msg);

static napi_value js_msm(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_value result = NULL;
  ge_niels *pts = NULL;
  scalar *scal = NULL;
  const ge_niels **ftab = NULL;
  scalar *fscal = NULL;
  ge_ext *ext = NULL;
  uint32_t ntab = 0, nfs = 0, ncs = 0, nco = 0, ncos = 0;
  uint8_t *comp = NULL;
  size_t complen = 0;
  bool is_typed = false;

  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 6) {
    napi_throw_type_error(env, NULL, "msm: 6 arguments expected");
    return NULL;
  }
  CHECK(napi_get_array_length(env, argv[0], &ntab));
  CHECK(napi_get_array_length(env, argv[1], &nfs));
  CHECK(napi_is_typedarray(env, argv[2], &is_typed));
  if (!is_typed) {
    napi_throw_type_error(env, NULL, "msm: compressed must be a Uint8Array");
    return NULL;
  }
  {
    napi_typedarray_type tt;
    napi_value ab;
    size_t off;
    CHECK(napi_get_typedarray_info(env, argv[2], &tt, &complen, (void **)&comp, &ab, &off));
    if (tt != napi_uint8_array) {
      napi_throw_type_error(env, NULL, "msm: compressed must be a Uint8Array");
      return NULL;
    }
  }
  CHECK(napi_get_array_length(env, argv[3], &ncs));
  CHECK(napi_get_array_length(env, argv[4], &nco));
  CHECK(napi_get_array_length(env, argv[5], &ncos));
  if (ntab != nfs || complen != (size_t)ncs * 32 || nco != ncos * 4) {
    napi_throw_range_error(env, NULL, "msm: argument lengths disagree");
    return NULL;
  }

  /* Fixed terms. */
  size_t nf = 0;
  int fwin = window_count(TABLE_C);
  {
    size_t total = 0;
    for (uint32_t j = 0; j < ntab; j++) {
      napi_value sv;
      uint32_t l;
      bool packed = false;
      CHECK(napi_get_element(env, argv[1], j, &sv));
      CHECK(napi_is_typedarray(env, sv, &packed));
      if (packed) {
        uint8_t *pb;
        size_t pl;
        if (!get_bytes(env, sv, &pb, &pl, "msm: packed scalars must be a Uint8Array")) goto fail;
        l = (uint32_t)(pl / 32);
      } else {
        CHECK(napi_get_array_length(env, sv, &l));
      }
      total += l;
    }
    ftab = (const ge_niels **)malloc((total ? total : 1) * sizeof(*ftab));
    fscal = (scalar *)malloc((total ? total : 1) * sizeof(scalar));
    if (ftab == NULL || fscal == NULL) goto oom;
    for (uint32_t j = 0; j < ntab; j++) {
      napi_value tv, sv;
      uint32_t l;
      fixed_table *t;
      CHECK(napi_get_element(env, argv[0], j, &tv));
      CHECK(napi_get_value_external(env, tv, (void **)&t));
      bool packed = false;
      uint8_t *pb = NULL;
      size_t pl = 0;
      CHECK(napi_get_element(env, argv[1], j, &sv));
      CHECK(napi_is_typedarray(env, sv, &packed));
      if (packed) {
        if (!get_bytes(env, sv, &pb, &pl, "msm: packed scalars must be a Uint8Array")) goto fail;
        if (pl % 32 != 0) {
          napi_throw_range_error(env, NULL, "msm: packed scalars must be 32-byte words");
          goto fail;
        }
        l = (uint32_t)(pl / 32);
      } else {
        CHECK(napi_get_array_length(env, sv, &l));
      }
      if (l > t->n) {
        napi_throw_range_error(env, NULL, "msm: more fixed scalars than bases");
        goto fail;
      }
      for (uint32_t i = 0; i < l; i++) {
        scalar s;
        if (packed) {
          load_words(s.w, pb + 32 * (size_t)i);
          sc chk;
          memcpy(chk.v, s.w, sizeof(chk.v));
          if (!sc_is_canonical(&chk)) {
            napi_throw_range_error(env, NULL, "msm: scalar out of range [0, l)");
            goto fail;
          }
        } else if (!get_scalar(env, sv, i, &s)) {
          napi_throw_range_error(env, NULL, "msm: bad scalar");
          goto fail;
        }
        if ((s.w[0] | s.w[1] | s.w[2] | s.w[3]) == 0) continue;
        ftab[nf] = &t->entries[(size_t)i * (size_t)t->windows];
        fscal[nf] = s;
        nf++;
      }
    }
  }

  /* Dynamic points: decode the compressed ones (all of them, even under a zero scalar). */
  size_t ndyn = (size_t)ncs + (size_t)ncos;
  pts = (ge_niels *)malloc((ndyn ? ndyn : 1) * sizeof(ge_niels));
  scal = (scalar *)malloc((ndyn ? ndyn : 1) * sizeof(scalar));
  if (pts == NULL || scal == NULL) goto oom;
  size_t n = 0;
  for (uint32_t i = 0; i < ncs; i++) {
    ge_ext p;
    if (!ristretto_decode(&p, comp + 32 * (size_t)i)) {
      napi_create_uint32(env, i, &result);
      goto done;
    }
    scalar s;
    if (!get_scalar(env, argv[3], i, &s)) {
      napi_throw_range_error(env, NULL, "msm: bad scalar");
      goto fail;
    }
    if ((s.w[0] | s.w[1] | s.w[2] | s.w[3]) == 0) continue;
    fe_add(&pts[n].ypx, &p.Y, &p.X);
    fe_carry(&pts[n].ypx);
    fe_sub(&pts[n].ymx, &p.Y, &p.X);
    fe_carry(&pts[n].ymx);
    fe_mul(&pts[n].t2d, &p.T, &FE_D2);
    scal[n] = s;
    n++;
  }
  /* Points given by coordinates: normalise together with one inversion. */
  {
    ext = (ge_ext *)malloc((ncos ? ncos : 1) * sizeof(ge_ext));
    if (ext == NULL) goto oom;
    size_t m = 0;
    for (uint32_t i = 0; i < ncos; i++) {
      scalar s;
      if (!get_scalar(env, argv[5], i, &s)) {
        napi_throw_range_error(env, NULL, "msm: bad scalar");
        goto fail;
      }
      if ((s.w[0] | s.w[1] | s.w[2] | s.w[3]) == 0) continue;
      ge_ext *p = &ext[m];
      if (!get_coord(env, argv[4], 4 * i, &p->X) || !get_coord(env, argv[4], 4 * i + 1, &p->Y) ||
          !get_coord(env, argv[4], 4 * i + 2, &p->Z) || !get_coord(env, argv[4], 4 * i + 3, &p->T)) {
        napi_throw_range_error(env, NULL, "msm: bad coordinate");
        goto fail;
      }
      scal[n + m] = s;
      m++;
    }
    if (!ge_ext_to_niels_batch(pts + n, ext, m)) goto oom;
    n += m;
  }

  {
    ge_ext out;
    int got = msm_core(&out, pts, scal, n, ftab, fscal, nf, fwin);
    if (got < 0) goto oom;
    if (got == 0 || ge_is_ristretto_identity(&out)) result = js_null(env);
    else result = make_coords(env, &out);
  }
  goto done;

oom:
  napi_throw_error(env, "ZKVM_NATIVE_OOM", "msm: out of memory");
fail:
  result = NULL;
done:
  free(pts);
  free(scal);
  free(ftab);
  free(fscal);
  free(ext);
  return result;
}

/* decode(bytes) -> null | bigint[4] */
static napi_value js_decode(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  bool is_typed = false;
  napi_typedarray_type tt;
  size_t len, off;
  uint8_t *data;
  napi_value ab;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(napi_is_typedarray(env, argv[0], &is_typed));
  if (!is_typed) goto type;
  CHECK(napi_get_typedarray_info(env, argv[0], &tt, &len, (void **)&data, &ab, &off));
  if (tt != napi_uint8_array || len != 32) goto type;
  {
    ge_ext p;
    if (!ristretto_decode(&p, data)) return js_null(env);
    return make_coords(env, &p);
  }
type:
  napi_throw_type_error(env, NULL, "decode: 32-byte Uint8Array expected");
fail:
  return NULL;
}

/* ---------------------------------------------------------------- scalar kernels (N-API) */

/* Reads a BigInt in [0, l) into a (plain form); returns 0 otherwise. */
static int get_sc(napi_env env, napi_value v, sc *a) {
  if (!get_words(env, v, a->v)) return 0;
  return sc_is_canonical(a);
}

static int get_sc_elem(napi_env env, napi_value arr, uint32_t i, sc *a) {
  napi_value v;
  if (napi_get_element(env, arr, i, &v) != napi_ok) return 0;
  return get_sc(env, v, a);
}

/* Reads a Uint8Array argument; returns 0 (after throwing a TypeError) if it is not one. */
static int get_bytes(napi_env env, napi_value v, uint8_t **data, size_t *len, const char *msg) {
  bool is_typed = false;
  napi_typedarray_type tt;
  napi_value ab;
  size_t off;
  if (napi_is_typedarray(env, v, &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, v, &tt, len, (void **)data, &ab, &off) != napi_ok || tt != napi_uint8_array) {
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  return 1;
}

/* A new Uint8Array of `len` bytes; *data points at its storage. */
static napi_value new_bytes(napi_env env, size_t len, uint8_t **data) {
  napi_value ab, arr;
  if (napi_create_arraybuffer(env, len, (void **)data, &ab) != napi_ok) return NULL;
  if (napi_create_typedarray(env, napi_uint8_array, len, ab, 0, &arr) != napi_ok) return NULL;
  return arr;
}

/*
 * The per-generator scalars of the R1CS verification equation (bulletproofs cs-proof.md, verifier),
 * written packed into out (g then h, 64 * padded bytes); all inputs in plain form (not Montgomery):
 *   s_0 = sFirst = 1/(u_1...u_k), s_i = s_(i - 2^b) * uSq[k-1-b] for the top bit b of i;
 *   yNegWR_i = y^-i wR_i (0 for i >= n), delta = Sum yNegWR_i wL_i;
 *   g_i = uOr1 (x yNegWR_i - a s_i),  h_i = uOr1 (y^-i (x wL_i + wO_i - b s_(padded-1-i)) - 1),
 * with uOr1 = 1 for i < n1 and u otherwise. The JS reference is `finishVerification`.
 * Returns 0 if out of memory.
 */
static int bp_core(uint8_t *out, sc *delta_out, uint32_t n1, uint32_t n, uint32_t padded, const sc p[6],
                   const sc *wl, const sc *wr, const sc *wo, const sc *usq_plain, uint32_t k) {
  sc *s = (sc *)malloc((size_t)padded * sizeof(sc));
  sc *usq = (sc *)malloc(((size_t)k + 1) * sizeof(sc));
  if (s == NULL || usq == NULL) {
    free(s);
    free(usq);
    return 0;
  }
  for (uint32_t j = 0; j < k; j++) sc_to_mont(&usq[j], &usq_plain[j]);
  /* Mixed forms: mont_mul(A R, b) = A b, so a Montgomery factor times a plain one is plain. */
  sc yinv, x, u, a, b, ux, ua;
  sc_to_mont(&yinv, &p[0]);
  sc_to_mont(&x, &p[1]);
  sc_to_mont(&u, &p[2]);
  sc_to_mont(&a, &p[3]);
  sc_to_mont(&b, &p[4]);
  sc_mont_mul(&ux, &x, &u); /* Montgomery u x */
  sc_mont_mul(&ua, &a, &u);
  s[0] = p[5]; /* s in plain form */
  for (uint32_t i = 1; i < padded; i++) {
    int lg = 31 - __builtin_clz(i);
    sc_mont_mul(&s[i], &s[i - (1u << lg)], &usq[k - 1 - (uint32_t)lg]);
  }
  sc yi = SC_MONT_ONE, delta = SC_ZERO;
  for (uint32_t i = 0; i < padded; i++) {
    const int late = i >= n1; /* uOr1 = u */
    const sc *X = late ? &ux : &x, *A = late ? &ua : &a;
    sc ynwr = SC_ZERO, g, h, t, t2;
    if (i < n) {
      sc_mont_mul(&ynwr, &yi, &wr[i]);      /* plain y^-i wR_i */
      sc_mont_mul(&t, &ynwr, &wl[i]);       /* (y^-i wR_i wL_i) / R */
      sc_add(&delta, &delta, &t);           /* accumulates delta / R */
    }
    /* g = uOr1 x yNegWR - uOr1 a s_i */
    sc_mont_mul(&g, X, &ynwr);
    sc_mont_mul(&t, A, &s[i]);
    sc_sub(&g, &g, &t);
    /* t = x wL + wO - b s_(padded-1-i), plain */
    sc_mont_mul(&t, &b, &s[padded - 1 - i]);
    if (i < n) {
      sc_mont_mul(&t2, &x, &wl[i]);
      sc_add(&t2, &t2, &wo[i]);
      sc_sub(&t, &t2, &t);
    } else {
      sc_sub(&t, &SC_ZERO, &t);
    }
    /* h = uOr1 (y^-i t - 1) */
    sc_mont_mul(&h, &yi, &t);
    sc_sub(&h, &h, &SC_ONE);
    if (late) sc_mont_mul(&h, &h, &u);
    sc_store(out + 32 * (size_t)i, &g);
    sc_store(out + 32 * ((size_t)padded + i), &h);
    sc_mont_mul(&yi, &yi, &yinv);
  }
  sc_mont_mul(delta_out, &delta, &SC_R2); /* (delta / R) R^2 / R = delta */
  free(s);
  free(usq);
  return 1;
}

/* Reads n BigInts in [0, l) from a JS array; returns 0 on a bad element. */
static int get_sc_array(napi_env env, napi_value arr, uint32_t n, sc *out) {
  for (uint32_t i = 0; i < n; i++)
    if (!get_sc_elem(env, arr, i, &out[i])) return 0;
  return 1;
}

/*
 * bpScalars(n1, n, padded, [yInv, x, u, a, b, sFirst], wL, wR, wO, uSq)
 *   -> [Uint8Array(64 * padded): g scalars then h scalars, packed; delta: bigint]
 */
static napi_value js_bp_scalars(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8], result = NULL, out_bytes, delta_v;
  sc *w = NULL, *usq = NULL;
  uint8_t *out;
  uint32_t n1, n, padded, k, len;
  sc p[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 8) {
    napi_throw_type_error(env, NULL, "bpScalars: 8 arguments expected");
    return NULL;
  }
  CHECK(napi_get_value_uint32(env, argv[0], &n1));
  CHECK(napi_get_value_uint32(env, argv[1], &n));
  CHECK(napi_get_value_uint32(env, argv[2], &padded));
  CHECK(napi_get_array_length(env, argv[7], &k));
  if (k >= 32 || padded != (1u << k) || n > padded || n1 > n) {
    napi_throw_range_error(env, NULL, "bpScalars: inconsistent sizes");
    return NULL;
  }
  CHECK(napi_get_array_length(env, argv[3], &len));
  if (len != 6) {
    napi_throw_range_error(env, NULL, "bpScalars: 6 challenge scalars expected");
    return NULL;
  }
  {
    uint32_t a, b, c;
    CHECK(napi_get_array_length(env, argv[4], &a));
    CHECK(napi_get_array_length(env, argv[5], &b));
    CHECK(napi_get_array_length(env, argv[6], &c));
    if (a != n || b != n || c != n) {
      napi_throw_range_error(env, NULL, "bpScalars: weight vectors must have n entries");
      return NULL;
    }
  }
  w = (sc *)malloc((3 * (size_t)n + 1) * sizeof(sc));
  usq = (sc *)malloc(((size_t)k + 1) * sizeof(sc));
  if (w == NULL || usq == NULL) goto oom;
  if (!get_sc_array(env, argv[3], 6, p) || !get_sc_array(env, argv[4], n, w) ||
      !get_sc_array(env, argv[5], n, w + n) || !get_sc_array(env, argv[6], n, w + 2 * (size_t)n) ||
      !get_sc_array(env, argv[7], k, usq))
    goto bad_scalar;
  out_bytes = new_bytes(env, (size_t)padded * 64, &out);
  if (out_bytes == NULL) goto napi_fail;
  {
    sc delta;
    if (!bp_core(out, &delta, n1, n, padded, p, w, w + n, w + 2 * (size_t)n, usq, k)) goto oom;
    CHECK(napi_create_bigint_words(env, 0, 4, delta.v, &delta_v));
  }
  CHECK(napi_create_array_with_length(env, 2, &result));
  CHECK(napi_set_element(env, result, 0, out_bytes));
  CHECK(napi_set_element(env, result, 1, delta_v));
  goto done;
bad_scalar:
  napi_throw_range_error(env, NULL, "bpScalars: scalar out of range [0, l)");
  goto fail;
oom:
  napi_throw_error(env, "ZKVM_NATIVE_OOM", "bpScalars: out of memory");
  goto fail;
napi_fail:
  napi_throw_error(env, "ZKVM_NATIVE", "bpScalars: N-API call failed");
fail:
  result = NULL;
done:
  free(w);
  free(usq);
  return result;
}

/* Term codes of r1csScalars: kind in the low 3 bits, coefficient tag above. */
#define TERM_KIND_MASK 7
#define TERM_COEFF_GENERAL 0 /* the next BigInt of `coeffs` */
#define TERM_COEFF_ONE 1
#define TERM_COEFF_MINUS_ONE 2

/*
 * r1csScalars(sizes: Uint32Array [n1, n, m, padded, q], challenges [z, yInv, x, u, a, b, sFirst],
 *             terms: Int32Array [code, index] per term, coeffs: bigint[], ends: Uint32Array(q), uSq)
 *   -> [Uint8Array(64 * padded) g then h, delta, wV: bigint[m], wc: bigint]
 *
 * Flattens the constraints with powers of z (constraint j weighted by z^(j+1); committed and
 * constant terms change sign; JS reference `flattenConstraints`), then computes what bp_core does.
 * Kinds: 0 committed, 1 left, 2 right, 3 output, 4 one (VariableKind).
 */
static napi_value js_r1cs_scalars(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6], result = NULL, out_bytes, tmp, wv_arr;
  sc *w = NULL, *wv = NULL, *usq = NULL;
  uint8_t *out;
  uint32_t *sizes, *ends;
  int32_t *terms;
  size_t sizes_len, terms_len, ends_len;
  uint32_t k, ncoeffs, len;
  sc ch[7];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 6) {
    napi_throw_type_error(env, NULL, "r1csScalars: 6 arguments expected");
    return NULL;
  }
  {
    napi_typedarray_type tt;
    napi_value ab;
    size_t off;
    bool ok1 = false, ok2 = false, ok3 = false;
    CHECK(napi_is_typedarray(env, argv[0], &ok1));
    CHECK(napi_is_typedarray(env, argv[2], &ok2));
    CHECK(napi_is_typedarray(env, argv[4], &ok3));
    if (!ok1 || !ok2 || !ok3) goto type;
    CHECK(napi_get_typedarray_info(env, argv[0], &tt, &sizes_len, (void **)&sizes, &ab, &off));
    if (tt != napi_uint32_array) goto type;
    CHECK(napi_get_typedarray_info(env, argv[2], &tt, &terms_len, (void **)&terms, &ab, &off));
    if (tt != napi_int32_array) goto type;
    CHECK(napi_get_typedarray_info(env, argv[4], &tt, &ends_len, (void **)&ends, &ab, &off));
    if (tt != napi_uint32_array) goto type;
  }
  CHECK(napi_get_array_length(env, argv[1], &len));
  CHECK(napi_get_array_length(env, argv[3], &ncoeffs));
  CHECK(napi_get_array_length(env, argv[5], &k));
  if (sizes_len != 5 || len != 7 || terms_len % 2 != 0) goto sizes_bad;
  const uint32_t n1 = sizes[0], n = sizes[1], m = sizes[2], padded = sizes[3], q = sizes[4];
  if (k >= 32 || padded != (1u << k) || n > padded || n1 > n || ends_len != q) goto sizes_bad;
  for (uint32_t j = 0; j < q; j++)
    if (ends[j] > terms_len / 2 || (j > 0 && ends[j] < ends[j - 1])) goto sizes_bad;
  w = (sc *)calloc(3 * (size_t)n + 1, sizeof(sc));
  wv = (sc *)calloc((size_t)m + 1, sizeof(sc));
  usq = (sc *)malloc(((size_t)k + 1) * sizeof(sc));
  if (w == NULL || wv == NULL || usq == NULL) goto oom;
  if (!get_sc_array(env, argv[1], 7, ch) || !get_sc_array(env, argv[5], k, usq)) goto bad_scalar;
  sc *wl = w, *wr = w + n, *wo = w + 2 * (size_t)n;
  sc wc = SC_ZERO;
  {
    sc zm, zpm;
    sc_to_mont(&zm, &ch[0]);
    zpm = zm;
    uint32_t t = 0, ci = 0;
    for (uint32_t j = 0; j < q; j++) {
      sc zp;
      sc_from_mont(&zp, &zpm);
      for (; t < ends[j]; t++) {
        int32_t code = terms[2 * t], idx = terms[2 * t + 1];
        int kind = code & TERM_KIND_MASK, tag = code >> 3;
        sc c;
        if (tag == TERM_COEFF_GENERAL) {
          sc coeff;
          if (ci >= ncoeffs || !get_sc_elem(env, argv[3], ci, &coeff)) goto bad_scalar;
          ci++;
          sc_mont_mul(&c, &zpm, &coeff); /* plain z^(j+1) coeff */
        } else if (tag == TERM_COEFF_ONE) {
          c = zp;
        } else if (tag == TERM_COEFF_MINUS_ONE) {
          sc_sub(&c, &SC_ZERO, &zp);
        } else {
          goto sizes_bad;
        }
        uint32_t bound = kind == 0 ? m : kind == 4 ? 1 : n;
        if (idx < 0 || (uint32_t)idx >= bound || kind > 4) {
          napi_throw_range_error(env, NULL, "r1csScalars: constraint uses an unknown variable");
          goto fail;
        }
        switch (kind) {
          case 0: sc_sub(&wv[idx], &wv[idx], &c); break;
          case 1: sc_add(&wl[idx], &wl[idx], &c); break;
          case 2: sc_add(&wr[idx], &wr[idx], &c); break;
          case 3: sc_add(&wo[idx], &wo[idx], &c); break;
          default: sc_sub(&wc, &wc, &c); break;
        }
      }
      sc_mont_mul(&zpm, &zpm, &zm);
    }
    if (t != terms_len / 2 || ci != ncoeffs) goto sizes_bad;
  }
  out_bytes = new_bytes(env, (size_t)padded * 64, &out);
  if (out_bytes == NULL) goto napi_fail;
  {
    sc delta;
    if (!bp_core(out, &delta, n1, n, padded, ch + 1, wl, wr, wo, usq, k)) goto oom;
    CHECK(napi_create_array_with_length(env, 4, &result));
    CHECK(napi_set_element(env, result, 0, out_bytes));
    CHECK(napi_create_bigint_words(env, 0, 4, delta.v, &tmp));
    CHECK(napi_set_element(env, result, 1, tmp));
    CHECK(napi_create_array_with_length(env, m, &wv_arr));
    for (uint32_t i = 0; i < m; i++) {
      CHECK(napi_create_bigint_words(env, 0, 4, wv[i].v, &tmp));
      CHECK(napi_set_element(env, wv_arr, i, tmp));
    }
    CHECK(napi_set_element(env, result, 2, wv_arr));
    CHECK(napi_create_bigint_words(env, 0, 4, wc.v, &tmp));
    CHECK(napi_set_element(env, result, 3, tmp));
  }
  goto done;
type:
  napi_throw_type_error(env, NULL, "r1csScalars: sizes, terms and ends must be typed arrays");
  goto fail;
sizes_bad:
  napi_throw_range_error(env, NULL, "r1csScalars: inconsistent sizes");
  goto fail;
bad_scalar:
  napi_throw_range_error(env, NULL, "r1csScalars: scalar out of range [0, l)");
  goto fail;
oom:
  napi_throw_error(env, "ZKVM_NATIVE_OOM", "r1csScalars: out of memory");
  goto fail;
napi_fail:
  napi_throw_error(env, "ZKVM_NATIVE", "r1csScalars: N-API call failed");
fail:
  result = NULL;
done:
  free(w);
  free(wv);
  free(usq);
  return result;
}

/* invert(x: bigint in [1, l)) -> 1/x mod l (RangeError for 0 or out of range). */
static napi_value js_invert(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result = NULL;
  sc x, xm, r;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || !get_sc(env, argv[0], &x) || (x.v[0] | x.v[1] | x.v[2] | x.v[3]) == 0) {
    napi_throw_range_error(env, NULL, "invert: scalar must be in [1, l)");
    return NULL;
  }
  sc_to_mont(&xm, &x);
  sc_invert_mont(&r, &xm);
  sc_from_mont(&r, &r);
  CHECK(napi_create_bigint_words(env, 0, 4, r.v, &result));
  return result;
fail:
  return NULL;
}

/* axpy(acc: Uint8Array(32m), w: bigint, v: Uint8Array(32k), k <= m): acc_i = acc_i + w v_i mod l. */
static napi_value js_axpy(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  uint8_t *acc, *vec;
  size_t alen, vlen;
  sc w;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3) {
    napi_throw_type_error(env, NULL, "axpy: 3 arguments expected");
    return NULL;
  }
  if (!get_bytes(env, argv[0], &acc, &alen, "axpy: acc must be a Uint8Array")) return NULL;
  if (!get_bytes(env, argv[2], &vec, &vlen, "axpy: v must be a Uint8Array")) return NULL;
  if (alen % 32 != 0 || vlen % 32 != 0 || vlen > alen) {
    napi_throw_range_error(env, NULL, "axpy: bad lengths");
    return NULL;
  }
  if (!get_sc(env, argv[1], &w)) {
    napi_throw_range_error(env, NULL, "axpy: scalar out of range [0, l)");
    return NULL;
  }
  /* Check everything before writing anything. */
  for (size_t i = 0; i < vlen / 32; i++) {
    sc a, b;
    sc_load(&a, acc + 32 * i);
    sc_load(&b, vec + 32 * i);
    if (!sc_is_canonical(&a) || !sc_is_canonical(&b)) {
      napi_throw_range_error(env, NULL, "axpy: scalar out of range [0, l)");
      return NULL;
    }
  }
  sc wm;
  sc_to_mont(&wm, &w);
  int is_one = w.v[0] == 1 && (w.v[1] | w.v[2] | w.v[3]) == 0;
  for (size_t i = 0; i < vlen / 32; i++) {
    sc a, b;
    sc_load(&a, acc + 32 * i);
    sc_load(&b, vec + 32 * i);
    if (!is_one) sc_mont_mul(&b, &wm, &b); /* (w R)(b) / R = w b */
    sc_add(&a, &a, &b);
    sc_store(acc + 32 * i, &a);
  }
  return js_null(env);
fail:
  return NULL;
}

/*
 * ctMsm(coords: bigint[4n], scalars: bigint[n]) -> bigint[4] (canonical X, Y, Z, T)
 * Constant time in the scalars (ct_msm); the points are public. Scalars must be below l.
 */
static napi_value js_ct_msm(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], result = NULL;
  uint32_t nc = 0, ns = 0;
  ge_ext *pts = NULL;
  scalar *scal = NULL;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) {
    napi_throw_type_error(env, NULL, "ctMsm: 2 arguments expected");
    return NULL;
  }
  CHECK(napi_get_array_length(env, argv[0], &nc));
  CHECK(napi_get_array_length(env, argv[1], &ns));
  if (nc != 4 * ns) {
    napi_throw_range_error(env, NULL, "ctMsm: argument lengths disagree");
    return NULL;
  }
  pts = (ge_ext *)malloc((ns ? ns : 1) * sizeof(ge_ext));
  scal = (scalar *)malloc((ns ? ns : 1) * sizeof(scalar));
  if (pts == NULL || scal == NULL) goto oom;
  for (uint32_t i = 0; i < ns; i++) {
    ge_ext *p = &pts[i];
    if (!get_coord(env, argv[0], 4 * i, &p->X) || !get_coord(env, argv[0], 4 * i + 1, &p->Y) ||
        !get_coord(env, argv[0], 4 * i + 2, &p->Z) || !get_coord(env, argv[0], 4 * i + 3, &p->T)) {
      napi_throw_range_error(env, NULL, "ctMsm: bad coordinate");
      goto fail;
    }
    sc s;
    if (!get_sc_elem(env, argv[1], i, &s)) {
      napi_throw_range_error(env, NULL, "ctMsm: scalar out of range [0, l)");
      goto fail;
    }
    memcpy(scal[i].w, s.v, sizeof(scal[i].w));
  }
  {
    ge_ext out;
    if (!ct_msm(&out, pts, scal, ns)) goto oom;
    result = make_coords(env, &out);
    if (result == NULL) napi_throw_error(env, "ZKVM_NATIVE", "ctMsm: N-API call failed");
  }
  goto done;
oom:
  napi_throw_error(env, "ZKVM_NATIVE_OOM", "ctMsm: out of memory");
fail:
  result = NULL;
done:
  if (scal != NULL) { /* best-effort wipe of the secret scalars (volatile: not optimised away) */
    volatile uint8_t *vp = (volatile uint8_t *)scal;
    for (size_t i = 0; i < (ns ? ns : 1) * sizeof(scalar); i++) vp[i] = 0;
  }
  free(pts);
  free(scal);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"table", NULL, js_table, NULL, NULL, NULL, napi_enumerable, NULL},
      {"msm", NULL, js_msm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"decode", NULL, js_decode, NULL, NULL, NULL, napi_enumerable, NULL},
      {"bpScalars", NULL, js_bp_scalars, NULL, NULL, NULL, napi_enumerable, NULL},
      {"axpy", NULL, js_axpy, NULL, NULL, NULL, napi_enumerable, NULL},
      {"r1csScalars", NULL, js_r1cs_scalars, NULL, NULL, NULL, napi_enumerable, NULL},
      {"invert", NULL, js_invert, NULL, NULL, NULL, napi_enumerable, NULL},
      {"ctMsm", NULL, js_ct_msm, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, 8, props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
