import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/mod.ts";
import { createGpt } from "../../lib/model/mod.ts";
import { sequenceLogp, tokenLogps, type TokenLogpsMethod } from "../../lib/loss/mod.ts";

await initBackend("cpu");

// Finite-difference check of d S(y; m) / d theta through a tiny GPT (cpu backend, float32):
// central differences with eps = 1e-2, on the 3 entries of largest analytic gradient of each
// checked variable, with tolerance 2e-3 + 3% relative.
const model = createGpt({
  vocabSize: 12,
  contextLength: 8,
  dModel: 8,
  nLayer: 1,
  nHead: 2,
  mlpRatio: 2,
  dropout: 0,
  seed: 3,
});
const ids = tf.tensor2d([[1, 4, 5, 6, 7, 2], [1, 9, 3, 3, 8, 0]], [2, 6], "int32");
const targets = tf.tensor2d([[4, 5, 6, 7, 2, 0], [9, 3, 3, 8, 0, 0]], [2, 6], "int32");
// prompt = first token; row 0 counts completion tokens 1 and 3 only, row 1 all but padding
const mask = tf.tensor2d([[0, 1, 0, 1, 0, 0], [1, 1, 1, 1, 1, 0]]);

function objective(method: TokenLogpsMethod): tf.Scalar {
  return tf.tidy(() =>
    tf.sum(sequenceLogp(tokenLogps(model.logits(ids), targets, { method }), mask)) as tf.Scalar
  );
}

for (const method of ["closed-form", "log-softmax", "logsumexp"] as const) {
  Deno.test(`finite differences match the gradient of the masked S(y; m) (${method})`, () => {
    const vars = model.variables;
    const { value, grads } = tf.variableGrads(() => objective(method), vars as tf.Variable[]);
    value.dispose();
    // wte (embeddings, tied output), attention qkv, mlp w1, final LayerNorm gain
    const checked = [0, 3, 9, vars.length - 2];
    const eps = 1e-2;
    for (const vi of checked) {
      const v = vars[vi];
      const g = grads[v.name].dataSync();
      const top = Array.from(g.keys()).sort((a, b) => Math.abs(g[b]) - Math.abs(g[a])).slice(0, 3);
      for (const k of top) {
        const base = v.dataSync().slice();
        const at = (delta: number) => {
          const p = base.slice();
          p[k] += delta;
          tf.tidy(() => v.assign(tf.tensor(p, v.shape)));
          const f = objective(method);
          const out = f.dataSync()[0];
          f.dispose();
          return out;
        };
        const numeric = (at(eps) - at(-eps)) / (2 * eps);
        tf.tidy(() => v.assign(tf.tensor(base, v.shape)));
        const analytic = g[k];
        const tol = 2e-3 + 0.03 * Math.max(Math.abs(numeric), Math.abs(analytic));
        if (!(Math.abs(numeric - analytic) <= tol)) {
          throw new Error(
            `variable ${vi} [${v.shape}] entry ${k}: analytic ${analytic}, numeric ${numeric}`,
          );
        }
      }
    }
    tf.dispose(grads);
  });
}
