/**
 * Run untrusted Python against its tests: isolation, limits, structured fail-closed results
 * (DESIGN §5 "Sandbox").
 *
 * @example
 * ```ts
 * import { Sandbox } from "./mod.ts";
 * const sandbox = new Sandbox({ workers: 1 });
 * const r = await sandbox.run({ code: "def f(x):\n    return x + 1\n", tests: "assert f(1) == 2\n" });
 * await sandbox.close();
 * if (r.verdict !== "pass") throw new Error(r.verdict);
 * ```
 *
 * @module
 */
export type { Check, Probe, SandboxJob, SandboxResult, TestOutcome } from "./types.ts";
export {
  DEFAULT_SANDBOX_CONFIG,
  type IsolationMode,
  type IsolationRequest,
  type Launcher,
  type LauncherRequest,
  type SandboxConfig,
} from "./sandbox_config.ts";
export { type RunManyOptions, Sandbox, type SandboxInfo } from "./sandbox.ts";
export type { MemoryBound } from "./_cgroup.ts";
export { resolvePython } from "./resolve_python.ts";
export { PLAIN_CODEC_ID } from "./_harness_code.ts";
export {
  allowUnsafeIsolation,
  resolveIsolation,
  takeUnsafeIsolationFlag,
  unsafeIsolation,
  warnUnsafeIsolation,
} from "./resolve_isolation.ts";
