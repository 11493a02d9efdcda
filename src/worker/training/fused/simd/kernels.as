// WebAssembly SIMD (f64x2) kernels of the fused trainer, in AssemblyScript. Compiled by
// scripts/build-simd.mjs into simd-module.ts (committed; a unit test recompiles and compares).
// Every pointer is a byte address in the memory the host imports; every array is float64.
// Each kernel adds its terms in the same order as the JS reference (../kernels.ts, ../adam.ts) and
// uses only IEEE-exact lane operations (add, mul, div, sqrt, max, compare/select), so results are bit
// for bit those of the JS path: the SIMD lanes run across independent outputs, never across a sum.

/**
 * C[m][n] = I[m][n] + Σ_p A[m][p]·B[p][n], p ascending, for m < M, n < N. A's element (m, p) is at
 * a + m·aRow + p·aCol (byte strides), B's rows are bRow bytes apart, C's rows cRow bytes apart.
 * I[m][n] is at init + m·iRow + 8n: iRow = 0 broadcasts a bias row, init = c with iRow = cRow
 * accumulates into C; init = 0 means zeros. Tiles of 4 rows × 4 columns (8 f64x2 sums fed by 2
 * loads + 4 splats per p).
 */
export function gemm(a: usize, aRow: usize, aCol: usize, b: usize, bRow: usize, c: usize, cRow: usize, M: i32, N: i32, P: i32, init: usize, iRow: usize): void {
  const z = f64x2.splat(0);
  let n = 0;
  for (; n + 4 <= N; n += 4) {
    const nb = <usize>n << 3;
    let m = 0;
    for (; m + 4 <= M; m += 4) {
      let s00 = z, s01 = z, s10 = z, s11 = z, s20 = z, s21 = z, s30 = z, s31 = z;
      if (init != 0) {
        const pi = init + <usize>m * iRow + nb;
        s00 = v128.load(pi);
        s01 = v128.load(pi, 16);
        s10 = v128.load(pi + iRow);
        s11 = v128.load(pi + iRow, 16);
        s20 = v128.load(pi + 2 * iRow);
        s21 = v128.load(pi + 2 * iRow, 16);
        s30 = v128.load(pi + 3 * iRow);
        s31 = v128.load(pi + 3 * iRow, 16);
      }
      let pa = a + <usize>m * aRow;
      let pb = b + nb;
      for (let p = 0; p < P; p++) {
        const w0 = v128.load(pb);
        const w1 = v128.load(pb, 16);
        let u = f64x2.splat(load<f64>(pa));
        s00 = f64x2.add(s00, f64x2.mul(u, w0));
        s01 = f64x2.add(s01, f64x2.mul(u, w1));
        u = f64x2.splat(load<f64>(pa + aRow));
        s10 = f64x2.add(s10, f64x2.mul(u, w0));
        s11 = f64x2.add(s11, f64x2.mul(u, w1));
        u = f64x2.splat(load<f64>(pa + 2 * aRow));
        s20 = f64x2.add(s20, f64x2.mul(u, w0));
        s21 = f64x2.add(s21, f64x2.mul(u, w1));
        u = f64x2.splat(load<f64>(pa + 3 * aRow));
        s30 = f64x2.add(s30, f64x2.mul(u, w0));
        s31 = f64x2.add(s31, f64x2.mul(u, w1));
        pa += aCol;
        pb += bRow;
      }
      const pc = c + <usize>m * cRow + nb;
      v128.store(pc, s00);
      v128.store(pc, s01, 16);
      v128.store(pc + cRow, s10);
      v128.store(pc + cRow, s11, 16);
      v128.store(pc + 2 * cRow, s20);
      v128.store(pc + 2 * cRow, s21, 16);
      v128.store(pc + 3 * cRow, s30);
      v128.store(pc + 3 * cRow, s31, 16);
    }
    for (; m < M; m++) {
      let s0 = z, s1 = z;
      if (init != 0) {
        const pi = init + <usize>m * iRow + nb;
        s0 = v128.load(pi);
        s1 = v128.load(pi, 16);
      }
      let pa = a + <usize>m * aRow;
      let pb = b + nb;
      for (let p = 0; p < P; p++) {
        const u = f64x2.splat(load<f64>(pa));
        s0 = f64x2.add(s0, f64x2.mul(u, v128.load(pb)));
        s1 = f64x2.add(s1, f64x2.mul(u, v128.load(pb, 16)));
        pa += aCol;
        pb += bRow;
      }
      const pc = c + <usize>m * cRow + nb;
      v128.store(pc, s0);
      v128.store(pc, s1, 16);
    }
  }
  if (n + 2 <= N) {
    const nb = <usize>n << 3;
    let m = 0;
    for (; m + 4 <= M; m += 4) {
      let s0 = z, s1 = z, s2 = z, s3 = z;
      if (init != 0) {
        const pi = init + <usize>m * iRow + nb;
        s0 = v128.load(pi);
        s1 = v128.load(pi + iRow);
        s2 = v128.load(pi + 2 * iRow);
        s3 = v128.load(pi + 3 * iRow);
      }
      let pa = a + <usize>m * aRow;
      let pb = b + nb;
      for (let p = 0; p < P; p++) {
        const w = v128.load(pb);
        s0 = f64x2.add(s0, f64x2.mul(f64x2.splat(load<f64>(pa)), w));
        s1 = f64x2.add(s1, f64x2.mul(f64x2.splat(load<f64>(pa + aRow)), w));
        s2 = f64x2.add(s2, f64x2.mul(f64x2.splat(load<f64>(pa + 2 * aRow)), w));
        s3 = f64x2.add(s3, f64x2.mul(f64x2.splat(load<f64>(pa + 3 * aRow)), w));
        pa += aCol;
        pb += bRow;
      }
      const pc = c + <usize>m * cRow + nb;
      v128.store(pc, s0);
      v128.store(pc + cRow, s1);
      v128.store(pc + 2 * cRow, s2);
      v128.store(pc + 3 * cRow, s3);
    }
    for (; m < M; m++) {
      let s0 = init != 0 ? v128.load(init + <usize>m * iRow + nb) : z;
      let pa = a + <usize>m * aRow;
      let pb = b + nb;
      for (let p = 0; p < P; p++) {
        s0 = f64x2.add(s0, f64x2.mul(f64x2.splat(load<f64>(pa)), v128.load(pb)));
        pa += aCol;
        pb += bRow;
      }
      v128.store(c + <usize>m * cRow + nb, s0);
    }
    n += 2;
  }
  if (n < N) {
    // One odd column: its rows in pairs, one per lane.
    const nb = <usize>n << 3;
    let m = 0;
    for (; m + 2 <= M; m += 2) {
      let s = z;
      if (init != 0) {
        const pi = init + <usize>m * iRow + nb;
        s = f64x2.replace_lane(f64x2.splat(load<f64>(pi)), 1, load<f64>(pi + iRow));
      }
      let pa = a + <usize>m * aRow;
      let pb = b + nb;
      for (let p = 0; p < P; p++) {
        const u = f64x2.replace_lane(f64x2.splat(load<f64>(pa)), 1, load<f64>(pa + aRow));
        s = f64x2.add(s, f64x2.mul(u, f64x2.splat(load<f64>(pb))));
        pa += aCol;
        pb += bRow;
      }
      store<f64>(c + <usize>m * cRow + nb, f64x2.extract_lane(s, 0));
      store<f64>(c + <usize>(m + 1) * cRow + nb, f64x2.extract_lane(s, 1));
    }
    if (m < M) {
      let s: f64 = init != 0 ? load<f64>(init + <usize>m * iRow + nb) : 0;
      let pa = a + <usize>m * aRow;
      let pb = b + nb;
      for (let p = 0; p < P; p++) {
        s += load<f64>(pa) * load<f64>(pb);
        pa += aCol;
        pb += bRow;
      }
      store<f64>(c + <usize>m * cRow + nb, s);
    }
  }
}

