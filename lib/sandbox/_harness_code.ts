/**
 * The harness as a marshalled code object, compiled once per interpreter, plus the tiny `-c`
 * bootstrap that loads it from stdin. Compiling the ~10 kB harness source on every launch
 * costs several ms; `marshal.loads` costs ~0.3 ms.
 *
 * @module
 */

const _compiled = new Map<string, Uint8Array>();

function _read(name: string): string {
  return Deno.readTextFileSync(new URL(name, import.meta.url));
}

/** The harness's source: the plain-value codec (`_plain.py`), then `_harness.py`. */
export function _harnessSource(): string {
  return _read("./_plain.py") + "\n\n" + _read("./_harness.py");
}

/**
 * Identity of the plain-value format (a hash of `_plain.py`): caches of values in that format
 * key on it.
 */
export const PLAIN_CODEC_ID: string = await (async () => {
  const bytes = new TextEncoder().encode(_read("./_plain.py"));
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(hash.slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
})();

/** The judge's source: the plain-value codec (`_plain.py`), then `_judge.py`. */
export function _judgeSource(): string {
  return _read("./_plain.py") + "\n\n" + _read("./_judge.py");
}

const _COMPILE = "import marshal, sys\n" +
  "sys.stdout.buffer.write(marshal.dumps(compile(sys.argv[1], '<harness>', 'exec')))\n";

/**
 * Marshalled code of `_harness.py` for the interpreter at `pythonPath` (cached per path).
 * @throws Error naming the interpreter when it cannot compile the harness.
 */
export function _compiledHarness(pythonPath: string): Uint8Array {
  const cached = _compiled.get(pythonPath);
  if (cached) return cached;
  const source = _harnessSource();
  const out = new Deno.Command(pythonPath, {
    args: ["-I", "-S", "-c", _COMPILE, source],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  if (!out.success || out.stdout.byteLength === 0) {
    throw new Error(
      `sandbox: ${pythonPath} could not compile the harness: ` +
        new TextDecoder().decode(out.stderr).slice(-500),
    );
  }
  _compiled.set(pythonPath, out.stdout);
  return out.stdout;
}

/**
 * `-c` program that reads exactly `size` bytes of marshalled harness code from stdin and runs
 * it; the harness then reads its own input from the rest of stdin.
 */
export function _bootstrap(size: number): string {
  return [
    "import marshal, os",
    "b = b''",
    `while len(b) < ${size}:`,
    `    c = os.read(0, ${size} - len(b))`,
    "    if not c:",
    "        os._exit(3)",
    "    b += c",
    "exec(marshal.loads(b), {'__name__': '__sandbox_harness__'})",
  ].join("\n");
}
