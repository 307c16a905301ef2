/**
 * Tiny models and synthetic data for the training tests.
 *
 * @module
 */
import { createGpt, type Gpt, type GptConfig } from "../../lib/model/mod.ts";
import { type PreferenceExample, type PreparedPair, preparePair } from "../../lib/train/mod.ts";

/** A GPT small enough for second-long tests (vocab 16, one layer, no dropout). */
export const TINY: GptConfig = {
  vocabSize: 16,
  contextLength: 16,
  dModel: 16,
  nLayer: 1,
  nHead: 2,
  mlpRatio: 2,
  dropout: 0,
  seed: 1,
};

/** A fresh tiny GPT. */
export function tinyGpt(overrides: Partial<GptConfig> = {}): Gpt {
  return createGpt({ ...TINY, ...overrides });
}

/**
 * `n` synthetic pairs over ids 2..15 (0 = EOS/pad, 1 = BOS): the prompt is `[1, a]`, the chosen
 * completion counts up from `a` (`a+1, a+2, a+3, a+4`), the rejected one has its third token
 * wrong, and the spans mark that token on both sides.
 */
export function syntheticPairs(n: number): PreparedPair[] {
  const out: PreparedPair[] = [];
  for (let i = 0; i < n; i++) {
    const a = 2 + (i % 10);
    const up = (k: number) => 2 + ((a - 2 + k) % 14);
    const chosen = [up(1), up(2), up(3), up(4)];
    const rejected = [up(1), up(2), up(7), up(4)];
    const example: PreferenceExample = {
      id: `pair-${i}`,
      promptIds: [1, a],
      chosenIds: chosen,
      rejectedIds: rejected,
      chosenSpans: [[2, 3]],
      rejectedSpans: [[2, 3]],
    };
    out.push(preparePair(example, { eosId: 0, contextLength: TINY.contextLength }));
  }
  return out;
}

/** Documents for LM training: counting runs `s, s+1, …` over ids 2..15. */
export function countingCorpus(n: number, length = 10): number[][] {
  return Array.from(
    { length: n },
    (_, i) => Array.from({ length }, (_, k) => 2 + ((i * 5 + k) % 14)),
  );
}