/** out[j] = Σ_i d[i][j], i ascending (bias gradients). */
export function colSum(d: usize, rows: i32, n: i32, out: usize): void {
  const row = <usize>n << 3;
  let j = 0;
  for (; j + 2 <= n; j += 2) {
    let s = f64x2.splat(0);
    let pd = d + (<usize>j << 3);
    for (let i = 0; i < rows; i++, pd += row) s = f64x2.add(s, v128.load(pd));
    v128.store(out + (<usize>j << 3), s);
  }
  if (j < n) {
    let s: f64 = 0;
    let pd = d + (<usize>j << 3);
    for (let i = 0; i < rows; i++, pd += row) s += load<f64>(pd);
    store<f64>(out + (<usize>j << 3), s);
  }
}

/** wt[j][k] = w[k][j] for a [nIn][nOut] kernel. */
export function transpose(w: usize, nIn: i32, nOut: i32, wt: usize): void {
  for (let k = 0; k < nIn; k++) for (let j = 0; j < nOut; j++) store<f64>(wt + ((<usize>(j * nIn + k)) << 3), load<f64>(w + ((<usize>(k * nOut + j)) << 3)));
}

/** h = max(h, 0) (NaN stays NaN, −0 becomes +0: Math.max's rules). */
export function relu(h: usize, n: i32): void {
  const z = f64x2.splat(0);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const p = h + (<usize>i << 3);
    v128.store(p, f64x2.max(v128.load(p), z));
  }
  if (i < n) {
    const p = h + (<usize>i << 3);
    store<f64>(p, Math.max(load<f64>(p), 0));
  }
}

