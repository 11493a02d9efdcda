// The fused MLP's inner loops over contiguous row-major buffers. All parameters live in one flat array
// (each Dense layer: kernel [in][out] as tfjs stores it, then bias [out]); activations are
// [rows][units]. The hot loops keep register tiles (2×4 or 4×4 independent sums) so each load feeds
// several multiply-adds and the add latency is hidden, and every array is the same typed-array type so
// V8 keeps them monomorphic. Nothing here allocates.

/**
 * The element type of every fused buffer. Float64: measured faster than Float32 in the full training
 * step (V8 converts each Float32 load/store; ~105k vs ~85k samples/s at batch 32 on the dev machine).
 */
export type Vec = Float64Array;
export const Vec = Float64Array;

/**
 * dx[i][k] = Σ_j d[i][j]·W[k][j]: the gradient flowing back into a Dense layer's input, as dot products
 * of contiguous rows of d ([rows][nOut]) and of the kernel as stored ([nIn][nOut]). Tiles of 2 rows × 4
 * inputs give 8 independent sums fed by 6 loads.
 */
export function denseGradInput(d: Vec, rows: number, nIn: number, nOut: number, p: Vec, wOff: number, dx: Vec): void {
  const nIn4 = nIn - (nIn & 3);
  let i = 0;
  for (; i + 1 < rows; i += 2) {
    const d0 = i * nOut;
    const d1 = d0 + nOut;
    const x0 = i * nIn;
    const x1 = x0 + nIn;
    let k = 0;
    for (; k < nIn4; k += 4) {
      const w0 = wOff + k * nOut;
      const w1 = w0 + nOut;
      const w2 = w1 + nOut;
      const w3 = w2 + nOut;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let r0 = 0;
      let r1 = 0;
      let r2 = 0;
      let r3 = 0;
      for (let j = 0; j < nOut; j++) {
        const u = d[d0 + j];
        const v = d[d1 + j];
        const q0 = p[w0 + j];
        const q1 = p[w1 + j];
        const q2 = p[w2 + j];
        const q3 = p[w3 + j];
        s0 += u * q0;
        s1 += u * q1;
        s2 += u * q2;
        s3 += u * q3;
        r0 += v * q0;
        r1 += v * q1;
        r2 += v * q2;
        r3 += v * q3;
      }
      dx[x0 + k] = s0;
      dx[x0 + k + 1] = s1;
      dx[x0 + k + 2] = s2;
      dx[x0 + k + 3] = s3;
      dx[x1 + k] = r0;
      dx[x1 + k + 1] = r1;
      dx[x1 + k + 2] = r2;
      dx[x1 + k + 3] = r3;
    }
    for (; k < nIn; k++) {
      const w0 = wOff + k * nOut;
      let s = 0;
      let r = 0;
      for (let j = 0; j < nOut; j++) {
        const q = p[w0 + j];
        s += d[d0 + j] * q;
        r += d[d1 + j] * q;
      }
      dx[x0 + k] = s;
      dx[x1 + k] = r;
    }
  }
  if (i < rows) {
    const d0 = i * nOut;
    const x0 = i * nIn;
    for (let k = 0; k < nIn; k++) {
      const w0 = wOff + k * nOut;
      let s = 0;
      for (let j = 0; j < nOut; j++) s += d[d0 + j] * p[w0 + j];
      dx[x0 + k] = s;
    }
  }
}

/**
 * out[i][j] = b[j] + Σ_k x[i][k]·W[k][j] for i < rows: the forward pass of a Dense layer, kernel as
 * stored ([in][out]). Tiles of 2 rows × 4 outputs (8 sums, 6 loads per step of k); measured in the full
 * training step this beats a dot-product form over a transposed kernel copy.
 */
