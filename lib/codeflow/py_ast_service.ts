/**
 * One long-lived, parse-only Python helper (`_pyast_server.py`) for the filters that need
 * Python's own `tokenize` and `ast`: comment/blank line detection and AST equality.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** Options of {@linkcode PyAstService}. */
export interface PyAstServiceOptions {
  /**
   * The Python interpreter. The real binary, not a pyenv shim (a shim costs ~90 ms a launch).
   * @default "/usr/bin/python3"
   */
  readonly python?: string;
  /**
   * Path of the helper script.
   * @default the `_pyast_server.py` file next to this module
   */
  readonly script?: string;
  /**
   * Milliseconds to wait for an answer before the helper is killed and every pending request
   * fails.
   * @default 60000
   */
  readonly timeoutMs?: number;
}

/** Which lines of a code text hold code (not only comments, blanks or indentation). */
export interface CodeLines {
  /** 0-based line indexes with at least one code token (a multi-line string covers all its lines). */
  readonly codeLines: readonly number[];
  /**
   * Set when `tokenize` stopped early (for example an unclosed bracket); lines after the stop are
   * then judged by text: non-blank and not starting with `#` means code.
   */
  readonly tokenizeError: string | null;
}

/** Whether two code texts have the same Python AST. */
export interface AstComparison {
  readonly same: boolean;
  /** Set when either text does not parse; the ASTs then count as different (unless equal text). */
  readonly parseError: string | null;
}

type Request =
  | { op: "code_lines"; code: string }
  | { op: "same_ast"; a: string; b: string };

interface Pending {
  resolve(value: Record<string, unknown>): void;
  reject(error: Error): void;
}

/**
 * Client of the helper process. Requests are pipelined: every call writes its requests at once
 * and answers are matched by id, so many concurrent calls (or one batch call) share one process.
 * The helper only parses; it never compiles or runs the candidate code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PyAstService } from "./py_ast_service.ts";
 * const py = new PyAstService();
 * await py.start();
 * try {
 *   assert.deepEqual((await py.codeLines(["x = 1\n# note\n"]))[0].codeLines, [0]);
 *   assert.equal((await py.sameAst([["x=1  # a\n", "x = 1\n"]]))[0].same, true);
 * } finally {
 *   await py.close();
 * }
 * ```
 */
export class PyAstService {
  readonly #python: string;
  readonly #script: string;
  readonly #timeoutMs: number;
  #child: Deno.ChildProcess | undefined;
  #writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #reader: Promise<void> | undefined;
  #stderr = "";
  #stderrDone: Promise<void> | undefined;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #failure: Error | undefined;
  #closing = false;

  /** Configure; nothing starts until {@linkcode PyAstService.start}. */
  constructor(options: PyAstServiceOptions = {}) {
    this.#python = options.python ?? "/usr/bin/python3";
    this.#script = options.script ??
      fileURLToPath(new URL("./_pyast_server.py", import.meta.url));
    this.#timeoutMs = options.timeoutMs ?? 60_000;
  }

  /** Whether the helper process is running. */
  get running(): boolean {
    return this.#child !== undefined && this.#failure === undefined;
  }