/** h = h < 0 ? h·alpha : h. */
export function leaky(h: usize, n: i32, alpha: f64): void {
  const z = f64x2.splat(0);
  const al = f64x2.splat(alpha);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const p = h + (<usize>i << 3);
    const v = v128.load(p);
    v128.store(p, v128.bitselect(f64x2.mul(v, al), v, f64x2.lt(v, z)));
  }
  if (i < n) {
    const p = h + (<usize>i << 3);
    const v = load<f64>(p);
    if (v < 0) store<f64>(p, v * alpha);
  }
}

/** d = h > 0 ? d : 0 (relu backward from the output). */
export function reluBack(d: usize, h: usize, n: i32): void {
  const z = f64x2.splat(0);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    v128.store(d + o, v128.and(v128.load(d + o), f64x2.gt(v128.load(h + o), z)));
  }
  if (i < n) {
    const o = <usize>i << 3;
    if (!(load<f64>(h + o) > 0)) store<f64>(d + o, 0);
  }
}

/** d = h > 0 ? d : d·alpha. */
export function leakyBack(d: usize, h: usize, n: i32, alpha: f64): void {
  const z = f64x2.splat(0);
  const al = f64x2.splat(alpha);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    const v = v128.load(d + o);
    v128.store(d + o, v128.bitselect(v, f64x2.mul(v, al), f64x2.gt(v128.load(h + o), z)));
  }
  if (i < n) {
    const o = <usize>i << 3;
    if (!(load<f64>(h + o) > 0)) store<f64>(d + o, load<f64>(d + o) * alpha);
  }
}

/** out = a·b elementwise (dropout masks; out may be a). */
export function mul(a: usize, b: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    v128.store(out + o, f64x2.mul(v128.load(a + o), v128.load(b + o)));
  }
  if (i < n) {
    const o = <usize>i << 3;
    store<f64>(out + o, load<f64>(a + o) * load<f64>(b + o));
  }
}

/** √(Σ even-index g² + Σ odd-index g²): FusedAdam.norm's two running sums are the two lanes. */
export function norm(g: usize, n: i32): f64 {
  let s = f64x2.splat(0);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const v = v128.load(g + (<usize>i << 3));
    s = f64x2.add(s, f64x2.mul(v, v));
  }
  let s0 = f64x2.extract_lane(s, 0);
  if (i < n) {
    const v = load<f64>(g + (<usize>i << 3));
    s0 += v * v;
  }
  return Math.sqrt(s0 + f64x2.extract_lane(s, 1));
}

