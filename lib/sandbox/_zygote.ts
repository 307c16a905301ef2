/**
 * Parent side of the sandbox zygote (`_zygote.py`): one pre-started interpreter in a
 * long-lived bwrap sandbox that forks a fresh, namespaced, unprivileged process per program.
 *
 * @module
 */
import type { _Launched, _LaunchEnd } from "./_launched.ts";

/** How to start one zygote. */
export interface _ZygoteOptions {
  /** bwrap argv prefix, the interpreter and its flags (everything before `-c`). */
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Record<string, string>;
  /** Marshalled harness code (`_compiledHarness`). */
  readonly harness: Uint8Array;
  /** Size of each run's tmpfs working directory. */
  readonly tmpfsBytes: number;
  /** Folders of packages added (`site.addsitedir`) before `preImport`. */
  readonly sitePackages: readonly string[];
  /** Modules imported once, before the first fork, and kept by every run. */
  readonly preImport: readonly string[];
  /** How long a run may take to report after SIGKILL before the zygote itself is killed. */
  readonly killWaitMs: number;
}

/** Exit code reported for a run whose zygote died or broke protocol (never a pass). */
export const _ZYGOTE_LOST = 255;

const _encoder = new TextEncoder();
let _source: string | undefined;

function _frame(kind: "R" | "N" | "T" | "K", length: number): Uint8Array {
  const head = new Uint8Array(5);
  head[0] = kind.charCodeAt(0);
  new DataView(head.buffer).setUint32(1, length);
  return head;
}

function _concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.byteLength === 0) return b;
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}

/** Index of `needle` in `hay` from `from`, or -1. */
function _indexOf(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0];
  outer: for (let i = hay.indexOf(first, from); i >= 0; i = hay.indexOf(first, i + 1)) {
    if (i + needle.byteLength > hay.byteLength) return -1;
    for (let k = 1; k < needle.byteLength; k++) if (hay[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}

/** Length of the longest suffix of `hay` that is a proper prefix of `needle`. */
function _partialSuffix(hay: Uint8Array, needle: Uint8Array): number {
  for (let k = Math.min(hay.byteLength, needle.byteLength - 1); k > 0; k--) {
    let match = true;
    for (let j = 0; j < k && match; j++) match = hay[hay.byteLength - k + j] === needle[j];
    if (match) return k;
  }
  return 0;
}

/**
 * One of the zygote's output pipes, read run by run: each run's stream ends at the line
 * `\x1d<token> <code>\n` the zygote writes once nothing of the run is left.
 */
class _Tap {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  #eof = false;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  /**
   * The stream of one run, and its end: the reported exit code, or undefined when the pipe
   * ended or the end line was malformed (the zygote is then unusable).
   */
  run(token: string, lostNote: string): {
    stream: ReadableStream<Uint8Array>;
    end: Promise<number | undefined>;
  } {
    const marker = _encoder.encode(`\x1d${token} `);
    let settle!: (code: number | undefined) => void;
    const end = new Promise<number | undefined>((resolve) => settle = resolve);
    let pending: Uint8Array = new Uint8Array(0);
    let finished = false;
    const stop = (controller: ReadableStreamDefaultController<Uint8Array>, code?: number) => {
      finished = true;
      if (code === undefined) controller.enqueue(_encoder.encode(lostNote));
      controller.close();
      settle(code);
    };
    const stream = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        for (;;) {
          if (this.#eof) return stop(controller);
          let chunk: ReadableStreamReadResult<Uint8Array>;
          try {
            chunk = await this.#reader.read();
          } catch {
            chunk = { done: true, value: undefined };
          }
          if (chunk.done) {
            this.#eof = true;
            if (pending.byteLength) controller.enqueue(pending);
            return stop(controller);
          }
          const buf = _concat(pending, chunk.value);
          const at = _indexOf(buf, marker);
          if (at >= 0) {
            const nl = buf.indexOf(0x0a, at);
            if (nl < 0) {
              pending = buf.subarray(at);
              if (at > 0) return controller.enqueue(buf.slice(0, at));
              continue;
            }
            if (at > 0) controller.enqueue(buf.slice(0, at));
            const text = new TextDecoder().decode(buf.subarray(at + marker.byteLength, nl));
            const valid = /^(?:0|[1-9][0-9]{0,2})$/.test(text) && nl === buf.byteLength - 1;
            if (!valid) this.#eof = true; // out of step: never trust this pipe again
            return stop(controller, valid ? Number(text) : undefined);
          }
          const keep = _partialSuffix(buf, marker);
          pending = buf.slice(buf.byteLength - keep);
          if (buf.byteLength > keep) return controller.enqueue(buf.slice(0, buf.byteLength - keep));
        }
      },
      cancel: () => {
        // The supervisor gave up on this run before its end line: the pipe is out of step.
        if (!finished) this.#eof = true;
        settle(undefined);
      },
    });
    return { stream, end };
  }

  /** Releases the pipe. */
  async close(): Promise<void> {
    this.#eof = true;
    await this.#reader.cancel().catch(() => {});
  }
}

