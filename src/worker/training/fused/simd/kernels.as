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