/** FusedAdam.step's update loop, operation for operation (see ../adam.ts). */
export function adam(p: usize, g: usize, m: usize, v: usize, n: i32, scale: f64, wd: f64, lr: f64, c1: f64, c2: f64, b1: f64, b2: f64, k1: f64, k2: f64, eps: f64): void {
  const vScale = f64x2.splat(scale), vWd = f64x2.splat(wd), vLr = f64x2.splat(lr), vC1 = f64x2.splat(c1), vC2 = f64x2.splat(c2);
  const vB1 = f64x2.splat(b1), vB2 = f64x2.splat(b2), vK1 = f64x2.splat(k1), vK2 = f64x2.splat(k2), vEps = f64x2.splat(eps);
  const tiny = f64x2.splat(1e-200), negTiny = f64x2.splat(-1e-200), z = f64x2.splat(0);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    const pv = v128.load(p + o);
    const gv = f64x2.add(f64x2.mul(v128.load(g + o), vScale), f64x2.mul(vWd, pv));
    let mi = f64x2.add(f64x2.mul(vB1, v128.load(m + o)), f64x2.mul(vK1, gv));
    let vi = f64x2.add(f64x2.mul(vB2, v128.load(v + o)), f64x2.mul(f64x2.mul(vK2, gv), gv));
    mi = v128.bitselect(z, mi, v128.and(f64x2.lt(mi, tiny), f64x2.gt(mi, negTiny)));
    vi = v128.bitselect(z, vi, f64x2.lt(vi, tiny));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    v128.store(p + o, f64x2.sub(pv, f64x2.div(f64x2.mul(vLr, f64x2.mul(mi, vC1)), f64x2.add(f64x2.sqrt(f64x2.mul(vi, vC2)), vEps))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 3;
    const pi = load<f64>(p + o);
    const gi = load<f64>(g + o) * scale + wd * pi;
    let mi = b1 * load<f64>(m + o) + k1 * gi;
    let vi = b2 * load<f64>(v + o) + k2 * gi * gi;
    if (mi < 1e-200 && mi > -1e-200) mi = 0;
    if (vi < 1e-200) vi = 0;
    store<f64>(m + o, mi);
    store<f64>(v + o, vi);
    store<f64>(p + o, pi - (lr * (mi * c1)) / (Math.sqrt(vi * c2) + eps));
  }
}

// ---- float32 kernels of batched recurrent inference (../infer-rnn.ts) ----
// Inference only: float32 lanes (f32x4, twice the f64x2 throughput) within the 1e-6 agreement with the
// float64 path that a unit test holds them to. Pointers are byte addresses of float32 arrays.

/**
 * C[m][n] = I[m][n] + Σ_p A[m][p]·B[p][n] in float32, p ascending; A's rows are contiguous along p
 * (aRow bytes apart), B's rows bRow bytes apart, C's cRow; I as gemm's (init = 0: zeros, iRow = 0: a
 * bias row broadcast, init = c: accumulate). Tiles of 4 rows × 8 columns (8 f32x4 sums fed by 2 loads
 * and 4 broadcasts per p), then 4-column and single-column tails.
 */
export function sgemm(a: usize, aRow: usize, b: usize, bRow: usize, c: usize, cRow: usize, M: i32, N: i32, P: i32, init: usize, iRow: usize): void {
  const z = f32x4.splat(0);
  let n = 0;
  for (; n + 8 <= N; n += 8) {
    const nb = <usize>n << 2;
    let m = 0;
    for (; m + 4 <= M; m += 4) {
      let s00 = z, s01 = z, s10 = z, s11 = z, s20 = z, s21 = z, s30 = z, s31 = z;
      if (init != 0) {
        const pi = init + <usize>m * iRow + nb;
        s00 = v128.load(pi);
        s01 = v128.load(pi, 16);
        s10 = v128.load(pi + iRow);
        s11 = v128.load(pi + iRow, 16);
        s20 = v128.load(pi + 2 * iRow);
        s21 = v128.load(pi + 2 * iRow, 16);
        s30 = v128.load(pi + 3 * iRow);
        s31 = v128.load(pi + 3 * iRow, 16);
      }
      let pa = a + <usize>m * aRow;
      let pb = b + nb;
      for (let p = 0; p < P; p++) {
        const w0 = v128.load(pb);
        const w1 = v128.load(pb, 16);
        let u = v128.load32_splat(pa);
        s00 = f32x4.add(s00, f32x4.mul(u, w0));
        s01 = f32x4.add(s01, f32x4.mul(u, w1));
        u = v128.load32_splat(pa + aRow);
        s10 = f32x4.add(s10, f32x4.mul(u, w0));
        s11 = f32x4.add(s11, f32x4.mul(u, w1));
        u = v128.load32_splat(pa + 2 * aRow);
        s20 = f32x4.add(s20, f32x4.mul(u, w0));
        s21 = f32x4.add(s21, f32x4.mul(u, w1));
        u = v128.load32_splat(pa + 3 * aRow);
        s30 = f32x4.add(s30, f32x4.mul(u, w0));
        s31 = f32x4.add(s31, f32x4.mul(u, w1));
        pa += 4;
        pb += bRow;
      }
      const pc = c + <usize>m * cRow + nb;
      v128.store(pc, s00);
      v128.store(pc, s01, 16);
      v128.store(pc + cRow, s10);
      v128.store(pc + cRow, s11, 16);
      v128.store(pc + 2 * cRow, s20);
      v128.store(pc + 2 * cRow, s21, 16);
      v128.store(pc + 3 * cRow, s30);
      v128.store(pc + 3 * cRow, s31, 16);
    }
    for (; m < M; m++) {
      let s0 = z, s1 = z;
      if (init != 0) {
        const pi = init + <usize>m * iRow + nb;
        s0 = v128.load(pi);
        s1 = v128.load(pi, 16);
      }
      let pa = a + <usize>m * aRow;
      let pb = b + nb;
      for (let p = 0; p < P; p++) {
        const u = v128.load32_splat(pa);
        s0 = f32x4.add(s0, f32x4.mul(u, v128.load(pb)));
        s1 = f32x4.add(s1, f32x4.mul(u, v128.load(pb, 16)));
        pa += 4;
        pb += bRow;
      }
      const pc = c + <usize>m * cRow + nb;
      v128.store(pc, s0);
      v128.store(pc, s1, 16);
    }
  }
  for (; n + 4 <= N; n += 4) {
    const nb = <usize>n << 2;
    for (let m = 0; m < M; m++) {
      let s = init != 0 ? v128.load(init + <usize>m * iRow + nb) : z;
      let pa = a + <usize>m * aRow;
      let pb = b + nb;
      for (let p = 0; p < P; p++) {
        s = f32x4.add(s, f32x4.mul(v128.load32_splat(pa), v128.load(pb)));
        pa += 4;
        pb += bRow;
      }
      v128.store(c + <usize>m * cRow + nb, s);
    }
  }
  for (; n < N; n++) {
    const nb = <usize>n << 2;
    for (let m = 0; m < M; m++) {
      let s: f32 = init != 0 ? load<f32>(init + <usize>m * iRow + nb) : 0;
      let pa = a + <usize>m * aRow;
      let pb = b + nb;
      for (let p = 0; p < P; p++) {
        s += load<f32>(pa) * load<f32>(pb);
        pa += 4;
        pb += bRow;
      }
      store<f32>(c + <usize>m * cRow + nb, s);
    }
  }
}

// tanh as a rational function of x on [−7.9988, 7.9988] (±1 beyond, to float32 precision), the
// minimax approximation Eigen uses for float (odd numerator of degree 13, even denominator of
// degree 6): within a few float32 ulps of tanh. The constants live in a table in memory (initConstants
// writes it; every cell kernel takes its address `k`): V8 rebuilds a v128 constant from scalars at each
// use, a table entry is one load. Clamps use pmin/pmax with the value first (one instruction each;
// f32x4.min/max are long sequences), which keeps NaN NaN.
const TANH_CLAMP: f32 = 7.99881172180175781;
const K_CLAMP = 0;
const K_A13 = 16;
const K_A11 = 32;
const K_A9 = 48;
const K_A7 = 64;
const K_A5 = 80;
const K_A3 = 96;
const K_A1 = 112;
const K_B6 = 128;
const K_B4 = 144;
const K_B2 = 160;
const K_B0 = 176;
const K_FIFTH = 192;
const K_HALF = 208;
const K_ONE = 224;
const K_ZERO = 240;
const K_NEG_CLAMP = 256;
/** Bytes of the constants table. */
export const CONSTANTS_BYTES = 272;

/** Writes the constants table at k (16-byte aligned, CONSTANTS_BYTES long). */
export function initConstants(k: usize): void {
  v128.store(k + K_CLAMP, f32x4.splat(TANH_CLAMP));
  v128.store(k + K_NEG_CLAMP, f32x4.splat(-TANH_CLAMP));
  v128.store(k + K_A13, f32x4.splat(-2.76076847742355e-16));
  v128.store(k + K_A11, f32x4.splat(2.00018790482477e-13));
  v128.store(k + K_A9, f32x4.splat(-8.60467152213735e-11));
  v128.store(k + K_A7, f32x4.splat(5.12229709037114e-8));
  v128.store(k + K_A5, f32x4.splat(1.48572235717979e-5));
  v128.store(k + K_A3, f32x4.splat(6.37261928875436e-4));
  v128.store(k + K_A1, f32x4.splat(4.89352455891786e-3));
  v128.store(k + K_B6, f32x4.splat(1.19825839466702e-6));
  v128.store(k + K_B4, f32x4.splat(1.18534705686654e-4));
  v128.store(k + K_B2, f32x4.splat(2.268434632439e-3));
  v128.store(k + K_B0, f32x4.splat(4.89352518554385e-3));
  v128.store(k + K_FIFTH, f32x4.splat(0.2));
  v128.store(k + K_HALF, f32x4.splat(0.5));
  v128.store(k + K_ONE, f32x4.splat(1));
  v128.store(k + K_ZERO, f32x4.splat(0));
}

@inline function tanh4(v: v128, k: usize): v128 {
  const x = f32x4.pmin(f32x4.pmax(v, v128.load(k + K_NEG_CLAMP)), v128.load(k + K_CLAMP));
  const x2 = f32x4.mul(x, x);
  let p = f32x4.add(f32x4.mul(x2, v128.load(k + K_A13)), v128.load(k + K_A11));
  p = f32x4.add(f32x4.mul(p, x2), v128.load(k + K_A9));
  p = f32x4.add(f32x4.mul(p, x2), v128.load(k + K_A7));
  p = f32x4.add(f32x4.mul(p, x2), v128.load(k + K_A5));
  p = f32x4.add(f32x4.mul(p, x2), v128.load(k + K_A3));
  p = f32x4.add(f32x4.mul(p, x2), v128.load(k + K_A1));
  p = f32x4.mul(p, x);
  let q = f32x4.add(f32x4.mul(x2, v128.load(k + K_B6)), v128.load(k + K_B4));
  q = f32x4.add(f32x4.mul(q, x2), v128.load(k + K_B2));
  q = f32x4.add(f32x4.mul(q, x2), v128.load(k + K_B0));
  return f32x4.div(p, q);
}

@inline function tanh1(v: f32, k: usize): f32 {
  return f32x4.extract_lane(tanh4(f32x4.splat(v), k), 0);
}

/** tfjs's hardSigmoid clip(0.2x + 0.5, 0, 1) (NaN stays NaN). */
@inline function hardSigmoid4(v: v128, k: usize): v128 {
  return f32x4.pmin(f32x4.pmax(f32x4.add(f32x4.mul(v, v128.load(k + K_FIFTH)), v128.load(k + K_HALF)), v128.load(k + K_ZERO)), v128.load(k + K_ONE));
}

@inline function hardSigmoid1(v: f32, k: usize): f32 {
  return f32x4.extract_lane(hardSigmoid4(f32x4.splat(v), k), 0);
}

/** tanh in place over n float32 values (tests compare it with Math.tanh). */
export function tanhF32(x: usize, n: i32, k: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = x + (<usize>i << 2);
    v128.store(p, tanh4(v128.load(p), k));
  }
  for (; i < n; i++) {
    const p = x + (<usize>i << 2);
    store<f32>(p, tanh1(load<f32>(p), k));
  }
}