export function denseForward(x: Vec, rows: number, nIn: number, nOut: number, p: Vec, wOff: number, bOff: number, out: Vec): void {
  const nOut4 = nOut - (nOut & 3);
  let i = 0;
  for (; i + 1 < rows; i += 2) {
    const x0 = i * nIn;
    const x1 = x0 + nIn;
    const o0 = i * nOut;
    const o1 = o0 + nOut;
    let j = 0;
    for (; j < nOut4; j += 4) {
      let a0 = p[bOff + j];
      let a1 = p[bOff + j + 1];
      let a2 = p[bOff + j + 2];
      let a3 = p[bOff + j + 3];
      let c0 = a0;
      let c1 = a1;
      let c2 = a2;
      let c3 = a3;
      let w = wOff + j;
      for (let k = 0; k < nIn; k++, w += nOut) {
        const u = x[x0 + k];
        const v = x[x1 + k];
        const w0 = p[w];
        const w1 = p[w + 1];
        const w2 = p[w + 2];
        const w3 = p[w + 3];
        a0 += u * w0;
        a1 += u * w1;
        a2 += u * w2;
        a3 += u * w3;
        c0 += v * w0;
        c1 += v * w1;
        c2 += v * w2;
        c3 += v * w3;
      }
      out[o0 + j] = a0;
      out[o0 + j + 1] = a1;
      out[o0 + j + 2] = a2;
      out[o0 + j + 3] = a3;
      out[o1 + j] = c0;
      out[o1 + j + 1] = c1;
      out[o1 + j + 2] = c2;
      out[o1 + j + 3] = c3;
    }
    for (; j < nOut; j++) {
      let a = p[bOff + j];
      let c = a;
      let w = wOff + j;
      for (let k = 0; k < nIn; k++, w += nOut) {
        a += x[x0 + k] * p[w];
        c += x[x1 + k] * p[w];
      }
      out[o0 + j] = a;
      out[o1 + j] = c;
    }
  }
  if (i < rows) {
    const x0 = i * nIn;
    const o0 = i * nOut;
    for (let j = 0; j < nOut; j++) {
      let a = p[bOff + j];
      let w = wOff + j;
      for (let k = 0; k < nIn; k++, w += nOut) a += x[x0 + k] * p[w];
      out[o0 + j] = a;
    }
  }
}

/**
 * Kernel and bias gradients of one Dense layer: g[W][k][j] = Σ_i x[i][k]·d[i][j], g[b][j] = Σ_i d[i][j].
 * Overwrites (does not accumulate into) the layer's slice of `g`. Tiles of 4 inputs × 4 outputs: 16 sums
 * fed by 8 loads per row.
 */
