// tfjs backend selection (DESIGN.md §2): tensorflow-gpu → webgpu → tensorflow-cpu → wasm → cpu,
// whichever loads first. Every attempt is guarded (require in try/catch, a timeout on async init) so a
// missing package, a missing driver or a hanging adapter request never stops training: it is skipped
// with a reason, and the choice plus the reasons are recorded with the run.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

export const BACKEND_ORDER = ['tensorflow-gpu', 'webgpu', 'tensorflow-cpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_ORDER)[number];

export interface BackendChoice {
  /** Our name for the backend (the KTRDR_TF_BACKEND value). */
  name: BackendName;
  /** tfjs's registered backend name (tensorflow, webgpu, wasm, cpu). */
  tfBackend: string;
  /** Library versions in effect: tfjs core/layers and the backend package. */
  versions: Record<string, string>;
  /** Backends tried (or not) before this one, each with why it was skipped. */
  skipped: { name: BackendName; reason: string }[];
  /** Backend facts worth recording: SIMD/threads for wasm, adapter for webgpu. */
  details: Record<string, unknown>;
  /** True when KTRDR_TF_BACKEND (or the caller) forced the choice. */
  forced: boolean;
}

export interface SelectOptions {
  /** A backend to use and nothing else (overrides KTRDR_TF_BACKEND). */
  force?: string;
  env?: NodeJS.ProcessEnv;
  /** Limit for each async initialisation (adapter request, wasm compile). */
  timeoutMs?: number;
}

type Attempt = (timeoutMs: number) => Promise<{ tfBackend: string; versions: Record<string, string>; details: Record<string, unknown> }>;

class Skip extends Error {}

// Dynamic requires stay dynamic in the bundle: optional packages are looked up at run time only.
const dynamicRequire = (id: string): any => require(id);

function packageVersion(pkg: string): string | null {
  try {
    return dynamicRequire(`${pkg}/package.json`).version as string;
  } catch {
    return null;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Skip(`${what} did not finish within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

async function activate(name: string, timeoutMs: number): Promise<void> {
  const ok = await withTimeout(Promise.resolve(tf.setBackend(name)), timeoutMs, `tf.setBackend('${name}')`);
  if (!ok) throw new Skip(`tfjs could not initialise the '${name}' backend`);
  await tf.ready();
  // The cpu backend prints an "install tfjs-node" banner on first use; the choice is recorded instead.
  if (name === 'cpu') (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  // A smoke computation: a backend that registers but cannot run kernels is no backend.
  const probe = tf.tidy(() => tf.matMul(tf.ones([2, 2]), tf.ones([2, 2])).sum());
  const v = (await probe.data())[0];
  probe.dispose();
  if (v !== 8) throw new Skip(`the '${name}' backend computed a wrong smoke result (${v})`);
}

function coreVersions(): Record<string, string> {
  const v: Record<string, string> = { 'tfjs-core': tf.version_core, 'tfjs-layers': tf.version_layers };
  const all = (tf as unknown as { version?: Record<string, string> }).version;
  if (all?.tfjs) v.tfjs = all.tfjs;
  return v;
}

/** A GPU the WebGPU path could use: an NVIDIA device node or a DRM render node. */
export function gpuDetected(): boolean {
  if (existsSync('/dev/nvidia0') || existsSync('/dev/dxg')) return true;
  try {
    return readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
  } catch {
    return false;
  }
}

function tensorflowAttempt(pkg: string, gpu: boolean): Attempt {
  return async (timeoutMs) => {
    try {
      dynamicRequire(pkg);
    } catch (err) {
      throw new Skip(`${pkg} is not installed or failed to load (${firstLine(err)})`);
    }
    await activate('tensorflow', timeoutMs);
    const details: Record<string, unknown> = { gpu };
    return { tfBackend: 'tensorflow', versions: { ...coreVersions(), [pkg]: packageVersion(pkg) ?? 'unknown' }, details };
  };
}

const webgpuAttempt =
  (env: NodeJS.ProcessEnv): Attempt =>
  async (timeoutMs) => {
    if (env.KTRDR_ENABLE_WEBGPU !== '1' && !gpuDetected() && env.KTRDR_TF_BACKEND !== 'webgpu')
      throw new Skip('no GPU detected (set KTRDR_ENABLE_WEBGPU=1 to try anyway)');
    let dawn: { create: (flags: string[]) => any; globals: Record<string, unknown> };
    try {
      // The `webgpu` package is ESM; its native Dawn module can be required directly from CommonJS.
      const root = dirname(require.resolve('webgpu/package.json'));
      const arch = process.platform === 'darwin' ? 'universal' : process.arch;
      dawn = dynamicRequire(join(root, 'dist', `${process.platform}-${arch}`, 'dawn.node'));
    } catch (err) {
      throw new Skip(`the webgpu package (Dawn) could not be loaded (${firstLine(err)})`);
    }
    const g = globalThis as any;
    Object.assign(g, dawn.globals);
    const gpu = dawn.create([]);
    if (!g.navigator) g.navigator = {};
    if (!g.navigator.gpu) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
    const adapter = await withTimeout(Promise.resolve(gpu.requestAdapter({ powerPreference: 'high-performance' })), timeoutMs, 'WebGPU adapter request');
    if (!adapter) throw new Skip('no WebGPU adapter (a Vulkan driver is needed)');
    const info = adapter.info ?? {};
    try {
      dynamicRequire('@tensorflow/tfjs-backend-webgpu');
    } catch (err) {
      throw new Skip(`@tensorflow/tfjs-backend-webgpu failed to load (${firstLine(err)})`);
    }
    await activate('webgpu', timeoutMs);
    return {
      tfBackend: 'webgpu',
      versions: { ...coreVersions(), 'tfjs-backend-webgpu': packageVersion('@tensorflow/tfjs-backend-webgpu') ?? 'unknown', webgpu: packageVersion('webgpu') ?? 'unknown' },
      details: { adapter: { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description } },
    };
  };

/** The folder holding the .wasm files, as a path the wasm loader accepts (sources and bundle alike). */
export function wasmDistDir(): string {
  return dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + '/';
}

const wasmAttempt: Attempt = async (timeoutMs) => {
  let wasm: { setWasmPaths: (p: string) => void; setThreadsCount?: (n: number) => void };
  try {
    wasm = dynamicRequire('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(wasmDistDir());
  } catch (err) {
    throw new Skip(`@tensorflow/tfjs-backend-wasm failed to load (${firstLine(err)})`);
  }
  await activate('wasm', timeoutMs);
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  // The threaded build needs browser-style workers; tfjs reports false for it in Node and runs single-threaded.
  const threads = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
  return {
    tfBackend: 'wasm',
    versions: { ...coreVersions(), 'tfjs-backend-wasm': packageVersion('@tensorflow/tfjs-backend-wasm') ?? 'unknown' },
    details: { simd, threads },
  };
};

const cpuAttempt: Attempt = async (timeoutMs) => {
  await activate('cpu', timeoutMs);
  return { tfBackend: 'cpu', versions: coreVersions(), details: { note: 'pure JavaScript kernels; wasm or tfjs-node is faster' } };
};

function attemptFor(name: BackendName, env: NodeJS.ProcessEnv): Attempt {
  switch (name) {
    case 'tensorflow-gpu':
      return tensorflowAttempt('@tensorflow/tfjs-node-gpu', true);
    case 'webgpu':
      return webgpuAttempt(env);
    case 'tensorflow-cpu':
      return tensorflowAttempt('@tensorflow/tfjs-node', false);
    case 'wasm':
      return wasmAttempt;
    case 'cpu':
      return cpuAttempt;
  }
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0];
}

const ALIASES: Record<string, BackendName> = { tensorflow: 'tensorflow-cpu', node: 'tensorflow-cpu', gpu: 'tensorflow-gpu', 'tensorflow-gpu': 'tensorflow-gpu' };

export function parseBackendName(raw: string): BackendName {
  const v = raw.trim().toLowerCase();
  if ((BACKEND_ORDER as readonly string[]).includes(v)) return v as BackendName;
  if (v in ALIASES) return ALIASES[v];
  throw new Error(`Unknown tfjs backend '${raw}'; use one of ${BACKEND_ORDER.join(', ')}`);
}

let current: Promise<BackendChoice> | null = null;
let currentKey = '';

/**
 * Picks and activates the tfjs backend for this process (memoised: the backend is process-global).
 * A forced backend that cannot load is an error: the user asked for it explicitly.
 */
export function selectBackend(opts: SelectOptions = {}): Promise<BackendChoice> {
  const env = opts.env ?? process.env;
  const forcedRaw = opts.force ?? (env.KTRDR_TF_BACKEND || undefined);
  const key = forcedRaw ?? 'auto';
  if (current && currentKey === key) return current;
  currentKey = key;
  current = doSelect(forcedRaw, env, opts.timeoutMs ?? 20_000);
  current.catch(() => {
    current = null;
  });
  return current;
}

async function doSelect(forcedRaw: string | undefined, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<BackendChoice> {
  if (forcedRaw !== undefined) {
    const name = parseBackendName(forcedRaw);
    try {
      const r = await attemptFor(name, env)(timeoutMs);
      return { name, ...r, skipped: [], forced: true };
    } catch (err) {
      throw new Error(`KTRDR_TF_BACKEND=${name} could not be used: ${firstLine(err)}`);
    }
  }
  const skipped: BackendChoice['skipped'] = [];
  for (const name of BACKEND_ORDER) {
    try {
      const r = await attemptFor(name, env)(timeoutMs);
      return { name, ...r, skipped, forced: false };
    } catch (err) {
      skipped.push({ name, reason: firstLine(err) });
    }
  }
  throw new Error(`No tfjs backend could be loaded: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}
