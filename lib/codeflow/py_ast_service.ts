/**
 * One long-lived, parse-only Python helper (`_pyast_server.py`) for the filters that need
 * Python's own `tokenize` and `ast`: comment/blank line detection and AST equality.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { JsonLinesProcess } from "../core/mod.ts";

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

/**
 * Client of the helper process. Requests are pipelined: every call writes its requests at once
 * and answers are matched by id, so many concurrent calls (or one batch call) share one process
 * (lib/core's {@linkcode JsonLinesProcess}). The helper only parses; it never compiles or runs
 * the candidate code.
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
  readonly #process: JsonLinesProcess;

  /** Configure; nothing starts until {@linkcode PyAstService.start}. */
  constructor(options: PyAstServiceOptions = {}) {
    const script = options.script ??
      fileURLToPath(new URL("./_pyast_server.py", import.meta.url));
    this.#process = new JsonLinesProcess({
      name: "Python helper",
      command: options.python ?? "/usr/bin/python3",
      args: ["-I", "-B", script],
      timeoutMs: options.timeoutMs ?? 60_000,
    });
  }

  /** Whether the helper process is running. */
  get running(): boolean {
    return this.#process.running;
  }

  /** Start the helper (`python -I script`). Calling it again while running does nothing. */
  start(): Promise<void> {
    this.#process.start();
    return Promise.resolve();
  }

  /** Stop the helper: close its stdin, wait for it to exit (kill it after 5 s). */
  async close(): Promise<void> {
    await this.#process.close();
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
    return await this.#process.requestMany(requests);
  }
}
