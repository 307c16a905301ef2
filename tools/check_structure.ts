/**
 * The layout rules CI holds the code to (`deno task check` runs this file):
 *
 * 1. A product file (under `lib/`, `experiments/`, `tools/`, `bench/`, `testing/`) imports no
 *    `_`-prefixed file of another folder: a folder is used through its face (`mod.ts`) or its
 *    public files. Tests may reach into private files of the folder they test.
 * 2. `lib/core` imports nothing else of the kit (it is the ground floor).
 * 3. `lib/diff` imports nothing from `lib/codeflow` (diff is the lower floor).
 * 4. Nothing under `lib/` imports `testing/` or `tests/` (test doubles stay out of the product).
 *
 * Usage: `deno run --allow-read tools/check_structure.ts [ROOT]`; prints one line per violation
 * (`file:line: rule: import`) and exits 1 when there is any.
 *
 * @module
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";

/** The folders whose files are product code (rule 1). */
const PRODUCT_ROOTS = ["lib", "experiments", "tools", "bench", "testing"] as const;

/** One broken rule. */
export interface StructureViolation {
  /** Repository-relative path of the importing file. */
  readonly file: string;
  /** 1-based line of the import. */
  readonly line: number;
  readonly rule: "private-import" | "core-floor" | "diff-floor" | "test-code-in-lib";
  /** Repository-relative path of the imported file. */
  readonly target: string;
}

const _SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["'](\.{1,2}\/[^"']+)["']/g;

/** The relative imports of `text` (a file at `file`), as repository-relative paths. */
function _imports(file: string, text: string): { line: number; target: string }[] {
  const out: { line: number; target: string }[] = [];
  text.split("\n").forEach((lineText, i) => {
    if (/^\s*(\*|\/\/)/.test(lineText)) return; // doc comments and examples
    for (const m of lineText.matchAll(_SPECIFIER)) {
      out.push({ line: i + 1, target: normalize(join(dirname(file), m[1])) });
    }
  });
  return out;
}

const _under = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);

/**
 * The violations of the layout rules among `files` (repository-relative path → source text).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { structureViolations } from "./check_structure.ts";
 * const files = new Map([
 *   ["lib/model/gpt.ts", 'import { x } from "../backend/_wasm_kernels.ts";'],
 *   ["lib/diff/lcs.ts", 'import type { Pair } from "../codeflow/mod.ts";'],
 *   ["lib/diff/mod.ts", 'export * from "./_private.ts";'],
 *   ["tests/model/gpt_test.ts", 'import { y } from "../../lib/model/_decode.ts";'],
 * ]);
 * assert.deepEqual(structureViolations(files).map((v) => `${v.file}:${v.rule}`), [
 *   "lib/model/gpt.ts:private-import",
 *   "lib/diff/lcs.ts:diff-floor",
 * ]);
 * ```
 */
export function structureViolations(files: ReadonlyMap<string, string>): StructureViolation[] {
  const out: StructureViolation[] = [];
  for (const [file, text] of files) {
    for (const { line, target } of _imports(file, text)) {
      const add = (rule: StructureViolation["rule"]) => out.push({ file, line, rule, target });
      const privateTarget = target.split("/").pop()!.startsWith("_");
      if (
        PRODUCT_ROOTS.some((r) => _under(file, r)) && privateTarget &&
        dirname(target) !== dirname(file)
      ) add("private-import");
      if (_under(file, "lib/core") && !_under(target, "lib/core")) add("core-floor");
      if (_under(file, "lib/diff") && _under(target, "lib/codeflow")) add("diff-floor");
      if (_under(file, "lib") && (_under(target, "testing") || _under(target, "tests"))) {
        add("test-code-in-lib");
      }
    }
  }
  return out;
}

/** Every `.ts` file below `root`'s code folders, repository-relative, with its text. */
export function readCodeFiles(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(join(root, dir), { withFileTypes: true });
    } catch (e) {
      if ((e as { code?: string }).code === "ENOENT") return;
      throw e;
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith(".ts")) files.set(path, readFileSync(join(root, path), "utf8"));
    }
  };
  for (const dir of [...PRODUCT_ROOTS, "tests"]) walk(dir);
  return files;
}

if (import.meta.main) {
  const root = Deno.args[0] ?? join(dirname(new URL(import.meta.url).pathname), "..");
  const files = readCodeFiles(root);
  const violations = structureViolations(files);
  for (const v of violations) {
    console.error(`${relative(".", join(root, v.file))}:${v.line}: ${v.rule}: imports ${v.target}`);
  }
  console.error(
    `check_structure: ${files.size} files, ${violations.length} layout violation(s)`,
  );
  if (violations.length > 0) Deno.exit(1);
}
