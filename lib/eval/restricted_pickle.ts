/**
 * A restricted unpickler for LiveCodeBench's private tests: it admits one plain string (the pickle
 * Python's `pickle.dumps(str)` writes, any protocol) and refuses every other opcode, so no pickle
 * can name a global, call anything or build an object in the kit's process.
 *
 * @module
 */

/** The opcodes a binary pickle of one string uses: framing, the string, memo bookkeeping, STOP. */
const _NAMES: Readonly<Record<number, string>> = {
  0x80: "PROTO",
  0x95: "FRAME",
  0x8c: "SHORT_BINUNICODE",
  0x58: "BINUNICODE",
  0x8d: "BINUNICODE8",
  0x94: "MEMOIZE",
  0x71: "BINPUT",
  0x72: "LONG_BINPUT",
  0x2e: "STOP",
};

/** Names of the dangerous opcodes, for the refusal message. */
const _REFUSED: Readonly<Record<number, string>> = {
  0x63: "GLOBAL",
  0x93: "STACK_GLOBAL",
  0x52: "REDUCE",
  0x62: "BUILD",
  0x69: "INST",
  0x6f: "OBJ",
  0x81: "NEWOBJ",
  0x92: "NEWOBJ_EX",
  0x50: "PERSID",
  0x51: "BINPERSID",
};

/**
 * The string a binary pickle (protocol 2 or later, as `pickle.dumps` writes by default) holds.
 *
 * @throws Error naming the first opcode that is not part of a pickled plain string (a global, a
 *   call, an object, a number, a list, a second value…) and its byte offset, or a truncated pickle.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unpickleString } from "./restricted_pickle.ts";
 * // pickle.dumps("hi", protocol=4)
 * const hi = [0x80, 4, 0x95, 6, 0, 0, 0, 0, 0, 0, 0, 0x8c, 2, 0x68, 0x69, 0x94, 0x2e];
 * assert.equal(unpickleString(new Uint8Array(hi)), "hi");
 * assert.throws(() => unpickleString(new Uint8Array([0x80, 4, 0x93, 0x2e])), /STACK_GLOBAL at byte 2/);
 * ```
 */
export function unpickleString(bytes: Uint8Array): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  let at = 0;
  const values: string[] = [];
  const take = (n: number): number => {
    if (at + n > bytes.byteLength) throw new Error(`pickle: truncated at byte ${at}`);
    at += n;
    return at - n;
  };
  const text = (n: number): void => {
    const from = take(n);
    values.push(utf8.decode(bytes.subarray(from, from + n)));
  };
  for (;;) {
    const where = take(1);
    const op = bytes[where];
    const name = _NAMES[op];
    if (name === undefined) {
      const refused = _REFUSED[op] ?? `0x${op.toString(16).padStart(2, "0")}`;
      throw new Error(
        `pickle: refused opcode ${refused} at byte ${where}: only a plain string is admitted`,
      );
    }
    if (name === "PROTO" || name === "BINPUT") take(1);
    else if (name === "FRAME") take(8);
    else if (name === "LONG_BINPUT") take(4);
    else if (name === "SHORT_BINUNICODE") text(bytes[take(1)]);
    else if (name === "BINUNICODE") text(view.getUint32(take(4), true));
    else if (name === "BINUNICODE8") text(Number(view.getBigUint64(take(8), true)));
    else if (name === "STOP") {
      if (values.length !== 1) {
        throw new Error(`pickle: ${values.length} values before STOP: only one string is admitted`);
      }
      if (at !== bytes.byteLength) {
        throw new Error(`pickle: ${bytes.byteLength - at} bytes after STOP`);
      }
      return values[0];
    }
  }
}
