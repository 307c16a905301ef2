/**
 * The reference configuration of the throughput benchmarks (issues 4 and 7): vocab 256, d_model
 * 128, 4 layers, 4 heads, MLP 4x, context 256, batch 16. `bench/train_bench.ts` and the PyTorch
 * comparison `bench/peer/compare.ts` (whose peer is `bench/peer/torch_gpt.py`) both use it, so
 * the two sides cannot drift apart.
 *
 * @module
 */
import type { GptConfig } from "../lib/model/mod.ts";

/** The reference model. */
export const REFERENCE_CONFIG: GptConfig = {
  vocabSize: 256,
  contextLength: 256,
  dModel: 128,
  nLayer: 4,
  nHead: 4,
  mlpRatio: 4,
  dropout: 0,
  seed: 1,
};

/** Sequences per LM step; pairs per DPO step. */
export const REFERENCE_BATCH = 16;
