/**
 * The sandbox: runs untrusted Python and its tests in a fresh, isolated, limited interpreter,
 * through a bounded worker pool, and returns a fail-closed structured result (DESIGN §5).
 *
 * @module
 */
import type { Probe, SandboxJob, SandboxResult } from "./types.ts";
import {
  DEFAULT_SANDBOX_CONFIG,
  type IsolationMode,
  type Launcher,
  type SandboxConfig,
} from "./sandbox_config.ts";
import { type ResolvedPython, resolvePython } from "./resolve_python.ts";
import { resolveIsolation, warnUnsafeIsolation } from "./resolve_isolation.ts";
import { _SlotPool } from "./_pool.ts";
import { _RecordSplitter } from "./_records.ts";
import { _decide } from "./_verdict.ts";
import { _killUid } from "./_kill_uid.ts";
import { _acquireUid, _releaseUid } from "./_uids.ts";
import { _bootstrap, _compiledHarness } from "./_harness_code.ts";
import { type _Launched, _launchedChild } from "./_launched.ts";
import { _Zygote } from "./_zygote.ts";
import { _Judge, _JudgeError, type _Plan } from "./_judge.ts";
import { _ProbeWatch } from "./_probe_watch.ts";
import { _bwrapView, _checkViewPaths } from "./_bwrap_view.ts";
import { _Cgroups, type MemoryBound } from "./_cgroup.ts";

/** The isolation and launcher a sandbox uses, as run outputs record them. */
export interface SandboxInfo {
  readonly isolation: IsolationMode;
  readonly launcher: Launcher;
  /** How the memory of one run, and of all runs at once, is bounded. */
  readonly memory: MemoryBound;
}

/** Options of {@link Sandbox.runMany}. */
export interface RunManyOptions {
  /** Called as each job finishes (in completion order), with the job's index. */
  readonly onResult?: (index: number, result: SandboxResult) => void;
}

/** Working directory of the program inside bwrap (a fresh tmpfs). */
const _BWRAP_WORKDIR = "/tmp";
const _encoder = new TextEncoder();

function _positiveInteger(config: SandboxConfig, key: keyof SandboxConfig): void {
  const v = config[key];
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
    throw new RangeError(`sandbox: config.${key} must be an integer >= 1, got ${String(v)}`);
  }
}

/** Probes as the harness reads them: `<seconds>\x01<expression>`, joined by NUL. */
function _probeText(probes: readonly Probe[]): string {
  for (const p of probes) {
    if (p.expr.includes("\0") || p.expr.includes("\x01")) {
      throw new RangeError(
        `sandbox: a probe expression holds a NUL or \\x01: ${p.expr.slice(0, 80)}`,
      );
    }
  }
  return probes.map((p) => `${p.seconds ?? 0}\x01${p.expr}`).join("\0");
}

/** Room in a run's cgroup above its `memoryBytes`: bwrap, the wrapper and the zygote itself. */
const _CGROUP_SLACK = 64 * 1024 * 1024;

/**
 * Without cgroups only per-process limits hold, so the worst case is workers × processes ×
 * memoryBytes: the default process count is lowered until that fits the host's memory (at
 * least 4 processes per run).
 */
function _fitProcesses(c: SandboxConfig): number {
  const total = Deno.systemMemoryInfo().total;
  const fits = Math.floor(total / (c.workers * c.memoryBytes));
  return Math.max(4, Math.min(c.maxProcesses, fits));
}

/** A run that fails closed because the judge could not answer. */
function _judgeFailure(message: string, wallMs: number): SandboxResult {
  return {
    verdict: "error",
    tests: [],
    errorType: "JudgeError",
    errorMessage: message,
    stdout: "",
    stderr: "",
    wallMs,
  };
}