/**
 * One LSTM step for B rows from the gate pre-activations pre [B][4H] (gates i, f, c, o): c ← f·c + i·g
 * (c₋₁ = 0 when `first`), h = o·tanh(c), with i, f, o = hardSigmoid and g = tanh. c is [B][H]; row b of
 * h is at h + b·hRow.
 */
export function lstmCell(pre: usize, c: usize, h: usize, hRow: usize, B: i32, H: i32, first: bool, k: usize): void {
  const preRow = <usize>(4 * H) << 2;
  const hb = <usize>H << 2;
  for (let b = 0; b < B; b++) {
    const pz = pre + <usize>b * preRow;
    const pc = c + <usize>b * hb;
    const ph = h + <usize>b * hRow;
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const o = <usize>j << 2;
      const i4 = hardSigmoid4(v128.load(pz + o), k);
      const f4 = hardSigmoid4(v128.load(pz + hb + o), k);
      const g4 = tanh4(v128.load(pz + 2 * hb + o), k);
      const o4 = hardSigmoid4(v128.load(pz + 3 * hb + o), k);
      let c4 = f32x4.mul(i4, g4);
      if (!first) c4 = f32x4.add(f32x4.mul(f4, v128.load(pc + o)), c4);
      v128.store(pc + o, c4);
      v128.store(ph + o, f32x4.mul(o4, tanh4(c4, k)));
    }
    for (; j < H; j++) {
      const o = <usize>j << 2;
      const iv = hardSigmoid1(load<f32>(pz + o), k);
      const fv = hardSigmoid1(load<f32>(pz + hb + o), k);
      const gv = tanh1(load<f32>(pz + 2 * hb + o), k);
      const ov = hardSigmoid1(load<f32>(pz + 3 * hb + o), k);
      let cv = iv * gv;
      if (!first) cv = fv * load<f32>(pc + o) + cv;
      store<f32>(pc + o, cv);
      store<f32>(ph + o, ov * tanh1(cv, k));
    }
  }
}