export function denseGradParams(x: Vec, d: Vec, rows: number, nIn: number, nOut: number, g: Vec, wOff: number, bOff: number): void {
  const nOut4 = nOut - (nOut & 3);
  const nIn4 = nIn - (nIn & 3);
  let k = 0;
  for (; k < nIn4; k += 4) {
    const g0 = wOff + k * nOut;
    const g1 = g0 + nOut;
    const g2 = g1 + nOut;
    const g3 = g2 + nOut;
    let j = 0;
    for (; j < nOut4; j += 4) {
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      let b3 = 0;
      let c0 = 0;
      let c1 = 0;
      let c2 = 0;
      let c3 = 0;
      let e0 = 0;
      let e1 = 0;
      let e2 = 0;
      let e3 = 0;
      for (let i = 0, xi = k, di = j; i < rows; i++, xi += nIn, di += nOut) {
        const d0 = d[di];
        const d1 = d[di + 1];
        const d2 = d[di + 2];
        const d3 = d[di + 3];
        let u = x[xi];
        a0 += u * d0;
        a1 += u * d1;
        a2 += u * d2;
        a3 += u * d3;
        u = x[xi + 1];
        b0 += u * d0;
        b1 += u * d1;
        b2 += u * d2;
        b3 += u * d3;
        u = x[xi + 2];
        c0 += u * d0;
        c1 += u * d1;
        c2 += u * d2;
        c3 += u * d3;
        u = x[xi + 3];
        e0 += u * d0;
        e1 += u * d1;
        e2 += u * d2;
        e3 += u * d3;
      }
      g[g0 + j] = a0;
      g[g0 + j + 1] = a1;
      g[g0 + j + 2] = a2;
      g[g0 + j + 3] = a3;
      g[g1 + j] = b0;
      g[g1 + j + 1] = b1;
      g[g1 + j + 2] = b2;
      g[g1 + j + 3] = b3;
      g[g2 + j] = c0;
      g[g2 + j + 1] = c1;
      g[g2 + j + 2] = c2;
      g[g2 + j + 3] = c3;
      g[g3 + j] = e0;
      g[g3 + j + 1] = e1;
      g[g3 + j + 2] = e2;
      g[g3 + j + 3] = e3;
    }
    for (; j < nOut; j++) {
      let a = 0;
      let b = 0;
      let c = 0;
      let e = 0;
      for (let i = 0, xi = k, di = j; i < rows; i++, xi += nIn, di += nOut) {
        const dv = d[di];
        a += x[xi] * dv;
        b += x[xi + 1] * dv;
        c += x[xi + 2] * dv;
        e += x[xi + 3] * dv;
      }
      g[g0 + j] = a;
      g[g1 + j] = b;
      g[g2 + j] = c;
      g[g3 + j] = e;
    }
  }
  for (; k < nIn; k++) {
    const g0 = wOff + k * nOut;
    for (let j = 0; j < nOut; j++) {
      let a = 0;
      for (let i = 0, xi = k, di = j; i < rows; i++, xi += nIn, di += nOut) a += x[xi] * d[di];
      g[g0 + j] = a;
    }
  }
  for (let j = 0; j < nOut; j++) {
    let s = 0;
    for (let i = 0, di = j; i < rows; i++, di += nOut) s += d[di];
    g[bOff + j] = s;
  }
}

export const LEAKY_ALPHA = 0.01;

/** Activation codes (an int keeps the switch cheap and the call sites monomorphic). */
export const ACT_RELU = 0;
export const ACT_TANH = 1;
export const ACT_SIGMOID = 2;
export const ACT_LEAKY = 3;

/** h = act(h) in place over n values. */
export function activate(h: Vec, n: number, act: number): void {
  if (act === ACT_RELU) {
    // Math.max is branch-free here (signs are random: a branch mispredicts half the time); NaN stays NaN as in tfjs.
    for (let i = 0; i < n; i++) h[i] = Math.max(h[i], 0);
  } else if (act === ACT_TANH) {
    for (let i = 0; i < n; i++) h[i] = Math.tanh(h[i]);
  } else if (act === ACT_SIGMOID) {
    for (let i = 0; i < n; i++) h[i] = 1 / (1 + Math.exp(-h[i]));
  } else {
    for (let i = 0; i < n; i++) if (h[i] < 0) h[i] *= LEAKY_ALPHA;
  }
}

/**
 * d = d · act'(…) · mask in place, with the derivative read from the activation OUTPUT h (relu and
 * leaky relu: h > 0 ⇔ z > 0, tfjs's convention at 0; tanh: 1 − h²; sigmoid: h(1 − h)). mask = null: no dropout.
 */
export function activationBackward(d: Vec, h: Vec, mask: Vec | null, n: number, act: number): void {
  if (act === ACT_RELU) {
    for (let i = 0; i < n; i++) if (!(h[i] > 0)) d[i] = 0;
  } else if (act === ACT_TANH) {
    for (let i = 0; i < n; i++) d[i] *= 1 - h[i] * h[i];
  } else if (act === ACT_SIGMOID) {
    for (let i = 0; i < n; i++) d[i] *= h[i] * (1 - h[i]);
  } else {
    for (let i = 0; i < n; i++) if (!(h[i] > 0)) d[i] *= LEAKY_ALPHA;
  }
  if (mask !== null) for (let i = 0; i < n; i++) d[i] *= mask[i];
}
