/**
 * Two worker threads of one process multiplying through OpenBLAS at the same time finish (its
 * thread server hung when two threads called it at once: two test files run in parallel in one
 * process waited forever inside it). The second user of the process makes every product run on
 * its caller's thread (lib/backend/_native_blas.ts).
 */
import assert from "node:assert/strict";

Deno.test("OpenBLAS from two worker threads at once: both finish with the same results", async () => {
  const workers: Worker[] = [];
  const run = () =>
    new Promise<{ sum: number; matmul: string | null }>((resolve, reject) => {
      const w = new Worker(new URL("./_blas_worker.ts", import.meta.url), { type: "module" });
      workers.push(w);
      w.onmessage = (e) => resolve(e.data);
      w.onerror = (e) => reject(e.error ?? new Error(e.message));
      w.postMessage("go");
    });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("two OpenBLAS users hung for 120 s")), 120_000);
  });
  try {
    const [a, b] = await Promise.race([Promise.all([run(), run()]), timeout]);
    assert.equal(a.sum, b.sum);
    console.log(`matmul engine: ${a.matmul}`);
  } finally {
    clearTimeout(timer);
    for (const w of workers) w.terminate();
  }
});

Deno.test("OpenBLAS users: an entry lost to a concurrent write is registered again by the next product", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./_blas_lost_write_child.ts", import.meta.url).pathname],
    env: { KIT_OPENBLAS_USERS: "" },
    stdout: "piped",
    stderr: "piped",
  });
  const out = await child.output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const { pid, before, after } = JSON.parse(text.trim().split("\n").at(-1)!);
  const [beforePid, self] = before.split(":");
  assert.equal(beforePid, String(pid));
  assert.match(self, /^[0-9a-f]{8}$/);
  assert.equal(after, `${pid}:intruder,${self}`);
});