/**
 * GRU step, first half: from pre [B][3H] whose z and r parts hold x·W + b + h₋₁·U, z and r in place
 * (hardSigmoid) and rh = r·h₋₁ ([B][H]; 0 when `first`). Row b of h is at h + b·hRow.
 */
export function gruGates(pre: usize, h: usize, hRow: usize, rh: usize, B: i32, H: i32, first: bool, k: usize): void {
  const preRow = <usize>(3 * H) << 2;
  const hb = <usize>H << 2;
  for (let b = 0; b < B; b++) {
    const pz = pre + <usize>b * preRow;
    const ph = h + <usize>b * hRow;
    const pr = rh + <usize>b * hb;
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const o = <usize>j << 2;
      v128.store(pz + o, hardSigmoid4(v128.load(pz + o), k));
      const r4 = hardSigmoid4(v128.load(pz + hb + o), k);
      v128.store(pz + hb + o, r4);
      v128.store(pr + o, first ? v128.load(k + K_ZERO) : f32x4.mul(r4, v128.load(ph + o)));
    }
    for (; j < H; j++) {
      const o = <usize>j << 2;
      store<f32>(pz + o, hardSigmoid1(load<f32>(pz + o), k));
      const rv = hardSigmoid1(load<f32>(pz + hb + o), k);
      store<f32>(pz + hb + o, rv);
      store<f32>(pr + o, first ? 0 : rv * load<f32>(ph + o));
    }
  }
}

