/**
 * A long-lived helper process spoken to in JSON lines: one request per stdin line, one answer per
 * stdout line, matched by `id`. Requests are pipelined, so many concurrent calls share one
 * process. Answers are `{"id": N, "ok": true, ...}` or `{"id": N, "ok": false, "error": STR}`.
 * When the process dies, stalls past the timeout or answers nonsense, every pending request
 * fails with the reason (and its last stderr).
 *
 * @module
 */

/** Options of {@linkcode JsonLinesProcess}. */
export interface JsonLinesProcessOptions {
  /** What the process is, for error messages ("the judge", "Python helper"). */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Its whole environment, when given (else the caller's). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Milliseconds to wait for an answer before the process is killed and every pending request
   * fails. @default 60000
   */
  readonly timeoutMs?: number;
  /**
   * After a failure, the next request starts a fresh process (the failed requests still fail).
   * Off, every later request fails with the first failure. @default false
   */
  readonly restartAfterFailure?: boolean;
}

interface _Pending {
  resolve(value: Record<string, unknown>): void;
  reject(error: Error): void;
}

/**
 * Client of one helper process, started on the first request.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JsonLinesProcess } from "./json_lines_process.ts";
 * const echo = new JsonLinesProcess({
 *   name: "echo",
 *   command: "python3",
 *   args: ["-c", "import json,sys\nfor l in sys.stdin:\n r=json.loads(l); r['ok']=True; print(json.dumps(r), flush=True)"],
 * });
 * const [a, b] = await echo.requestMany([{ x: 1 }, { x: 2 }]);
 * assert.deepEqual([a.x, b.x], [1, 2]);
 * await echo.close();
 * ```
 */
export class JsonLinesProcess {
  readonly #options: JsonLinesProcessOptions;
  readonly #timeoutMs: number;
  #child: Deno.ChildProcess | undefined;
  #writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #reader: Promise<void> | undefined;
  #stderr = "";
  #stderrDone: Promise<void> | undefined;
  #nextId = 1;
  readonly #pending = new Map<number, _Pending>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #failure: Error | undefined;
  #closing = false;

  constructor(options: JsonLinesProcessOptions) {
    this.#options = options;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
  }

  /** Whether the process is running and has not failed. */
  get running(): boolean {
    return this.#child !== undefined && this.#failure === undefined;
  }

  /** Starts the process; does nothing while it runs. */
  start(): void {
    if (this.running) return;
    this.#failure = undefined;
    this.#closing = false;
    const o = this.#options;
    const child = new Deno.Command(o.command, {
      args: [...o.args],
      ...(o.env === undefined ? {} : { clearEnv: true, env: { ...o.env } }),
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      // Its own process group: Ctrl-C, or a notebook's Kernel > Interrupt (SIGINT to the
      // kernel's whole group), is the caller's to handle between steps, not a kill of the
      // helper mid-answer. It still ends with the caller, on stdin EOF.
      detached: true,
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
  }

  /** One request; its answer (without `ok`), or an error naming the process. */
  async request(body: Readonly<Record<string, unknown>>): Promise<Record<string, unknown>> {
    return (await this.requestMany([body]))[0];
  }

  /** Several requests in one write; the answers in order. */
  async requestMany(
    bodies: readonly Readonly<Record<string, unknown>>[],
  ): Promise<Record<string, unknown>[]> {
    if (bodies.length === 0) return [];
    if (!this.running) {
      if (this.#failure && !this.#options.restartAfterFailure) {
        throw new Error(`${this.#options.name} is down: ${this.#failure.message}`);
      }
      this.start();
    }
    const promises: Promise<Record<string, unknown>>[] = [];
    const lines: string[] = [];
    for (const body of bodies) {
      const id = this.#nextId++;
      promises.push(new Promise((resolve, reject) => this.#pending.set(id, { resolve, reject })));
      lines.push(JSON.stringify({ ...body, id }));
    }
    this.#arm();
    const write = this.#writer!.write(new TextEncoder().encode(lines.join("\n") + "\n"));
    // A write fails when the process died: let its exit (code and stderr) be the reason, which the
    // reader reports once the process is gone; the write error stands only if it does not.
    write.catch(async (e) => {
      await this.#reader;
      this.#fail(new Error(`writing to ${this.#options.name} failed: ${e}`));
    });
    const answers = await Promise.all(promises);
    for (const a of answers) {
      if (a.ok !== true) throw new Error(`${this.#options.name} refused a request: ${a.error}`);
    }
    return answers;
  }

  /** Stops the process: closes its stdin, waits for it to exit (kills it after 5 s). */
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
    this.#fail(new Error(`${this.#options.name} closed`));
    this.#child = undefined;
    this.#writer = undefined;
  }

  #arm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#pending.size === 0) return;
      this.#fail(new Error(`${this.#options.name} gave no answer within ${this.#timeoutMs} ms`));
      if (this.#child) _kill(this.#child);
    }, this.#timeoutMs);
  }

  #answer(line: string): void {
    let answer: Record<string, unknown>;
    try {
      answer = JSON.parse(line);
    } catch {
      this.#fail(
        new Error(`${this.#options.name} answered a line that is not JSON: ${line.slice(0, 80)}`),
      );
      if (this.#child) _kill(this.#child);
      return;
    }
    const pending = this.#pending.get(answer.id as number);
    if (pending === undefined) return;
    this.#pending.delete(answer.id as number);
    pending.resolve(answer);
    if (this.#pending.size === 0 && this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    } else this.#arm();
  }

  async #readAnswers(child: Deno.ChildProcess): Promise<void> {
    let buf = "";
    try {
      for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
        buf += chunk;
        let nl;
        while ((nl = buf.indexOf("\n")) >= 0) {
          this.#answer(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
        }
      }
    } catch (e) {
      this.#fail(new Error(`reading ${this.#options.name} failed: ${e}`));
    }
    const status = await child.status;
    await this.#stderrDone;
    if (this.#child !== child) return; // a process replaced after its failure
    const name = this.#options.name;
    this.#fail(
      this.#closing && this.#pending.size === 0 ? new Error(`${name} closed`) : new Error(
        `${name} exited (code ${status.code}${status.signal ? `, ${status.signal}` : ""}): ${
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
