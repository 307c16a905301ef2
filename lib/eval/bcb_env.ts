/**
 * The Python environment BigCodeBench's programs run in: the pinned libraries of
 * `python/requirements-bcb.txt` (a cached virtual environment, built on first use), added to the
 * sandbox's interpreter, with bigcodebench's evaluator settings.
 *
 * @module
 */
import { pythonEnv } from "../core/mod.ts";
import type { SandboxConfig } from "../sandbox/mod.ts";

/** Where the libraries are: the interpreter and the folder of its packages. */
export interface BcbEnvironment {
  /** The environment's interpreter (the sandbox runs its real path). */
  readonly python: string;
  /** The environment's `site-packages`. */
  readonly sitePackages: string;
  /**
   * The environment's root (`sys.prefix`): shown read-only to the programs, with its `bin` first
   * on their `PATH`, so a task that starts `python script.py` gets the same libraries.
   */
  readonly prefix: string;
}

const _GIB = 1024 ** 3;
const _MIB = 1024 ** 2;

/**
 * Modules the sandbox's zygote imports before it forks, so a task does not pay their import time
 * (the most used libraries of the tasks: pandas in 426 of them, numpy 334, matplotlib 309,
 * sklearn 152, scipy 85, seaborn 72).
 */
export const BCB_PRE_IMPORT: readonly string[] = Object.freeze([
  "numpy",
  "pandas",
  "matplotlib",
  "matplotlib.pyplot",
  "scipy",
  "sklearn",
  "seaborn",
]);

/**
 * The environment of bigcodebench's `reliability_guard` (UTC, one thread per math library,
 * TensorFlow quiet and without oneDNN), plus matplotlib's Agg backend.
 */
export const BCB_PROGRAM_ENV: Readonly<Record<string, string>> = Object.freeze({
  TZ: "UTC",
  OMP_NUM_THREADS: "1",
  OPENBLAS_NUM_THREADS: "1",
  MKL_NUM_THREADS: "1",
  TF_CPP_MIN_LOG_LEVEL: "3",
  TF_ENABLE_ONEDNN_OPTS: "0",
  MPLBACKEND: "Agg",
});

/**
 * The environment of `python/requirements-bcb.txt`, or of `KIT_BCB_PYTHON` (any interpreter whose
 * packages the tasks should use). Building it the first time downloads about 2.7 GB.
 */
export async function bcbEnvironment(): Promise<BcbEnvironment> {
  const python = Deno.env.get("KIT_BCB_PYTHON") ?? await pythonEnv("requirements-bcb.txt");
  const out = await new Deno.Command(python, {
    args: [
      "-I",
      "-c",
      "import sys, sysconfig; print(sysconfig.get_paths()['purelib']); print(sys.prefix)",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `BigCodeBench environment: ${python} failed: ${new TextDecoder().decode(out.stderr)}`,
    );
  }
  const [sitePackages, prefix] = new TextDecoder().decode(out.stdout).trim().split("\n");
  return { python, sitePackages, prefix };
}

/**
 * Sandbox settings of BigCodeBench programs: the environment's packages, bigcodebench's
 * environment variables, its per-task time limit (240 s, `BIGCODEBENCH_TIMEOUT_PER_TASK`) as both
 * wall-clock and CPU limit, room for the libraries (8 GiB of address space, 1,024 files, 64
 * processes and threads) and for the files tasks write (a 512 MiB working directory). The network
 * stays off: a task that needs it gets a connection error inside the program.
 */
export function bcbSandboxConfig(env: BcbEnvironment): Partial<SandboxConfig> {
  return {
    pythonPath: env.python,
    sitePackages: [env.sitePackages],
    readOnlyPaths: [env.prefix],
    preImport: BCB_PRE_IMPORT,
    env: { ...BCB_PROGRAM_ENV, PATH: `${env.prefix}/bin:/usr/local/bin:/usr/bin:/bin` },
    timeoutMs: 240_000,
    cpuSeconds: 240,
    memoryBytes: 8 * _GIB,
    maxOpenFiles: 1024,
    maxProcesses: 64,
    maxFileBytes: 256 * _MIB,
    tmpfsBytes: 512 * _MIB,
    maxOutputBytes: 16 * _MIB,
  };
}