/** GRU step, second half: hh = tanh(pre[:, 2H:]) (x·W + b + (r·h₋₁)·U), h ← z·h₋₁ + (1 − z)·hh (h₋₁ = 0 when `first`). */
export function gruOut(pre: usize, h: usize, hRow: usize, B: i32, H: i32, first: bool, k: usize): void {
  const preRow = <usize>(3 * H) << 2;
  const hb = <usize>H << 2;
  const one = v128.load(k + K_ONE);
  for (let b = 0; b < B; b++) {
    const pz = pre + <usize>b * preRow;
    const ph = h + <usize>b * hRow;
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const o = <usize>j << 2;
      const z4 = v128.load(pz + o);
      const hh = tanh4(v128.load(pz + 2 * hb + o), k);
      let h4 = f32x4.mul(f32x4.sub(one, z4), hh);
      if (!first) h4 = f32x4.add(f32x4.mul(z4, v128.load(ph + o)), h4);
      v128.store(ph + o, h4);
    }
    for (; j < H; j++) {
      const o = <usize>j << 2;
      const zv = load<f32>(pz + o);
      let hv: f32 = (<f32>1 - zv) * tanh1(load<f32>(pz + 2 * hb + o), k);
      if (!first) hv = zv * load<f32>(ph + o) + hv;
      store<f32>(ph + o, hv);
    }
  }
}

/**
 * One LSTM step fused with its gate products, for weights whose columns are permuted into blocks of
 * 16: for units u..u+3, the i, f, c and o columns of those 4 units (so a 2-row × 16-column tile holds
 * every gate of 4 units and the cell update needs no trip through memory). Gate pre-activations =
 * I + A1·W[0..K1) + A2·W[K1..K1+K2) (A1: the layer's input at this step, A2: its h₋₁; rows a1Row,
 * a2Row bytes apart; I as gemm's init, iRow = 0 broadcasts a bias row), then c ← f·c + i·g (c₋₁ = 0
 * when `first`), h = o·tanh(c) into h + m·hRow (not where A2 is read: other tiles still need h₋₁).
 * H must be a multiple of 4.
 */
