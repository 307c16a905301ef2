/**
 * The adversarial suite's mode-by-program table for the README: every hostile program of
 * testing/adversarial scored through the eval CLI on HumanEval+ in each isolation mode.
 *
 * ```sh
 * deno run -A tools/adversarial.ts [--tasks 5] [--modes bwrap,unshare,rlimits]
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { oneOf } from "../lib/core/mod.ts";
import { runAdversarialSuite, SUITE_MODES, suiteTable } from "../testing/adversarial/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { tasks: { type: "string", default: "5" }, modes: { type: "string" } },
});
const tasks = Number(values.tasks);
if (!Number.isInteger(tasks) || tasks < 1) {
  console.error(`adversarial: --tasks: expected an integer >= 1, found "${values.tasks}"`);
  Deno.exit(2);
}
const modes = (values.modes?.split(",") ?? [...SUITE_MODES]).map((m) =>
  oneOf("--modes", m.trim(), SUITE_MODES)
);
const workDir = await Deno.makeTempDir({ prefix: "adversarial-" });
try {
  const cells = await runAdversarialSuite({
    modes,
    tasks,
    workDir,
    onCell: (c) => console.error(`${c.mode} ${c.attack}: pass@1 ${c.passAt1}`),
  });
  console.log(suiteTable(cells, modes));
} finally {
  await Deno.remove(workDir, { recursive: true });
}