/**
 * Runs untrusted Python code against its tests.
 *
 * Each run gets a fresh interpreter (`python3 -I -S`), a fresh writable temp dir as cwd,
 * rlimits, no network, an allowlisted read-only view of the system (bwrap: the interpreter and
 * the system libraries only), a pid
 * namespace so nothing outlives the run, a wall-clock limit with SIGTERM→SIGKILL, and a cap on
 * output. A run passes only on the harness's nonce-authenticated completion after every
 * planned test passed.
 *
 * Launchers (`config.launcher`): `spawn` starts `bwrap … python3` per program; `zygote` (the
 * default with bwrap as root) keeps one pre-started interpreter per worker inside a long-lived
 * bwrap sandbox and forks it per program into fresh mount, pid, ipc and uts namespaces with
 * their own tmpfs cwd and `/proc`, then drops to the run's fresh uid. The zygote never runs
 * user code and never holds a run's input or output, so each program starts from the same
 * clean state. One difference: forks of one zygote share its `str` hash seed. A zygote that
 * dies or misbehaves fails its run closed and is replaced for the next one.
 *
 * Tests: for `def check(candidate)` tests (with `entryPoint`) the one test is
 * `check(<entryPoint>)`; otherwise every top-level statement of the tests is one test, except
 * imports, definitions and call-free assignments, which are setup.
 *
 * Verdicts are judged outside the program: probes (explicit, or assert-style tests the judge
 * rewrote, `config.judgeAsserts`) send their values as plain data, and the sandbox's judge
 * process, which never runs candidate code, compares them with expected values the program
 * never sees; so forged records, an `__eq__` that is always True, ctypes rewrites and replaced
 * builtins claim values at most. Tests of other shapes run in-process and keep that harness's
 * known limits (frames or gc objects reveal the nonce, a trace function can skip statements, an
 * always-equal object satisfies `assert f(x) == y`); their outcomes say `judged: "in-process"`.
 * `exit()`, `os._exit()`, crashes, signals, timeouts and truncated output never produce a pass.
 * In `unshare` and `rlimits` modes (only by explicit request) the file system is visible; in
 * `rlimits` mode the network too.
 *
 * @example
 * ```ts
 * import { Sandbox } from "./sandbox.ts";
 * const sandbox = new Sandbox({ workers: 1 });
 * const r = await sandbox.run({ code: "def f(x):\n    return x\n", tests: "assert f(1) == 2\n" });
 * await sandbox.close();
 * if (r.verdict !== "fail" || r.errorType !== "AssertionError") throw new Error(r.verdict);
 * ```
 */
export class Sandbox {
  /** The resolved configuration (with `pythonPath` filled in). */
  readonly config: Readonly<SandboxConfig> & { readonly pythonPath: string };
  /** The isolation actually applied. */
  readonly isolation: IsolationMode;
  /** How programs are actually started (`auto` resolved). */
  readonly launcher: Launcher;
  readonly #python: ResolvedPython;
  readonly #pool: _SlotPool;
  readonly #prefixArgs: readonly string[];
  readonly #harness: Uint8Array;
  readonly #bootstrap: string;
  readonly #inFlight = new Set<Promise<unknown>>();
  /** One zygote per pool slot (launcher `zygote`), started on the slot's first run. */
  readonly #zygotes: (_Zygote | undefined)[] = [];
  /** Broken zygotes being shut down. */
  readonly #retiring = new Set<Promise<void>>();
  /** The trusted process that plans assert rewrites and judges probe values. */
  readonly #judge: _Judge;
  readonly #plans = new Map<string, _Plan>();
  /** One cgroup per pool slot (root with cgroups), bounding each run's whole process tree. */
  readonly #cgroups?: _Cgroups;
  #closed = false;

