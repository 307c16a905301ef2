// A child of tests/blas_workers_test.ts: loads OpenBLAS, then loses its entry in the users list
// as a concurrent registration would (another thread's write over its own), then multiplies.
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";

const USERS = "KIT_OPENBLAS_USERS";
await initBackend("wasm");
const before = Deno.env.get(USERS);
Deno.env.set(USERS, `${Deno.pid}:intruder`);
const a = tf.randomUniform([512, 512], -1, 1, "float32", 1);
await tf.matMul(a, a).data();
console.log(JSON.stringify({ pid: Deno.pid, before, after: Deno.env.get(USERS) }));
