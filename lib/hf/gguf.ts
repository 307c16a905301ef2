/**
 * GGUF files (llama.cpp, Ollama), read: the header, the metadata key/values and the tensor
 * table, and any tensor dequantised to float32 on demand (F32, F16, BF16, Q8_0, Q4_0, Q4_1).
 *
 * The format (ggml's docs/gguf.md, version 2 and 3): little-endian; the magic `GGUF`, a `u32`
 * version, `u64` tensor and key/value counts; each key/value a string key, a `u32` value type and
 * the value; each tensor a name, `u32` dimension count, `u64` dims (fastest first, so the reverse
 * of PyTorch's shape), a `u32` ggml type and a `u64` offset into the data section, which starts at
 * the next multiple of `general.alignment` (32 by default) after the table. Strings are a `u64`
 * byte length and UTF-8 bytes.
 *
 * @module
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { decodeFloats, halfTable } from "../model/mod.ts";
import { ModelFileError } from "./config.ts";

/** A metadata value: numbers (u64/i64 as numbers), booleans, strings and arrays of them. */
export type GgufValue = number | bigint | boolean | string | GgufValue[];

/** The ggml tensor types the kit dequantises, by their type number. */
export const GGUF_TENSOR_TYPES = {
  0: "F32",
  1: "F16",
  2: "Q4_0",
  3: "Q4_1",
  8: "Q8_0",
  30: "BF16",
} as const;

/** A ggml tensor type the kit reads. */
export type GgufTensorType = typeof GGUF_TENSOR_TYPES[keyof typeof GGUF_TENSOR_TYPES];

/** Elements per block and bytes per block of each type. */
const _BLOCK: Record<GgufTensorType, readonly [number, number]> = {
  F32: [1, 4],
  F16: [1, 2],
  BF16: [1, 2],
  Q8_0: [32, 34],
  Q4_0: [32, 18],
  Q4_1: [32, 20],
};

/** One entry of the tensor table. */
export interface GgufTensorInfo {
  readonly name: string;
  /** PyTorch order (slowest first): the file's dims reversed. */
  readonly shape: readonly number[];
  readonly type: GgufTensorType;
  /** Absolute byte offset of its data in the file. */
  readonly offset: number;
  readonly byteLength: number;
}

/** A GGUF file's header, read; tensors are read with {@linkcode GgufFile.tensor}. */
export interface GgufFile {
  readonly path: string;
  readonly version: number;
  readonly metadata: ReadonlyMap<string, GgufValue>;
  readonly tensors: ReadonlyMap<string, GgufTensorInfo>;
  /** The float32 values of one tensor. */
  tensor(name: string): Float32Array;
}

const _MAGIC = 0x46554747; // "GGUF", little-endian

/** Buffered sequential reads from a file descriptor. */
class _Cursor {
  #buf = new Uint8Array(0);
  #bufStart = 0;
  pos = 0;

  constructor(readonly fd: number, readonly size: number, readonly path: string) {}