  /**
   * @param config overrides of {@link DEFAULT_SANDBOX_CONFIG}.
   * @throws RangeError naming the field when a limit is not a positive integer; Error when the
   *   interpreter or an explicitly requested isolation mode or launcher is unavailable.
   */
  constructor(config: Partial<SandboxConfig> = {}) {
    const merged: SandboxConfig = { ...DEFAULT_SANDBOX_CONFIG, ...config };
    for (
      const key of [
        "timeoutMs",
        "killGraceMs",
        "cpuSeconds",
        "memoryBytes",
        "maxProcesses",
        "maxFileBytes",
        "maxOpenFiles",
        "maxOutputBytes",
        "tmpfsBytes",
        "workers",
        "probeBudget",
        "maxRecordBytes",
      ] as const
    ) _positiveInteger(merged, key);
    this.#python = resolvePython(merged.pythonPath);
    this.#cgroups = merged.cgroups
      ? _Cgroups.create(merged.workers, merged.memoryBytes + _CGROUP_SLACK, merged.maxProcesses + 8)
      : undefined;
    if (!this.#cgroups && config.maxProcesses === undefined) {
      merged.maxProcesses = _fitProcesses(merged);
    }
    this.config = Object.freeze({ ...merged, pythonPath: this.#python.path });
    this.isolation = resolveIsolation(merged);
    if (this.isolation === "bwrap") {
      _checkViewPaths("readOnlyPaths", merged.readOnlyPaths);
      _checkViewPaths("sitePackages", merged.sitePackages);
    }
    if (this.isolation !== "bwrap") warnUnsafeIsolation(this.isolation);
    this.launcher = this.#resolveLauncher();
    this.#pool = new _SlotPool(merged.workers);
    this.#prefixArgs = this.#isolationArgs();
    this.#harness = _compiledHarness(this.#python.path);
    this.#bootstrap = _bootstrap(this.#harness.byteLength);
    this.#judge = new _Judge(this.#python.path);
  }

  #memoryBound(): MemoryBound {
    const c = this.config;
    if (this.#cgroups) {
      const bytesPerRun = c.memoryBytes + _CGROUP_SLACK;
      return { kind: this.#cgroups.kind, bytesPerRun, total: bytesPerRun * c.workers };
    }
    const bytesPerRun = c.memoryBytes * c.maxProcesses; // RLIMIT_AS per process, no aggregate
    return { kind: "rlimit", bytesPerRun, total: bytesPerRun * c.workers };
  }

  /** What a run output records of this sandbox: its isolation and launcher. */
  get info(): SandboxInfo {
    return { isolation: this.isolation, launcher: this.launcher, memory: this.#memoryBound() };
  }

  #resolveLauncher(): Launcher {
    const request = this.config.launcher;
    const capable = this.isolation === "bwrap" && Deno.uid() === 0;
    switch (request) {
      case "auto":
        return capable ? "zygote" : "spawn";
      case "spawn":
        return "spawn";
      case "zygote":
        if (!capable) {
          throw new Error(
            `sandbox: launcher "zygote" needs bwrap isolation and root, got isolation ` +
              `"${this.isolation}" as uid ${Deno.uid()}`,
          );
        }
        return "zygote";
      default: {
        const never: never = request;
        throw new Error(`sandbox: unknown launcher ${JSON.stringify(never)}`);
      }
    }
  }

  /** Fixed argv prefix for the isolation mode (everything before the interpreter). */
  #isolationArgs(): string[] {
    const c = this.config;
    switch (this.isolation) {
      case "bwrap": {
        const args = _bwrapView({
          pythonPath: this.#python.path,
          prefix: this.#python.prefix,
          extra: [...c.readOnlyPaths, ...c.sitePackages],
          workdir: _BWRAP_WORKDIR,
          tmpfsBytes: c.tmpfsBytes,
        });
        args.push(
          "--chdir",
          _BWRAP_WORKDIR,
          "--unshare-net",
          "--unshare-pid",
          "--unshare-ipc",
          "--unshare-uts",
          "--unshare-cgroup-try",
          "--die-with-parent",
          "--new-session",
          "--",
        );
        return [c.bwrapPath, ...args];
      }
      case "unshare":
        return [
          c.unsharePath,
          "--net",
          "--pid",
          "--fork",
          "--kill-child",
          "--ipc",
          "--uts",
          "--",
        ];
      case "rlimits":
        return [];
      default: {
        const never: never = this.isolation;
        throw new Error(`sandbox: unknown isolation ${String(never)}`);
      }
    }
  }

  /**
   * Runs one job once a pool slot is free.
   * @throws Error when the sandbox is closed.
   */
  run(job: SandboxJob): Promise<SandboxResult> {
    if (this.#closed) return Promise.reject(new Error("sandbox: run() after close()"));
    const p = this.#pool.use((slot) => this.#execute(job, slot));
    this.#inFlight.add(p);
    const forget = () => this.#inFlight.delete(p);
    p.then(forget, forget);
    return p;
  }

  /**
   * Runs all jobs through the pool (at most `workers` at once); results keep the jobs' order.
   */
  runMany(jobs: readonly SandboxJob[], opts: RunManyOptions = {}): Promise<SandboxResult[]> {
    return Promise.all(jobs.map(async (job, i) => {
      const r = await this.run(job);
      opts.onResult?.(i, r);
      return r;
    }));
  }

  /**
   * Refuses new runs, waits for the accepted ones to finish (each is bounded by its limits) and
   * ends the zygotes, if any.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#inFlight]);
    const zygotes = this.#zygotes.splice(0);
    await Promise.all([...zygotes.map((z) => z?.close()), ...this.#retiring, this.#judge.close()]);
    await this.#cgroups?.close();
  }

  /** `argv` joined to the slot's cgroup first, when there are cgroups. */
  #wrap(slot: number, argv: string[]): string[] {
    return this.#cgroups ? this.#cgroups.wrap(slot, argv) : argv;
  }

  /** Environment of the interpreter, with `workdir` as home and temp dir. */
  #env(workdir: string): Record<string, string> {
    return {
      PATH: "/usr/local/bin:/usr/bin:/bin",
      HOME: workdir,
      TMPDIR: workdir,
      LANG: "C.UTF-8",
      LC_ALL: "C.UTF-8",
      ...this.config.env,
    };
  }

