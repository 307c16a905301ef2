/**
 * Minimal safetensors codec (https://github.com/huggingface/safetensors, "Format"): an 8-byte
 * little-endian unsigned header length `N`, `N` bytes of UTF-8 JSON
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {string: string}}`
 * (padded with spaces to a multiple of 8), then the raw little-endian tensor bytes, with offsets
 * relative to the end of the header. The kit stores `F32` only; it reads `F32`, `F16` and `BF16`
 * (Hugging Face checkpoints) into float32.
 *
 * @module
 */

/** One float32 tensor. */
export interface F32Tensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** A tensor as read from a file: the dtype is kept so callers can reject unexpected entries. */
export interface SafetensorsEntry {
  readonly dtype: string;
  readonly shape: readonly number[];
  /** Values as float32 for `F32`, `F16` and `BF16` entries; `null` for other dtypes. */
  readonly data: Float32Array | null;
}

/**
 * IEEE half (its 16 bits) → float32 (subnormals, infinities and NaN included).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { halfToFloat } from "./safetensors.ts";
 * assert.equal(halfToFloat(0x3c00), 1);
 * assert.equal(halfToFloat(0xc000), -2);
 * ```
 */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

let _halfTable: Float32Array | undefined;

/** {@linkcode halfToFloat} of all 65,536 halves, built once: `halfTable()[bits]`. */
export function halfTable(): Float32Array {
  if (_halfTable === undefined) {
    _halfTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) _halfTable[h] = halfToFloat(h);
  }
  return _halfTable;
}

/**
 * The float32 values of `size` little-endian elements of `dtype` (`F32`, `F16` or `BF16`) at
 * `bytes[0..]`; `null` for any other dtype.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeFloats } from "./safetensors.ts";
 * assert.deepEqual(Array.from(decodeFloats("F16", new Uint8Array([0x00, 0x3c, 0x00, 0xc0]), 2)!), [1, -2]);
 * assert.equal(decodeFloats("I8", new Uint8Array(1), 1), null);
 * ```
 */
export function decodeFloats(dtype: string, bytes: Uint8Array, size: number): Float32Array | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(size);
  switch (dtype) {
    case "F32":
      for (let i = 0; i < size; i++) out[i] = view.getFloat32(4 * i, true);
      return out;
    case "F16": {
      const half = halfTable();
      for (let i = 0; i < size; i++) out[i] = half[view.getUint16(2 * i, true)];
      return out;
    }
    case "BF16": {
      // bfloat16 is the top half of a float32: shift it back into place.
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < size; i++) bits[i] = view.getUint16(2 * i, true) << 16;
      return out;
    }
    default:
      return null;
  }
}

/** Decoded file: tensors in header order plus the optional string metadata. */
export interface SafetensorsFile {
  readonly tensors: ReadonlyMap<string, SafetensorsEntry>;
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * Serialise float32 tensors (in iteration order) to safetensors bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeSafetensors, encodeSafetensors } from "./safetensors.ts";
 * const bytes = encodeSafetensors(new Map([["w", { shape: [2], data: Float32Array.of(1, -2) }]]));
 * const back = decodeSafetensors(bytes);
 * assert.deepEqual([...back.tensors.get("w")!.data!], [1, -2]);
 * ```
 */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, F32Tensor>,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (size !== t.data.length) {
      throw new Error(
        `encodeSafetensors: tensor "${name}" has shape [${t.shape}] (${size} values) but ` +
          `${t.data.length} values`,
      );
    }
    header[name] = { dtype: "F32", shape: [...t.shape], data_offsets: [offset, offset + 4 * size] };
    offset += 4 * size;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let pos = 8 + json.length;
  for (const t of tensors.values()) {
    for (let i = 0; i < t.data.length; i++, pos += 4) view.setFloat32(pos, t.data[i], true);
  }
  return out;
}

/**
 * Parse safetensors bytes; `source` (a file name) prefixes every error message.
 * Validates the header length, every entry's offsets against its dtype and shape, and that
 * entries do not overlap or leave holes.
 */
export function decodeSafetensors(bytes: Uint8Array, source = "<bytes>"): SafetensorsFile {
  if (bytes.length < 8) {
    throw new Error(`${source}: not a safetensors file (${bytes.length} bytes, header needs 8)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > bytes.length - 8) {
    throw new Error(
      `${source}: header length ${n} exceeds the file (${bytes.length - 8} bytes after the prefix)`,
    );
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (err) {
    throw new Error(
      `${source}: the safetensors header is not valid JSON (${(err as Error).message})`,
    );
  }
  const dataStart = 8 + n;
  const dataLen = bytes.length - dataStart;
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  const tensors = new Map<string, SafetensorsEntry>();
  const spans: [number, number, string][] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const shape = e.shape;
    const offs = e.data_offsets;
    if (
      typeof e.dtype !== "string" || !Array.isArray(shape) ||
      !shape.every((d) => Number.isInteger(d) && d >= 0) || !Array.isArray(offs) ||
      offs.length !== 2 || !offs.every((d) => Number.isInteger(d) && d >= 0)
    ) {
      throw new Error(
        `${source}: tensor "${name}": expected {dtype, shape, data_offsets}, found ${
          JSON.stringify(raw)
        }`,
      );
    }
    const [begin, end] = offs as [number, number];
    if (end < begin || end > dataLen) {
      throw new Error(
        `${source}: tensor "${name}": data_offsets [${begin}, ${end}] outside the ${dataLen} data bytes`,
      );
    }
    const size = (shape as number[]).reduce((a, b) => a * b, 1);
    const width = _DTYPE_BYTES[e.dtype];
    if (width !== undefined && width * size !== end - begin) {
      throw new Error(
        `${source}: tensor "${name}": ${e.dtype} shape [${shape}] needs ${width * size} bytes, ` +
          `data_offsets span ${end - begin}`,
      );
    }
    spans.push([begin, end, name]);
    const data = decodeFloats(e.dtype, bytes.subarray(dataStart + begin, dataStart + end), size);
    tensors.set(name, { dtype: e.dtype, shape: shape as number[], data });
  }
  spans.sort((a, b) => a[0] - b[0]);
  let expected = 0;
  for (const [begin, end, name] of spans) {
    if (begin !== expected) {
      throw new Error(
        `${source}: tensor "${name}" starts at byte ${begin}, expected ${expected} ` +
          "(overlapping or non-contiguous data)",
      );
    }
    expected = end;
  }
  if (expected !== dataLen) {
    throw new Error(`${source}: tensors cover ${expected} data bytes, the file has ${dataLen}`);
  }
  return { tensors, metadata };
}

const _DTYPE_BYTES: Record<string, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};
