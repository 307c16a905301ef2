/**
 * The adversarial suite through `deno task eval`: a scripted OpenAI-compatible endpoint on
 * 127.0.0.1 serves one hostile program per HumanEval+ task, and the eval CLI scores it in every
 * isolation mode the kit still allows. Every pass@1 must be exactly 0.
 *
 * @module
 */
import { join } from "node:path";
import { main as evalMain } from "../../tools/eval.ts";
import { allowUnsafeIsolation } from "../../lib/sandbox/mod.ts";
import { loadHumanEvalPlus } from "../../lib/eval/mod.ts";
import { startOpenAITestServer } from "../openai/mod.ts";
import { type Attack, ATTACKS, hostileProgram } from "./programs.ts";

/** The isolation modes a run can use: bubblewrap, or an explicitly allowed weaker one. */
export const SUITE_MODES = ["bwrap", "unshare", "rlimits"] as const;
/** One of {@linkcode SUITE_MODES}. */
export type SuiteMode = typeof SUITE_MODES[number];

/** One cell of the suite: an attack scored in one mode. */
export interface SuiteCell {
  readonly attack: Attack;
  readonly mode: SuiteMode;
  readonly passAt1: number;
  /** Samples per verdict. */
  readonly verdicts: Readonly<Record<string, number>>;
  /** The most common error type of the samples (how they failed). */
  readonly errorType: string;
  /** Files the programs left on the host (in /tmp, /var/tmp, /dev/shm), found and removed. */
  readonly hostFilesLeft: number;
}

const _FENCE = "`".repeat(3);
const _LEFT_DIRS = ["/tmp", "/var/tmp", "/dev/shm"];

function _leftFiles(): string[] {
  const found: string[] = [];
  for (const dir of _LEFT_DIRS) {
    try {
      for (const e of Deno.readDirSync(dir)) {
        if (e.name.startsWith(".kit-adversarial-")) found.push(join(dir, e.name));
      }
    } catch { /* no such folder */ }
  }
  return found;
}

async function _scoreOne(
  attack: Attack,
  mode: SuiteMode,
  opts: { readonly tasks: number; readonly workDir: string },
): Promise<SuiteCell> {
  const tasks = (await loadHumanEvalPlus()).slice(0, opts.tasks);
  const server = startOpenAITestServer(tasks.map((t) => ({
    prompt: t.prompt,
    answer: `${_FENCE}python\n${hostileProgram(attack, t.entryPoint)}${_FENCE}\n`,
  })));
  const out = join(opts.workDir, `${mode}-${attack}`);
  const before = new Set(_leftFiles());
  try {
    const args = [
      "--bench=humaneval+",
      `--endpoint=${server.baseURL}`,
      "--model=adversary",
      `--limit=${opts.tasks}`,
      `--out=${out}`,
      "--workers=2",
      ...(mode === "bwrap" ? [] : [`--unsafe-isolation=${mode}`]),
    ];
    allowUnsafeIsolation(undefined);
    const rc = await evalMain(args);
    if (rc !== 0) throw new Error(`eval exited ${rc} for ${attack} under ${mode}`);
  } finally {
    allowUnsafeIsolation(undefined);
    await server.close();
  }
  const summary = JSON.parse(await Deno.readTextFile(join(out, "summary.json")));
  const samples = (await Deno.readTextFile(join(out, "samples.jsonl"))).trim().split("\n")
    .map((l) => JSON.parse(l) as { verdict: string; errorType?: string });
  const verdicts: Record<string, number> = {};
  const errors = new Map<string, number>();
  for (const s of samples) {
    verdicts[s.verdict] = (verdicts[s.verdict] ?? 0) + 1;
    const e = s.errorType ?? s.verdict;
    errors.set(e, (errors.get(e) ?? 0) + 1);
  }
  const errorType = [...errors].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0][0];
  const left = _leftFiles().filter((f) => !before.has(f));
  for (const f of left) await Deno.remove(f).catch(() => {});
  return {
    attack,
    mode,
    passAt1: summary.passAtK["pass@1"],
    verdicts,
    errorType,
    hostFilesLeft: left.length,
  };
}

/** Scores every attack in every mode of `modes` (HumanEval+'s first `tasks` tasks). */
export async function runAdversarialSuite(opts: {
  readonly modes: readonly SuiteMode[];
  readonly tasks: number;
  readonly workDir: string;
  readonly onCell?: (cell: SuiteCell) => void;
}): Promise<SuiteCell[]> {
  const cells: SuiteCell[] = [];
  for (const mode of opts.modes) {
    for (const attack of ATTACKS) {
      const cell = await _scoreOne(attack, mode, opts);
      opts.onCell?.(cell);
      cells.push(cell);
    }
  }
  return cells;
}

/** The mode-by-program table (markdown) of a suite run. */
export function suiteTable(cells: readonly SuiteCell[], modes: readonly SuiteMode[]): string {
  const head = `| program | ${modes.map((m) => `${m}: pass@1`).join(" | ")} |`;
  const rule = `|---|${modes.map(() => "---:").join("|")}|`;
  const rows = ATTACKS.map((attack) => {
    const cols = modes.map((mode) => {
      const c = cells.find((x) => x.attack === attack && x.mode === mode);
      if (!c) return "—";
      const left = c.hostFilesLeft > 0 ? `; left ${c.hostFilesLeft} files on the host` : "";
      return `${c.passAt1.toFixed(3)} (${c.errorType}${left})`;
    });
    return `| ${attack} | ${cols.join(" | ")} |`;
  });
  return [head, rule, ...rows].join("\n");
}