export function lstmStep(a1: usize, a1Row: usize, K1: i32, a2: usize, a2Row: usize, K2: i32, w: usize, init: usize, iRow: usize, c: usize, h: usize, hRow: usize, M: i32, H: i32, first: bool, k: usize): void {
  const wRow = <usize>(4 * H) << 2;
  const cRow = <usize>H << 2;
  for (let q = 0; q < H; q += 4) {
    const qw = <usize>q << 4; // the block's 16 floats in a permuted row
    const qh = <usize>q << 2; // its 4 units in c and h
    let m = 0;
    for (; m + 2 <= M; m += 2) {
      const pi0 = init + <usize>m * iRow + qw;
      const pi1 = pi0 + iRow;
      let i0 = v128.load(pi0), f0 = v128.load(pi0, 16), g0 = v128.load(pi0, 32), o0 = v128.load(pi0, 48);
      let i1 = v128.load(pi1), f1 = v128.load(pi1, 16), g1 = v128.load(pi1, 32), o1 = v128.load(pi1, 48);
      let pw = w + qw;
      let pa = a1 + <usize>m * a1Row;
      for (let p = 0; p < K1; p++) {
        const wi = v128.load(pw), wf = v128.load(pw, 16), wg = v128.load(pw, 32), wo = v128.load(pw, 48);
        let u = v128.load32_splat(pa);
        i0 = f32x4.add(i0, f32x4.mul(u, wi));
        f0 = f32x4.add(f0, f32x4.mul(u, wf));
        g0 = f32x4.add(g0, f32x4.mul(u, wg));
        o0 = f32x4.add(o0, f32x4.mul(u, wo));
        u = v128.load32_splat(pa + a1Row);
        i1 = f32x4.add(i1, f32x4.mul(u, wi));
        f1 = f32x4.add(f1, f32x4.mul(u, wf));
        g1 = f32x4.add(g1, f32x4.mul(u, wg));
        o1 = f32x4.add(o1, f32x4.mul(u, wo));
        pa += 4;
        pw += wRow;
      }
      pa = a2 + <usize>m * a2Row;
      for (let p = 0; p < K2; p++) {
        const wi = v128.load(pw), wf = v128.load(pw, 16), wg = v128.load(pw, 32), wo = v128.load(pw, 48);
        let u = v128.load32_splat(pa);
        i0 = f32x4.add(i0, f32x4.mul(u, wi));
        f0 = f32x4.add(f0, f32x4.mul(u, wf));
        g0 = f32x4.add(g0, f32x4.mul(u, wg));
        o0 = f32x4.add(o0, f32x4.mul(u, wo));
        u = v128.load32_splat(pa + a2Row);
        i1 = f32x4.add(i1, f32x4.mul(u, wi));
        f1 = f32x4.add(f1, f32x4.mul(u, wf));
        g1 = f32x4.add(g1, f32x4.mul(u, wg));
        o1 = f32x4.add(o1, f32x4.mul(u, wo));
        pa += 4;
        pw += wRow;
      }
      lstmCell4(i0, f0, g0, o0, c + <usize>m * cRow + qh, h + <usize>m * hRow + qh, first, k);
      lstmCell4(i1, f1, g1, o1, c + <usize>(m + 1) * cRow + qh, h + <usize>(m + 1) * hRow + qh, first, k);
    }
    if (m < M) {
      const pi0 = init + <usize>m * iRow + qw;
      let i0 = v128.load(pi0), f0 = v128.load(pi0, 16), g0 = v128.load(pi0, 32), o0 = v128.load(pi0, 48);
      let pw = w + qw;
      let pa = a1 + <usize>m * a1Row;
      for (let p = 0; p < K1; p++) {
        const u = v128.load32_splat(pa);
        i0 = f32x4.add(i0, f32x4.mul(u, v128.load(pw)));
        f0 = f32x4.add(f0, f32x4.mul(u, v128.load(pw, 16)));
        g0 = f32x4.add(g0, f32x4.mul(u, v128.load(pw, 32)));
        o0 = f32x4.add(o0, f32x4.mul(u, v128.load(pw, 48)));
        pa += 4;
        pw += wRow;
      }
      pa = a2 + <usize>m * a2Row;
      for (let p = 0; p < K2; p++) {
        const u = v128.load32_splat(pa);
        i0 = f32x4.add(i0, f32x4.mul(u, v128.load(pw)));
        f0 = f32x4.add(f0, f32x4.mul(u, v128.load(pw, 16)));
        g0 = f32x4.add(g0, f32x4.mul(u, v128.load(pw, 32)));
        o0 = f32x4.add(o0, f32x4.mul(u, v128.load(pw, 48)));
        pa += 4;
        pw += wRow;
      }
      lstmCell4(i0, f0, g0, o0, c + <usize>m * cRow + qh, h + <usize>m * hRow + qh, first, k);
    }
  }
}

/** The LSTM cell update of 4 units from their gate pre-activations (as lstmCell). */
@inline function lstmCell4(zi: v128, zf: v128, zg: v128, zo: v128, pc: usize, ph: usize, first: bool, k: usize): void {
  const i4 = hardSigmoid4(zi, k);
  const g4 = tanh4(zg, k);
  let c4 = f32x4.mul(i4, g4);
  if (!first) c4 = f32x4.add(f32x4.mul(hardSigmoid4(zf, k), v128.load(pc)), c4);
  v128.store(pc, c4);
  v128.store(ph, f32x4.mul(hardSigmoid4(zo, k), tanh4(c4, k)));
}
