/**
 * Private Python rendering helpers shared by task generation, bug verification and the teacher.
 *
 * @module
 */
import { renderBody } from "./program.ts";
import type { MiniflowTaskSpec, Mutation } from "./types.ts";

/** A standalone function named `name` with the given bugs injected. */
export function pyFunction(
  spec: MiniflowTaskSpec,
  name: string,
  mutations: readonly Mutation[],
): string {
  return `def ${name}(${spec.argName}):\n${renderBody(spec.program, mutations).join("\n")}\n`;
}

/** Split `items` into consecutive chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  if (!(Number.isInteger(size) && size >= 1)) {
    throw new Error(`chunk size must be a positive integer, found ${size}`);
  }
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Wrap `text` into lines of at most `width` characters (words are never split). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}
