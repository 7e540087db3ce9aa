/*
 * zkvm_msm: an optional native (N-API) multi-scalar multiplication backend for ristretto255,
 * used by src/crypto/msm/native.ts. VERIFICATION ONLY.
 *
 * !!! VARIABLE TIME. Every routine here branches and indexes memory on its inputs (scalar digits,
 * bucket occupancy, point validity). It must only ever be given PUBLIC data: verifier scalars
 * (challenges, batch weights, public proof values) and public points. Secret scalars (blinding
 * factors, keys, witnesses) must never reach this file; provers use noble's constant-time code.
 *
 * Contents:
 *   - arithmetic modulo p = 2^255 - 19 in radix 2^51 (five 64-bit limbs, 128-bit products);
 *   - ristretto255 decoding, RFC 9496 section 4.3.1, strict: non-canonical field encodings,
 *     negative s, non-square ratios, negative t and y = 0 are all rejected;
 *   - extended twisted Edwards arithmetic (a = -1), "add-2008-hwcd-3" / "dbl-2008-hwcd" formulas;
 *   - Pippenger's bucket method with signed digits for dynamic points, and per-point tables
 *     P * 2^(c*k) for registered fixed generator sets, whose digits go into one bucket set with no
 *     doublings.
 *
 * JS interface (all scalars are BigInts in [0, l), checked again here for shape only):
 *   table(coords: bigint[4n])                      -> External  (fixed-base tables of n points)
 *   msm(tables: External[], fixedScalars: bigint[][], compressed: Uint8Array (32m),
 *       compressedScalars: bigint[m], coords: bigint[4q], coordScalars: bigint[q])
 *     -> null (identity) | bigint[4] (canonical X, Y, Z, T) | number i (compressed point i invalid)
 *   decode(bytes: Uint8Array(32)) -> null | bigint[4]
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
 * acc = Sum scal[i] * pts[i] + Sum fscal[j] * (table entries of fixed point j).
 * ftab[j] points at the `fwin` table entries of fixed point j. Returns 1 with the sum in out, 0 for
 * the identity (nothing was added), -1 if out of memory.
 */
static int msm_core(ge_ext *out, const ge_niels *pts, const scalar *scal, size_t n, const ge_niels **ftab,
                    const scalar *fscal, size_t nf, int fwin) {
  int c = 1;
  if (n > 0) {
    double best = pippenger_cost(n, 1);
    for (int cc = 2; cc <= 16; cc++) {
      double cost = pippenger_cost(n, cc);
      if (cost < best) {
        best = cost;
        c = cc;
      }
    }
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

  if (n > 0) {
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
      CHECK(napi_get_element(env, argv[1], j, &sv));
      CHECK(napi_get_array_length(env, sv, &l));
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
      CHECK(napi_get_element(env, argv[1], j, &sv));
      CHECK(napi_get_array_length(env, sv, &l));
      if (l > t->n) {
        napi_throw_range_error(env, NULL, "msm: more fixed scalars than bases");
        goto fail;
      }
      for (uint32_t i = 0; i < l; i++) {
        scalar s;
        if (!get_scalar(env, sv, i, &s)) {
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

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"table", NULL, js_table, NULL, NULL, NULL, napi_enumerable, NULL},
      {"msm", NULL, js_msm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"decode", NULL, js_decode, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, 3, props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
