import assert from "node:assert/strict";
import { decodeSafetensors } from "../../lib/model/mod.ts";

/** A safetensors file of one tensor given as raw little-endian u16 values. */
function file(dtype: string, halves: number[]): Uint8Array {
  const header = new TextEncoder().encode(
    JSON.stringify({ t: { dtype, shape: [halves.length], data_offsets: [0, 2 * halves.length] } })
      .padEnd(72),
  );
  const bytes = new Uint8Array(8 + header.length + 2 * halves.length);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(header.length), true);
  bytes.set(header, 8);
  halves.forEach((h, i) => view.setUint16(8 + header.length + 2 * i, h, true));
  return bytes;
}

Deno.test("decodeSafetensors reads F16 into float32: normals, subnormals, signed zero, inf, NaN", () => {
  const t = decodeSafetensors(file("F16", [0x3c00, 0xc000, 0x3800, 0x0001, 0x8000, 0x7c00, 0x7e00]))
    .tensors.get("t")!;
  assert.deepEqual([...t.data!].slice(0, 6), [1, -2, 0.5, 2 ** -24, -0, Infinity]);
  assert.ok(Number.isNaN(t.data![6]));
});

Deno.test("decodeSafetensors reads BF16 into float32 (the top half of the float32 bits)", () => {
  const t = decodeSafetensors(file("BF16", [0x3f80, 0xc000, 0x4049, 0xff80])).tensors.get("t")!;
  assert.deepEqual([...t.data!], [1, -2, 3.140625, -Infinity]);
});