  bytes(n: number): Uint8Array {
    if (n > this.size - this.pos) {
      throw new ModelFileError(this.path, "(header)", `ends early at byte ${this.pos}`);
    }
    const at = this.pos - this.#bufStart;
    if (at < 0 || at + n > this.#buf.length) {
      this.#buf = new Uint8Array(Math.max(n, 1 << 20));
      const got = readSync(this.fd, this.#buf, 0, this.#buf.length, this.pos);
      this.#buf = this.#buf.subarray(0, got);
      this.#bufStart = this.pos;
    }
    const start = this.pos - this.#bufStart;
    this.pos += n;
    return this.#buf.subarray(start, start + n);
  }

  view(n: number): DataView {
    const b = this.bytes(n);
    return new DataView(b.buffer, b.byteOffset, n);
  }

  u32 = () => this.view(4).getUint32(0, true);
  u64(): number {
    const v = this.view(8).getBigUint64(0, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ModelFileError(
        this.path,
        "(header)",
        `count ${v} at byte ${this.pos - 8} is too large`,
      );
    }
    return Number(v);
  }

  string(): string {
    return new TextDecoder("utf-8", { fatal: false }).decode(this.bytes(this.u64()));
  }
}

/** Reads one value of metadata type `type`. */
function _value(c: _Cursor, type: number, key: string): GgufValue {
  switch (type) {
    case 0:
      return c.view(1).getUint8(0);
    case 1:
      return c.view(1).getInt8(0);
    case 2:
      return c.view(2).getUint16(0, true);
    case 3:
      return c.view(2).getInt16(0, true);
    case 4:
      return c.u32();
    case 5:
      return c.view(4).getInt32(0, true);
    case 6:
      return c.view(4).getFloat32(0, true);
    case 7:
      return c.view(1).getUint8(0) !== 0;
    case 8:
      return c.string();
    case 9: {
      const elementType = c.u32();
      const n = c.u64();
      const out: GgufValue[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = _value(c, elementType, key);
      return out;
    }
    case 10:
      return _safe(c.view(8).getBigUint64(0, true));
    case 11:
      return _safe(c.view(8).getBigInt64(0, true));
    case 12:
      return c.view(8).getFloat64(0, true);
    default:
      throw new ModelFileError(c.path, key, `unknown metadata value type ${type}`);
  }
}

/** A 64-bit integer as a number when it fits exactly, else as a bigint. */
function _safe(v: bigint): number | bigint {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER)
    ? Number(v)
    : v;
}

function _tensorInfo(c: _Cursor): Omit<GgufTensorInfo, "offset" | "byteLength"> & { rel: number } {
  const name = c.string();
  const nDims = c.u32();
  const dims: number[] = [];
  for (let i = 0; i < nDims; i++) dims.push(c.u64());
  const typeId = c.u32();
  const type = GGUF_TENSOR_TYPES[typeId as keyof typeof GGUF_TENSOR_TYPES];
  if (type === undefined) {
    throw new ModelFileError(
      c.path,
      `tensor "${name}"`,
      `ggml type ${typeId} is not supported (the kit reads ${
        Object.values(GGUF_TENSOR_TYPES).join(", ")
      })`,
    );
  }
  if (dims.length > 0 && dims[0] % _BLOCK[type][0] !== 0) {
    throw new ModelFileError(
      c.path,
      `tensor "${name}"`,
      `row of ${dims[0]} is not whole ${type} blocks`,
    );
  }
  return { name, shape: dims.reverse(), type, rel: c.u64() };
}

/**
 * Reads the header of the GGUF file at `path` (the tensor data stays on disk until asked for).
 *
 * @example
 * ```ts ignore
 * import { readGguf } from "./gguf.ts";
 * const file = readGguf("models/SmolLM2-135M-Instruct.Q4_1.gguf");
 * console.log(file.metadata.get("general.architecture"), file.tensors.size);
 * const embedding = file.tensor("token_embd.weight"); // float32, [vocab * hidden]
 * ```
 */
export function readGguf(path: string): GgufFile {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    throw new Error(`${path}: cannot read (${(e as Error).message})`);
  }
  try {
    const c = new _Cursor(fd, fstatSync(fd).size, path);
    if (c.size < 24 || c.u32() !== _MAGIC) {
      throw new ModelFileError(path, "(magic)", "not a GGUF file (it does not start with GGUF)");
    }
    const version = c.u32();
    if (version !== 2 && version !== 3) {
      throw new ModelFileError(
        path,
        "(version)",
        `GGUF version ${version} is not supported (2 or 3)`,
      );
    }
    const nTensors = c.u64();
    const nKv = c.u64();
    const metadata = new Map<string, GgufValue>();
    for (let i = 0; i < nKv; i++) {
      const key = c.string();
      metadata.set(key, _value(c, c.u32(), key));
    }
    const infos = Array.from({ length: nTensors }, () => _tensorInfo(c));
    const alignment = metadata.get("general.alignment") ?? 32;
    if (typeof alignment !== "number" || alignment < 1) {
      throw new ModelFileError(
        path,
        "general.alignment",
        `expected a positive integer, found ${alignment}`,
      );
    }
    const dataStart = Math.ceil(c.pos / alignment) * alignment;
    const tensors = new Map<string, GgufTensorInfo>();
    for (const { rel, ...info } of infos) {
      const [perBlock, blockBytes] = _BLOCK[info.type];
      const byteLength = (info.shape.reduce((a, b) => a * b, 1) / perBlock) * blockBytes;
      const offset = dataStart + rel;
      if (offset + byteLength > c.size) {
        throw new ModelFileError(
          path,
          `tensor "${info.name}"`,
          `its data runs past the end of the file`,
        );
      }
      tensors.set(info.name, { ...info, offset, byteLength });
    }
    return { path, version, metadata, tensors, tensor: (name) => _readTensor(path, tensors, name) };
  } finally {
    closeSync(fd);
  }
}

