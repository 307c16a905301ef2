/**
 * The numeric engine of the kit: tfjs backend selection (`wasm`, the CPU default, `cpu`,
 * `webgpu`, `tensorflow`), the kit's wasm kernels, and the native engines behind them (OpenBLAS
 * for the matrix products and oneDNN for the elementwise, softmax and LayerNorm kernels, both
 * through Deno's FFI). Call {@link initBackend} once at the start of every run and log the
 * returned {@link BackendInfo} next to the results.
 *
 * @module
 */
export {
  BACKEND_KINDS,
  type BackendInfo,
  type BackendInfoOf,
  type BackendKind,
  type BlasInfo,
  type CpuBackendInfo,
  describeBackend,
  type HeapBlas,
  initBackend,
  type InitBackendOptions,
  KERNELS_CHOICES,
  KERNELS_ENGINES,
  type KernelsChoice,
  type KernelsEngine,
  MATMUL_CHOICES,
  MATMUL_ENGINES,
  type MatmulChoice,
  type MatmulEngine,
  type NativeEngines,
  nativeEngines,
  type OneDnnInfo,
  registerWasmFastKernels,
  registerWasmFastSlicing,
  registerWasmUnsortedSegmentSum,
  registerWebGpuAddN,
  type TensorflowBackendInfo,
  type WasmBackendInfo,
  type WebGpuBackendInfo,
} from "./init_backend.ts";
export {
  coreTypeForFlags,
  loadOpenBlas,
  type LoadOpenBlasOptions,
  type OpenBlas,
} from "./_native_blas.ts";
export { loadOneDnn, type LoadOneDnnOptions, type OneDnn } from "./_native_dnnl.ts";
export { readInto } from "./host_copy.ts";
export {
  FUSED_KERNELS,
  GELU_C1,
  GELU_C3,
  type LayerNormRows,
  layerNormRows,
} from "./_wasm_kernels.ts";
