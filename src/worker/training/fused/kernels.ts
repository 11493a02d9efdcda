// The fused MLP's inner loops over contiguous row-major buffers. All parameters live in one flat array
// `p` (each Dense layer: kernel [in][out] as tfjs stores it, then bias [out]); activations are
// [rows][units]. The hot loops keep small register tiles (2 rows × 4 outputs) so each load feeds
// several multiply-adds, and every array is the same typed-array type so V8 keeps them monomorphic.
// Nothing here allocates.

/** The element type of every fused buffer. Float64: measured no slower than Float32 (see bench). */
export type Vec = Float64Array;
export const Vec = Float64Array;

/** out[i][j] = b[j] + Σ_k x[i][k]·W[k][j] for i < rows. */
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
 * Overwrites (does not accumulate into) the layer's slice of `g`.
 */
export function denseGradParams(x: Vec, d: Vec, rows: number, nIn: number, nOut: number, g: Vec, wOff: number, bOff: number): void {
  const nOut4 = nOut - (nOut & 3);
  let k = 0;
  for (; k + 1 < nIn; k += 2) {
    const g0 = wOff + k * nOut;
    const g1 = g0 + nOut;
    let j = 0;
    for (; j < nOut4; j += 4) {
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let c0 = 0;
      let c1 = 0;
      let c2 = 0;
      let c3 = 0;
      for (let i = 0, xi = k, di = j; i < rows; i++, xi += nIn, di += nOut) {
        const u = x[xi];
        const v = x[xi + 1];
        const d0 = d[di];
        const d1 = d[di + 1];
        const d2 = d[di + 2];
        const d3 = d[di + 3];
        a0 += u * d0;
        a1 += u * d1;
        a2 += u * d2;
        a3 += u * d3;
        c0 += v * d0;
        c1 += v * d1;
        c2 += v * d2;
        c3 += v * d3;
      }
      g[g0 + j] = a0;
      g[g0 + j + 1] = a1;
      g[g0 + j + 2] = a2;
      g[g0 + j + 3] = a3;
      g[g1 + j] = c0;
      g[g1 + j + 1] = c1;
      g[g1 + j + 2] = c2;
      g[g1 + j + 3] = c3;
    }
    for (; j < nOut; j++) {
      let a = 0;
      let c = 0;
      for (let i = 0, xi = k, di = j; i < rows; i++, xi += nIn, di += nOut) {
        a += x[xi] * d[di];
        c += x[xi + 1] * d[di];
      }
      g[g0 + j] = a;
      g[g1 + j] = c;
    }
  }
  if (k < nIn) {
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

/** dx[i][k] = Σ_j d[i][j]·W[k][j]: the gradient flowing back into the layer's input. */
export function denseGradInput(d: Vec, rows: number, nIn: number, nOut: number, p: Vec, wOff: number, dx: Vec): void {
  const nOut4 = nOut - (nOut & 3);
  let i = 0;
  for (; i + 1 < rows; i += 2) {
    const d0 = i * nOut;
    const d1 = d0 + nOut;
    const x0 = i * nIn;
    const x1 = x0 + nIn;
    let k = 0;
    for (; k + 1 < nIn; k += 2) {
      const w0 = wOff + k * nOut;
      const w1 = w0 + nOut;
      // Four independent sums per tile keep the add latency hidden.
      let a00 = 0;
      let a01 = 0;
      let a10 = 0;
      let a11 = 0;
      let b00 = 0;
      let b01 = 0;
      let b10 = 0;
      let b11 = 0;
      let j = 0;
      for (; j < nOut4; j += 2) {
        const u0 = d[d0 + j];
        const u1 = d[d0 + j + 1];
        const v0 = d[d1 + j];
        const v1 = d[d1 + j + 1];
        const p0 = p[w0 + j];
        const p1 = p[w0 + j + 1];
        const q0 = p[w1 + j];
        const q1 = p[w1 + j + 1];
        a00 += u0 * p0;
        b00 += u1 * p1;
        a01 += u0 * q0;
        b01 += u1 * q1;
        a10 += v0 * p0;
        b10 += v1 * p1;
        a11 += v0 * q0;
        b11 += v1 * q1;
      }
      for (; j < nOut; j++) {
        const u = d[d0 + j];
        const v = d[d1 + j];
        a00 += u * p[w0 + j];
        a01 += u * p[w1 + j];
        a10 += v * p[w0 + j];
        a11 += v * p[w1 + j];
      }
      dx[x0 + k] = a00 + b00;
      dx[x0 + k + 1] = a01 + b01;
      dx[x1 + k] = a10 + b10;
      dx[x1 + k + 1] = a11 + b11;
    }
    if (k < nIn) {
      const w0 = wOff + k * nOut;
      let a = 0;
      let c = 0;
      for (let j = 0; j < nOut; j++) {
        a += d[d0 + j] * p[w0 + j];
        c += d[d1 + j] * p[w0 + j];
      }
      dx[x0 + k] = a;
      dx[x1 + k] = c;
    }
  }
  if (i < rows) {
    const d0 = i * nOut;
    const x0 = i * nIn;
    for (let k = 0; k < nIn; k++) {
      const w0 = wOff + k * nOut;
      let a = 0;
      for (let j = 0; j < nOut; j++) a += d[d0 + j] * p[w0 + j];
      dx[x0 + k] = a;
    }
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
    for (let i = 0; i < n; i++) if (h[i] < 0) h[i] = 0;
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