function _readTensor(path: string, tensors: ReadonlyMap<string, GgufTensorInfo>, name: string) {
  const info = tensors.get(name);
  if (info === undefined) throw new ModelFileError(path, `tensor "${name}"`, "is not in the file");
  const bytes = new Uint8Array(info.byteLength);
  const fd = openSync(path, "r");
  try {
    let done = 0;
    while (done < bytes.length) {
      const got = readSync(fd, bytes, done, bytes.length - done, info.offset + done);
      if (got === 0) throw new ModelFileError(path, `tensor "${name}"`, "the file ends early");
      done += got;
    }
  } finally {
    closeSync(fd);
  }
  return dequantize(info.type, bytes, info.shape.reduce((a, b) => a * b, 1));
}

/**
 * `size` float32 values from the bytes of a ggml tensor of `type`, as ggml's `dequantize_row_*`
 * computes them (one float32 rounding per operation): Q8_0 `d·q`; Q4_0 `d·(q − 8)`; Q4_1
 * `d·q + m`; in a 4-bit block byte `j` holds element `j` in its low nibble and `j + 16` in its
 * high one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dequantize } from "./gguf.ts";
 * // One Q8_0 block: scale 0.5 (half 0x3800), then 32 int8 values 0, 1, ..., 31.
 * const block = new Uint8Array(34);
 * block.set([0x00, 0x38]);
 * for (let i = 0; i < 32; i++) block[2 + i] = i;
 * assert.deepEqual(Array.from(dequantize("Q8_0", block, 32).slice(0, 4)), [0, 0.5, 1, 1.5]);
 * ```
 */
export function dequantize(type: GgufTensorType, bytes: Uint8Array, size: number): Float32Array {
  if (type === "F32" || type === "F16" || type === "BF16") return decodeFloats(type, bytes, size)!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(size);
  const half = halfTable();
  const f = Math.fround;
  switch (type) {
    case "Q8_0":
      for (let b = 0, o = 0; o < size; b += 34, o += 32) {
        const d = half[view.getUint16(b, true)];
        for (let j = 0; j < 32; j++) out[o + j] = f(d * view.getInt8(b + 2 + j));
      }
      return out;
    case "Q4_0":
      for (let b = 0, o = 0; o < size; b += 18, o += 32) {
        const d = half[view.getUint16(b, true)];
        for (let j = 0; j < 16; j++) {
          const q = bytes[b + 2 + j];
          out[o + j] = f(d * ((q & 15) - 8));
          out[o + j + 16] = f(d * ((q >> 4) - 8));
        }
      }
      return out;
    case "Q4_1":
      for (let b = 0, o = 0; o < size; b += 20, o += 32) {
        const d = half[view.getUint16(b, true)];
        const m = half[view.getUint16(b + 2, true)];
        for (let j = 0; j < 16; j++) {
          const q = bytes[b + 4 + j];
          out[o + j] = f(f(d * (q & 15)) + m);
          out[o + j + 16] = f(f(d * (q >> 4)) + m);
        }
      }
      return out;
    default: {
      const never: never = type;
      throw new Error(`unknown ggml type ${never}`);
    }
  }
}