  /** Start the helper (`python -I script`). Calling it again while running does nothing. */
  start(): Promise<void> {
    if (this.running) return Promise.resolve();
    this.#failure = undefined;
    this.#closing = false;
    const child = new Deno.Command(this.#python, {
      args: ["-I", "-B", this.#script],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#child = child;
    this.#writer = child.stdin.getWriter();
    this.#stderr = "";
    this.#stderrDone = (async () => {
      for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
        this.#stderr = (this.#stderr + chunk).slice(-4000);
      }
    })();
    this.#reader = this.#readAnswers(child);
    return Promise.resolve();
  }

  /** Stop the helper: close its stdin, wait for it to exit (kill it after 5 s). */
  async close(): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    this.#closing = true;
    try {
      await this.#writer?.close();
    } catch {
      // already closed or broken: the kill below ends it
    }
    const killer = setTimeout(() => _kill(child), 5000);
    await child.status;
    clearTimeout(killer);
    await this.#reader;
    await this.#stderrDone;
    this.#fail(new Error("PyAstService closed"));
    this.#child = undefined;
    this.#writer = undefined;
  }

  /**
   * Code lines of each text, by Python's `tokenize`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { PyAstService } from "./py_ast_service.ts";
   * const py = new PyAstService();
   * await py.start();
   * const [r] = await py.codeLines(['s = """a\n# not a comment\n"""\n']);
   * assert.deepEqual(r.codeLines, [0, 1, 2]);
   * await py.close();
   * ```
   */
  async codeLines(codes: readonly string[]): Promise<CodeLines[]> {
    const answers = await this.#send(codes.map((code) => ({ op: "code_lines", code })));
    return answers.map((a) => ({
      codeLines: a.codeLines as number[],
      tokenizeError: a.tokenizeError as string | null,
    }));
  }

  /**
   * AST equality of each `[a, b]` pair (`ast.dump(ast.parse(a)) == ast.dump(ast.parse(b))`).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { PyAstService } from "./py_ast_service.ts";
   * const py = new PyAstService();
   * await py.start();
   * const [r] = await py.sameAst([["x = 1\n", "x = 2\n"]]);
   * assert.deepEqual(r, { same: false, parseError: null });
   * await py.close();
   * ```
   */
  async sameAst(pairs: readonly (readonly [string, string])[]): Promise<AstComparison[]> {
    const answers = await this.#send(pairs.map(([a, b]) => ({ op: "same_ast", a, b })));
    return answers.map((r) => ({
      same: r.same as boolean,
      parseError: r.parseError as string | null,
    }));
  }

  async #send(requests: Request[]): Promise<Record<string, unknown>[]> {
    if (requests.length === 0) return [];
    if (!this.running) {
      throw new Error(
        this.#failure
          ? `PyAstService is down: ${this.#failure.message}`
          : "PyAstService not started",
      );
    }
    const promises: Promise<Record<string, unknown>>[] = [];
    const lines: string[] = [];
    for (const request of requests) {
      const id = this.#nextId++;
      promises.push(
        new Promise((resolve, reject) => this.#pending.set(id, { resolve, reject })),
      );
      lines.push(JSON.stringify({ id, ...request }));
    }
    this.#arm();
    const write = this.#writer!.write(new TextEncoder().encode(lines.join("\n") + "\n"));
    write.catch((e) => this.#fail(new Error(`writing to the Python helper failed: ${e}`)));
    const answers = await Promise.all(promises);
    for (const a of answers) {
      if (a.ok !== true) throw new Error(`Python helper refused a request: ${a.error}`);
    }
    return answers;
  }

  #arm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#pending.size === 0) return;
      this.#fail(new Error(`Python helper gave no answer within ${this.#timeoutMs} ms`));
      if (this.#child) _kill(this.#child);
    }, this.#timeoutMs);
  }

  async #readAnswers(child: Deno.ChildProcess): Promise<void> {
    let buf = "";
    try {
      for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
        buf += chunk;
        let nl;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          const answer = JSON.parse(line) as Record<string, unknown>;
          const pending = this.#pending.get(answer.id as number);
          if (pending === undefined) continue;
          this.#pending.delete(answer.id as number);
          pending.resolve(answer);
          if (this.#pending.size === 0 && this.#timer !== undefined) {
            clearTimeout(this.#timer);
            this.#timer = undefined;
          } else this.#arm();
        }
      }
    } catch (e) {
      this.#fail(new Error(`reading the Python helper failed: ${e}`));
    }
    const status = await child.status;
    await this.#stderrDone;
    this.#fail(
      this.#closing && this.#pending.size === 0 ? new Error("PyAstService closed") : new Error(
        `Python helper exited (code ${status.code}${status.signal ? `, ${status.signal}` : ""}): ${
          this.#stderr.trim() || "no stderr"
        }`,
      ),
    );
  }

  #fail(error: Error): void {
    if (this.#failure === undefined) this.#failure = error;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    for (const [, p] of this.#pending) p.reject(error);
    this.#pending.clear();
  }
}

function _kill(child: Deno.ChildProcess): void {
  try {
    child.kill("SIGKILL");
  } catch {
    // already gone
  }
}
