// Which training loop runs a model. On the wasm and cpu backends tfjs spends most of an MLP step on
// per-kernel overhead (100+ tiny kernels), so the fused JS loop replaces it there; the native TensorFlow
// and WebGPU backends keep the tfjs loop (real kernels, possibly a GPU). KTRDR_TRAINER overrides:
// `tfjs` forces the tfjs loop, `fused` the fused one. What a model type has is registered in
// model-types.ts: a type without a fused net always takes the tfjs loop; LSTM and GRU take the fused one
// only with WebAssembly SIMD (the recurrent net has no JS-kernel variant) and KTRDR_FUSED_KERNELS not `js`.
import type { BackendName } from '../backend';
import type { TrainerKind } from '../loop';
import type { ModelType } from '../model';
import { modelTypeDef } from '../model-types';
import { simdSupported } from './simd/engine';

export type { TrainerKind };

const FUSED_BACKENDS: ReadonlySet<BackendName> = new Set(['wasm', 'cpu']);

export function chooseTrainer(modelType: ModelType, backend: BackendName, env: NodeJS.ProcessEnv = process.env, simd: boolean = simdSupported()): TrainerKind {
  const raw = (env.KTRDR_TRAINER ?? '').trim().toLowerCase();
  if (raw !== '' && raw !== 'auto' && raw !== 'tfjs' && raw !== 'fused' && raw !== 'fused-js')
    throw new Error(`Unknown KTRDR_TRAINER '${env.KTRDR_TRAINER}'; use tfjs, fused or auto`);
  if (raw === 'tfjs') return 'tfjs';
  const fused = modelTypeDef(modelType).fused;
  if (!fused) return 'tfjs';
  if (fused.needsSimd && chooseFusedKernels(simd, env) !== 'simd') return 'tfjs';
  if (raw === 'fused' || raw === 'fused-js') return 'fused-js';
  return FUSED_BACKENDS.has(backend) ? 'fused-js' : 'tfjs';
}

export type FusedKernels = 'simd' | 'js';

/**
 * Which kernels the fused engine runs: WebAssembly SIMD where the runtime has it (bit-identical to the
 * JS kernels, faster), else JS. KTRDR_FUSED_KERNELS=js forces the JS reference, simd insists on SIMD.
 */
export function chooseFusedKernels(simdSupported: boolean, env: NodeJS.ProcessEnv = process.env): FusedKernels {
  const raw = (env.KTRDR_FUSED_KERNELS ?? '').trim().toLowerCase();
  if (raw !== '' && raw !== 'auto' && raw !== 'js' && raw !== 'simd') throw new Error(`Unknown KTRDR_FUSED_KERNELS '${env.KTRDR_FUSED_KERNELS}'; use simd, js or auto`);
  if (raw === 'js') return 'js';
  if (raw === 'simd' && !simdSupported) throw new Error('KTRDR_FUSED_KERNELS=simd, but this runtime has no WebAssembly SIMD');
  return simdSupported ? 'simd' : 'js';
}
