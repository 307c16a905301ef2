/**
 * Line-diff speed: the kit's `lcs` diff (`npm:diff` Myers) against CPython's `difflib` on the same
 * 10,000 seeded pairs of ~40-line functions with 2-3 changed lines.
 *
 * Run: `deno bench -A bench/diff_bench.ts`. Before the benches it times passes over all pairs on
 * each side, alternating, and prints the fastest per-pair times and the ratio python / ours.
 * Python's time is measured inside one `/usr/bin/python3` process with `time.perf_counter`, so
 * start-up is excluded; both sides include the line splitting.
 *
 * @module
 */
import { lineDiff } from "../lib/diff/line_diff.ts";
import { mulberry32 } from "../lib/util/rng.ts";

const PAIRS = 10_000;

/** A seeded ~40-line Python function and a copy with 2-3 lines changed, inserted or removed. */
function makePairs(seed: number, count: number): [string, string][] {
  const rng = mulberry32(seed);
  const int = (n: number) => Math.floor(rng() * n);
  const names = [
    "total",
    "count",
    "items",
    "value",
    "result",
    "index",
    "acc",
    "key",
    "row",
    "best",
  ];
  const ops = ["+", "-", "*", "//", "%"];
  const stmt = (depth: number) => {
    const pad = "    ".repeat(depth);
    const a = names[int(names.length)];
    const b = names[int(names.length)];
    switch (int(5)) {
      case 0:
        return `${pad}${a} = ${b} ${ops[int(ops.length)]} ${int(100)}`;
      case 1:
        return `${pad}if ${a} > ${b}:`;
      case 2:
        return `${pad}for ${a} in range(${b}):`;
      case 3:
        return `${pad}${a}.append(${b})`;
      default:
        return `${pad}# update ${a}`;
    }
  };
  const pairs: [string, string][] = [];
  for (let p = 0; p < count; p++) {
    const lines = [`def f_${p}(items, key):`];
    const n = 36 + int(8);
    for (let i = 0; i < n; i++) lines.push(stmt(1 + int(3)));
    lines.push("    return result");
    const chosen = [...lines];
    const changes = 2 + int(2);
    for (let c = 0; c < changes; c++) {
      const at = 1 + int(chosen.length - 2);
      const kind = int(4);
      if (kind === 0) chosen.splice(at, 0, stmt(1 + int(3)));
      else if (kind === 1) chosen.splice(at, 1);
      else chosen[at] = stmt(1 + int(3));
    }
    pairs.push([lines.join("\n") + "\n", chosen.join("\n") + "\n"]);
  }
  return pairs;
}

const PYTHON = `
import sys, json, time, difflib
pairs = json.loads(sys.stdin.readline())
def run():
    t0 = time.perf_counter()
    for rejected, chosen in pairs:
        difflib.SequenceMatcher(None, rejected.splitlines(), chosen.splitlines()).get_opcodes()
    return time.perf_counter() - t0
for line in sys.stdin:
    print(json.dumps(run()), flush=True)
`;

/** One long-lived python process; each `pass()` times one pass over all pairs inside python. */
class PythonDifflib {
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #lines: AsyncIterator<string>;

  constructor(pairs: [string, string][]) {
    this.#child = new Deno.Command("/usr/bin/python3", {
      args: ["-I", "-c", PYTHON],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#writer = this.#child.stdin.getWriter();
    this.#writer.write(new TextEncoder().encode(JSON.stringify(pairs) + "\n"));
    this.#lines = _lines(this.#child.stdout);
  }

  async pass(): Promise<number> {
    await this.#writer.write(new TextEncoder().encode("run\n"));
    const next = await this.#lines.next();
    if (next.done) throw new Error("python difflib timing process exited early");
    return JSON.parse(next.value);
  }

  async close(): Promise<void> {
    await this.#writer.close();
    await this.#lines.return?.();
    await this.#child.status;
  }
}

async function* _lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buf = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      yield buf.slice(0, nl);
      buf = buf.slice(nl + 1);
    }
  }
}

function oursSecondsPerPass(pairs: [string, string][]): number {
  const t0 = performance.now();
  for (const [rejected, chosen] of pairs) lineDiff(rejected, chosen, "lcs");
  return (performance.now() - t0) / 1000;
}

const pairs = makePairs(20260126, PAIRS);
// The machine is shared: alternate the two sides and keep each side's fastest pass, so a burst of
// load from elsewhere does not land on one side only. The first pass of each side is a warm-up.
const py = new PythonDifflib(pairs);
let python = Infinity;
let ours = Infinity;
for (let rep = 0; rep < 6; rep++) {
  const p = await py.pass();
  const o = oursSecondsPerPass(pairs);
  if (rep > 0) {
    python = Math.min(python, p);
    ours = Math.min(ours, o);
  }
}
await py.close();
const us = (s: number) => (s / PAIRS * 1e6).toFixed(2);
console.log(
  `diff_bench: ${PAIRS} pairs; python difflib ${us(python)} us/pair; ours lcs ${
    us(ours)
  } us/pair; ` +
    `ratio python/ours = ${(python / ours).toFixed(2)}x`,
);

Deno.bench("lcs lineDiff, 10,000 pairs", { n: 5 }, () => {
  for (const [rejected, chosen] of pairs) lineDiff(rejected, chosen, "lcs");
});

Deno.bench("ratcliff lineDiff, 10,000 pairs", { n: 5 }, () => {
  for (const [rejected, chosen] of pairs) lineDiff(rejected, chosen, "ratcliff");
});
