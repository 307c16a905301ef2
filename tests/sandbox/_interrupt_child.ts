/**
 * Child of sandbox_interrupt_test.ts: a caller that listens for SIGINT (as a study does) while a
 * sandboxed run and the Python AST helper are in flight. Prints `ready`, then one line per result.
 * Args: isolation, launcher, uidBase.
 */
import { Sandbox } from "../../lib/sandbox/mod.ts";
import type { IsolationMode, Launcher } from "../../lib/sandbox/mod.ts";
import { PyAstService } from "../../lib/codeflow/mod.ts";

const [isolation, launcher, uidBase] = Deno.args;
let signals = 0;
Deno.addSignalListener("SIGINT", () => signals++);
const sandbox = new Sandbox({
  workers: 1,
  isolation: isolation as IsolationMode,
  launcher: launcher as Launcher,
  uidBase: Number(uidBase),
});
const ast = new PyAstService();
const tests = "assert f(1) == 1\n";
await ast.codeLines(["x = 1\n"]);
await sandbox.run({ code: "def f(x):\n    return x\n", tests });
console.log("ready");
const slow = await sandbox.run({
  code: "import time\ndef f(x):\n    time.sleep(1.5)\n    return x\n",
  tests,
});
console.log(`slow run: ${slow.verdict}; signals seen: ${signals}`);
const lines = await ast.codeLines(["y = 2\n"]).then(() => "ok", (e) => String(e));
console.log(`AST helper afterwards: ${lines}`);
await sandbox.close();
await ast.close();