  /** Interpreter flags (before `-c`). */
  #pythonFlags(): string {
    return this.config.importSite ? "-I" : "-IS";
  }

  /** The slot's live zygote, replacing a broken one. */
  #zygote(slot: number): _Zygote {
    const current = this.#zygotes[slot];
    if (current && !current.broken) return current;
    if (current) {
      const retiring = current.close();
      this.#retiring.add(retiring);
      retiring.then(() => this.#retiring.delete(retiring));
    }
    const fresh = new _Zygote({
      argv: this.#wrap(slot, [...this.#prefixArgs, this.#python.path, this.#pythonFlags()]),
      cwd: _BWRAP_WORKDIR,
      env: this.#env(_BWRAP_WORKDIR),
      harness: this.#harness,
      tmpfsBytes: this.config.tmpfsBytes,
      sitePackages: this.config.sitePackages,
      preImport: this.config.preImport,
      killWaitMs: this.config.killGraceMs + 1000,
    });
    this.#zygotes[slot] = fresh;
    return fresh;
  }

  /**
   * The job as it runs: assert-style tests rewritten into probes judged outside the program,
   * where the judge finds their shape allows it (`config.judgeAsserts`).
   */
  async #prepare(job: SandboxJob): Promise<SandboxJob> {
    if (job.probes !== undefined || job.unittest !== undefined) return job;
    if (!this.config.judgeAsserts || !job.tests.trim()) return job;
    const key = `${job.entryPoint ?? ""}\0${job.tests}`;
    let plan = this.#plans.get(key);
    if (plan === undefined) {
      plan = await this.#judge.plan(job.tests, job.entryPoint ?? "");
      if (this.#plans.size >= 4096) this.#plans.clear();
      this.#plans.set(key, plan);
    }
    if ("inProcess" in plan) return job;
    const { entryPoint: _entry, ...rest } = job;
    return {
      ...rest,
      tests: plan.setup,
      probes: plan.probes.map((expr, i) => ({
        expr,
        source: plan.sources[i],
        where: plan.wheres[i],
      })),
      checks: plan.checks,
      // Every assert reports, as it did in-process (the outcomes feed trajectories).
      fastCheck: job.fastCheck ?? false,
    };
  }

  async #execute(original: SandboxJob, slot: number): Promise<SandboxResult> {
    const c = this.config;
    let job: SandboxJob;
    try {
      job = await this.#prepare(original);
    } catch (e) {
      if (!(e instanceof _JudgeError)) throw e;
      return _judgeFailure(e.message, 0);
    }
    const started = performance.now();
    const nonce = Array.from(crypto.getRandomValues(new Uint8Array(16)))
      .map((b) => b.toString(16).padStart(2, "0")).join("");
    const root = Deno.uid() === 0;
    const uid = root ? _acquireUid(c.uidBase) : -1;
    let hostDir: string | undefined;
    let lost = false;
    try {
      if (this.isolation !== "bwrap") {
        hostDir = await Deno.makeTempDir({ dir: c.tempRoot, prefix: "sandbox-" });
        if (root) await Deno.chown(hostDir, uid, uid);
      }
      const workdir = hostDir ?? _BWRAP_WORKDIR;
      const parts = [
        job.setup ?? "",
        job.code,
        job.tests,
        job.entryPoint ?? "",
        _probeText(job.probes ?? []),
        job.unittest ?? "",
        c.sitePackages.join("\0"),
      ].map((s) => _encoder.encode(s));
      const header = [
        nonce,
        uid,
        uid,
        c.cpuSeconds,
        c.memoryBytes,
        c.maxProcesses,
        c.maxFileBytes,
        c.maxOpenFiles,
        c.importSite ? 1 : 0,
        c.probeBudget,
        job.quietProbes ? 1 : 0,
        ...parts.map((p) => p.byteLength),
      ].join(" ") + "\n";
      const input = [_encoder.encode(header), ...parts];
      if (this.launcher === "zygote") {
        const bytes = new Uint8Array(input.reduce((n, p) => n + p.byteLength, 0));
        input.reduce((at, p) => (bytes.set(p, at), at + p.byteLength), 0);
        const launched = this.#zygote(slot).launch(bytes);
        const result = await this.#supervise(launched, job, nonce, started);
        lost = this.#zygotes[slot]?.broken ?? true;
        return result;
      }
      const argv = this.#wrap(slot, [
        ...this.#prefixArgs,
        this.#python.path,
        this.#pythonFlags(),
        "-c",
        this.#bootstrap,
      ]);
      const child = new Deno.Command(argv[0], {
        args: argv.slice(1),
        cwd: workdir,
        clearEnv: true,
        env: this.#env(workdir),
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
        // Always out of the caller's process group: a SIGINT to that group (Ctrl-C, a
        // notebook's Kernel > Interrupt) must not kill the run in flight, which would record a
        // false verdict; the caller stops between steps instead.
        detached: true,
      }).spawn();
      const launched = _launchedChild(
        child,
        [this.#harness, ...input],
        this.isolation === "rlimits",
      );
      return await this.#supervise(launched, job, nonce, started);
    } finally {
      // Outside bwrap nothing kills escaped processes for us: without a pid namespace daemons
      // leave the process group (rlimits), and under `unshare` the program is the namespace's
      // pid 1, whose parent-death signal the kernel clears when the harness drops its uid.
      // The per-run uid finds them all.
      // A lost zygote was killed with its whole bwrap sandbox; make sure the run is gone too
      // before its uid is handed out again.
      if ((this.isolation !== "bwrap" || lost) && root) await _killUid(uid, c.timeoutMs);
      if (hostDir) await Deno.remove(hostDir, { recursive: true }).catch(() => {});
      if (root) _releaseUid(uid);
    }
  }

  async #supervise(
    child: _Launched,
    job: SandboxJob,
    nonce: string,
    started: number,
  ): Promise<SandboxResult> {
    const c = this.config;
    const kill = (signal: "SIGTERM" | "SIGKILL") => child.kill(signal);
    let timedOut = false;
    let truncated = false;
    let graceTimer: ReturnType<typeof setTimeout> | undefined;
    const deadline = setTimeout(() => {
      timedOut = true;
      kill("SIGTERM");
      graceTimer = setTimeout(() => kill("SIGKILL"), c.killGraceMs);
    }, c.timeoutMs);

    const splitter = new _RecordSplitter(nonce, c.maxOutputBytes);
    const probes = job.probes ?? [];
    const watch = new _ProbeWatch(this.#judge, probes.length, job.checks, {
      fastCheck: job.fastCheck ?? true,
      stop: () => kill("SIGKILL"),
    });
    splitter.onRecord = (body) => watch.onRecord(body);
    const errParts: string[] = [];
    let errChars = 0;
    let overflow: string | undefined;
    const overCap = () => {
      if (truncated) return;
      if (splitter.userChars + errChars > c.maxOutputBytes) {
        overflow = `output exceeded ${c.maxOutputBytes} bytes; the run was killed`;
      } else if (splitter.recordChars + splitter.pendingChars > c.maxRecordBytes) {
        overflow = `probe values exceeded ${c.maxRecordBytes} bytes; the run was killed`;
      } else return;
      truncated = true;
      kill("SIGKILL");
    };
    const pump = async (
      stream: ReadableStream<Uint8Array>,
      sink: (text: string) => void,
    ) => {
      const decoder = new TextDecoder();
      const reader = stream.getReader();
      readers.push(reader);
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          sink(decoder.decode(value, { stream: true }));
          overCap();
        }
        sink(decoder.decode());
      } catch { /* cancelled after exit */ }
    };
    const readers: ReadableStreamDefaultReader<Uint8Array>[] = [];
    const outDone = pump(child.stdout, (t) => splitter.feed(t));
    const errDone = pump(child.stderr, (t) => {
      const room = c.maxOutputBytes - errChars;
      if (room > 0) errParts.push(t.length <= room ? t : t.slice(0, room));
      errChars += t.length;
    });

    const status = await child.status;
    clearTimeout(deadline);
    if (graceTimer !== undefined) clearTimeout(graceTimer);
    // Escaped grandchildren (rlimits mode only) may hold the pipes: stop reading shortly after.
    const drained = Promise.all([outDone, errDone]);
    let drainTimer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      drained,
      new Promise<void>((resolve) => {
        drainTimer = setTimeout(resolve, 100);
      }),
    ]);
    clearTimeout(drainTimer);
    for (const r of readers) r.cancel().catch(() => {});
    await drained;
    child.finish();

    const stdout = splitter.output();
    await watch.finish();
    if (watch.judgeError) return _judgeFailure(watch.judgeError, performance.now() - started);
    const decision = _decide(splitter.records, {
      code: status.code,
      signal: status.signal,
      timedOut,
      truncated,
      timeoutMs: c.timeoutMs,
      cpuSeconds: c.cpuSeconds,
      maxOutputBytes: c.maxOutputBytes,
      ...(overflow ? { overflow } : {}),
    }, { probes, results: watch.results, fastCheck: job.fastCheck ?? true });
    return {
      ...decision,
      stdout,
      stderr: errParts.join(""),
      wallMs: performance.now() - started,
    };
  }
}