/**
 * One zygote process. Runs one program at a time; once a run reports a lost zygote it is
 * {@link _Zygote.broken} and must be closed and replaced.
 */
export class _Zygote {
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #out: _Tap;
  readonly #err: _Tap;
  readonly #killWaitMs: number;
  readonly #exited: Promise<Deno.CommandStatus>;
  #broken = false;
  #busy = false;

  /** Starts the zygote; it loads the harness and waits for runs. */
  constructor(opts: _ZygoteOptions) {
    _source ??= Deno.readTextFileSync(new URL("./_zygote.py", import.meta.url));
    this.#killWaitMs = opts.killWaitMs;
    this.#child = new Deno.Command(opts.argv[0], {
      args: [
        ...opts.argv.slice(1),
        "-c",
        _source,
        String(opts.harness.byteLength),
        String(opts.tmpfsBytes),
        JSON.stringify({ sitePackages: opts.sitePackages, preImport: opts.preImport }),
      ],
      cwd: opts.cwd,
      clearEnv: true,
      env: opts.env,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      // Out of the caller's process group, so an interrupt meant for the caller does not kill
      // the run in flight (which would turn into a false verdict); bwrap's --die-with-parent
      // still ends it with the caller.
      detached: true,
    }).spawn();
    // An idle zygote must not keep the caller alive; it ends on stdin EOF when the caller does.
    this.#child.unref();
    this.#exited = this.#child.status;
    this.#exited.then(() => this.#broken = true, () => this.#broken = true);
    this.#out = new _Tap(this.#child.stdout);
    this.#err = new _Tap(this.#child.stderr);
    this.#writer = this.#child.stdin.getWriter();
    this.#send(opts.harness);
  }

  /** True once the zygote died or fell out of step; it then runs nothing more. */
  get broken(): boolean {
    return this.#broken;
  }

  #send(bytes: Uint8Array): void {
    this.#writer.write(bytes).catch(() => this.#broken = true);
  }

  /**
   * Starts one program with `input` (the harness header and texts).
   * @throws Error when the zygote is broken or already running a program.
   */
  launch(input: Uint8Array): _Launched {
    if (this.#broken) throw new Error("sandbox: launch() on a broken zygote");
    if (this.#busy) throw new Error("sandbox: zygote is already running a program");
    if (input.byteLength > 0xffff_ffff) {
      throw new RangeError(
        `sandbox: a zygote run's input is at most 4 GiB, got ${input.byteLength} bytes`,
      );
    }
    this.#busy = true;
    const token = Array.from(crypto.getRandomValues(new Uint8Array(16)))
      .map((b) => b.toString(16).padStart(2, "0")).join("");
    const tokenBytes = _encoder.encode(token);
    const request = new Uint8Array(5 + input.byteLength + 5 + tokenBytes.byteLength);
    request.set(_frame("R", input.byteLength));
    request.set(input, 5);
    request.set(_frame("N", tokenBytes.byteLength), 5 + input.byteLength);
    request.set(tokenBytes, 10 + input.byteLength);
    this.#send(request);
    const note = "\nsandbox: the zygote died or broke protocol; a fresh one serves the next run\n";
    const out = this.#out.run(token, "");
    const err = this.#err.run(token, note);
    let ended = false;
    let backstop: ReturnType<typeof setTimeout> | undefined;
    const status = Promise.all([out.end, err.end]).then(([code, errCode]): _LaunchEnd => {
      ended = true;
      clearTimeout(backstop);
      this.#busy = false;
      if (code === undefined || errCode !== code) {
        this.#broken = true;
        return { code: _ZYGOTE_LOST, signal: null };
      }
      return { code, signal: null };
    });
    return {
      stdout: out.stream,
      stderr: err.stream,
      status,
      kill: (signal) => {
        if (ended || this.#broken) return;
        this.#send(_frame(signal === "SIGKILL" ? "K" : "T", 0));
        if (signal === "SIGKILL" && backstop === undefined) {
          backstop = setTimeout(() => {
            if (ended) return;
            this.#broken = true;
            try {
              this.#child.kill("SIGKILL");
            } catch { /* already gone */ }
          }, this.#killWaitMs);
        }
      },
      finish: () => {},
    };
  }

  /** Ends the zygote (stdin EOF, then SIGKILL after `killWaitMs`) and releases its pipes. */
  async close(): Promise<void> {
    this.#broken = true;
    await this.#writer.close().catch(() => {});
    let timer: ReturnType<typeof setTimeout> | undefined;
    const forced = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        try {
          this.#child.kill("SIGKILL");
        } catch { /* already gone */ }
        resolve();
      }, this.#killWaitMs);
    });
    await Promise.race([this.#exited.then(() => {}, () => {}), forced]);
    clearTimeout(timer);
    await Promise.all([this.#out.close(), this.#err.close()]);
    await this.#exited.catch(() => {});
  }
}
