/**
 * Configuration of the {@link Sandbox}: limits, isolation and pool size (DESIGN §5 "Sandbox").
 *
 * @module
 */

/** How the untrusted program is isolated. `auto` is bubblewrap unless a weaker mode was allowed. */
export type IsolationRequest = "auto" | "bwrap" | "unshare" | "rlimits";

/** The isolation a sandbox actually applies once `auto` is resolved. */
export type IsolationMode = Exclude<IsolationRequest, "auto">;

/**
 * How each program's interpreter comes to be. `spawn`: a fresh `bwrap … python3` process per
 * program. `zygote`: one pre-started interpreter per worker, inside one long-lived bwrap
 * sandbox, forks per program; the fork enters fresh mount, pid, ipc and uts namespaces, gets
 * its own tmpfs working directory and `/proc`, and drops to the run's fresh uid, so every
 * isolation guarantee of `spawn` holds, at a fraction of the start-up cost. `zygote` needs
 * bwrap isolation and root. `auto`: `zygote` when both are available, else `spawn`.
 */
export type LauncherRequest = "auto" | "spawn" | "zygote";

/** The launcher a sandbox actually uses once `auto` is resolved. */
export type Launcher = Exclude<LauncherRequest, "auto">;

/** Limits, isolation and pool size of a {@link Sandbox}. Plain JSON-serialisable data. */
export interface SandboxConfig {
  /**
   * Real Python 3 interpreter (never a pyenv shim: a shim costs ~90 ms per launch).
   * When absent it is resolved once: `/usr/bin/python3` if present, else the realpath of
   * `pyenv which python3`, else the realpath of `python3` found on the search path.
   * @default undefined (resolved)
   */
  pythonPath?: string;
  /** Wall-clock limit of one run in milliseconds; the whole sandbox is killed after it.
   * @default 10_000 */
  timeoutMs: number;
  /** Grace between SIGTERM and SIGKILL when the wall-clock limit is hit.
   * @default 200 */
  killGraceMs: number;
  /** CPU seconds (`RLIMIT_CPU`; SIGXCPU then SIGKILL one second later). @default 10 */
  cpuSeconds: number;
  /** Address space in bytes (`RLIMIT_AS`). @default 1 GiB */
  memoryBytes: number;
  /**
   * Processes and threads (`RLIMIT_NPROC`). As root the harness drops to a fresh uid per run
   * (see `uidBase`), so the limit is enforced per run; as non-root the kernel counts every
   * process of the calling user against it. @default 32
   */
  maxProcesses: number;
  /** Largest file the program may write (`RLIMIT_FSIZE`). @default 16 MiB */
  maxFileBytes: number;
  /** Open file descriptors (`RLIMIT_NOFILE`). @default 64 */
  maxOpenFiles: number;
  /**
   * Cap on captured stdout plus stderr (counted in decoded characters; harness records do not
   * count). A run that exceeds it is killed at once and never passes. @default 1 MiB
   */
  maxOutputBytes: number;
  /** Size of the writable tmpfs that is the run's working directory under bwrap.
   * @default 64 MiB */
  tmpfsBytes: number;
  /**
   * `auto`: bubblewrap, or an error naming the fix, unless a weaker mode was explicitly allowed
   * (`--unsafe-isolation`, `allowUnsafeIsolation`). Weaker modes print a banner. @default "auto"
   */
  isolation: IsolationRequest;
  /**
   * How programs are started (see {@link LauncherRequest}). Under `zygote`, a zygote that dies
   * or breaks protocol fails its run closed (an `error`, never a pass) and is replaced by a
   * fresh one for the next run; one that has not reported `killGraceMs + 1000` ms after its
   * run was SIGKILLed is killed itself. @default "auto"
   */
  launcher: LauncherRequest;
  /** Number of programs run at once. @default navigator.hardwareConcurrency */
  workers: number;
  /** bubblewrap executable. @default "/usr/bin/bwrap" */
  bwrapPath: string;
  /** util-linux `unshare` executable. @default "/usr/bin/unshare" */
  unsharePath: string;
  /**
   * Extra host paths the program may read under bwrap (bound read-only). The view is an
   * allowlist: the interpreter and its prefix, the system libraries (`/usr`, `/lib*`, the
   * loader's `/etc` files) and fresh tmpfs for `/tmp`, `/var/tmp` and `/dev/shm`; no other host
   * path exists inside. @default []
   */
  readOnlyPaths: readonly string[];
  /**
   * Folders of third-party packages the program may import (a virtual environment's
   * `site-packages`): bound read-only under bwrap and added with `site.addsitedir` (their `.pth`
   * files run) before the program starts. Trusted code only: these folders are not isolated from
   * the program, the program is isolated from everything else. @default []
   */
  sitePackages: readonly string[];
  /**
   * Modules the zygote imports once, before its first fork (after `sitePackages`); every run
   * starts with them already imported, so a program does not pay, say, pandas' import time. Each
   * run gets its own copy-on-write copy of their state. Ignored by the `spawn` launcher.
   * @default []
   */
  preImport: readonly string[];
  /**
   * Extra environment variables of the program (`TZ`, `MPLBACKEND`, `OMP_NUM_THREADS`…), over
   * the sandbox's own (`PATH`, `HOME` and `TMPDIR` = the working directory, `LANG`). They are
   * set before the zygote starts, so `preImport` modules see them too. @default {}
   */
  env: Readonly<Record<string, string>>;
  /**
   * Start of the uid (and gid) range the harness drops to when started as root: each run gets
   * a uid no other live run of this process holds, in `[uidBase, uidBase + 4096 * 4096)`.
   * Choose a range no real account uses. Ignored when not root. @default 1_500_000_000
   */
  uidBase: number;
  /**
   * Import `site` at start-up (third-party packages on `sys.path`). Off saves ~7 ms per run;
   * `exit()`/`quit()` are still defined. @default false
   */
  importSite: boolean;
  /**
   * Rewrite assert-style tests (`assert f(x) == 2`, `math.isclose`, `abs(f(x) - y) < t`, a
   * `check(candidate)` made of such asserts) into probes whose values a separate judge process
   * compares, so no expected value enters the program's interpreter. Tests of any other shape
   * run in-process, with the weaker guarantee named in {@link TestOutcome.judged}. @default true
   */
  judgeAsserts: boolean;
  /**
   * Probe values larger than this many units (about 32 characters each) leave the program as a
   * digest; values with floats are kept up to 64 times larger. @default 64
   */
  probeBudget: number;
  /**
   * As root, give each pool slot a cgroup (v2 `memory.max` and `pids.max`, or cgroup v1's
   * memory and pids limits) so one run's whole process tree shares `memoryBytes` and
   * `maxProcesses`. Where no cgroup can be made, only the per-process rlimits hold, and the
   * default `maxProcesses` is lowered so that workers × processes × memoryBytes fits the host
   * (`Sandbox.info.memory` states the bound). @default true
   */
  cgroups: boolean;
  /** Cap on the harness records (probe values) of one run. @default 64 MiB */
  maxRecordBytes: number;
  /** Parent directory of per-run temporary directories (modes without a tmpfs).
   * @default undefined (the system temporary directory) */
  tempRoot?: string;
}

const _MIB = 1024 * 1024;

/** Defaults of every {@link SandboxConfig} field. `pythonPath` is resolved by the sandbox. */
export const DEFAULT_SANDBOX_CONFIG: SandboxConfig = Object.freeze({
  timeoutMs: 10_000,
  killGraceMs: 200,
  cpuSeconds: 10,
  memoryBytes: 1024 * _MIB,
  maxProcesses: 32,
  maxFileBytes: 16 * _MIB,
  maxOpenFiles: 64,
  maxOutputBytes: 1 * _MIB,
  tmpfsBytes: 64 * _MIB,
  isolation: "auto",
  launcher: "auto",
  workers: Math.max(1, navigator.hardwareConcurrency ?? 1),
  bwrapPath: "/usr/bin/bwrap",
  unsharePath: "/usr/bin/unshare",
  readOnlyPaths: Object.freeze([]),
  sitePackages: Object.freeze([]),
  preImport: Object.freeze([]),
  env: Object.freeze({}),
  uidBase: 1_500_000_000,
  importSite: false,
  judgeAsserts: true,
  cgroups: true,
  probeBudget: 64,
  maxRecordBytes: 64 * _MIB,
}) as SandboxConfig;
