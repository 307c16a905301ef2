import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { barWithCi, savePlot, toPng, toSvg } from "../../lib/plot/mod.ts";

const ROWS = [
  { variant: "dpo", mean: 0.5, ciLow: 0.45, ciHigh: 0.55 },
  { variant: "target-dpo", mean: 0.6, ciLow: 0.52, ciHigh: 0.68 },
  { variant: "rpo", mean: 0.55, ciLow: 0.5, ciHigh: 0.6 },
];
const SPEC = barWithCi(ROWS, { title: "Pass@1 on MiniFlow", yTitle: "pass@1", xTitle: "Variant" });

/**
 * Measured on this chart (2x zoom, 848x612 px): 26,082 bytes with its 14 text elements and
 * 9,976 bytes with every `<text>` removed. Without system fonts resvg drops all labels and the
 * PNG falls to the no-text size, so a threshold between the two detects vanished labels.
 */
const TEXT_PNG_MIN_BYTES = 18_000;

const _stripText = (svg: string) => svg.replace(/<text\b[^>]*>[\s\S]*?<\/text>/g, "");

Deno.test("toSvg: the SVG carries the title, axis titles and variant labels", async () => {
  const before = JSON.stringify(SPEC);
  const svg = await toSvg(SPEC);
  assert.equal(JSON.stringify(SPEC), before, "toSvg must not mutate the spec");
  assert.ok(
    Object.getOwnPropertySymbols((SPEC.data as { values: object[] }).values[0]).length === 0,
  );
  assert.ok(svg.startsWith("<svg"));
  for (const label of ["Pass@1 on MiniFlow", "pass@1", "Variant", "target-dpo", "rpo"]) {
    assert.ok(svg.includes(`>${label}</text>`), `missing text ${label}`);
  }
  assert.ok(svg.includes('font-family="DejaVu Sans'), "chart font is DejaVu Sans");
});

Deno.test("toPng: labels are rasterised (size well above the same chart without text)", async () => {
  const svg = await toSvg(SPEC);
  const withText = await toPng(svg);
  const withoutText = await toPng(_stripText(svg));
  assert.deepEqual([...withText.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  // IHDR width/height at 2x zoom: big-endian u32 at bytes 16 and 20.
  const dv = new DataView(withText.buffer, withText.byteOffset);
  const [w, h] = [dv.getUint32(16), dv.getUint32(20)];
  const svgW = Number(/width="(\d+)"/.exec(svg)![1]);
  assert.equal(w, svgW * 2);
  assert.ok(h > 400, `height ${h}`);
  assert.ok(withText.length > TEXT_PNG_MIN_BYTES, `PNG with text is ${withText.length} bytes`);
  assert.ok(withoutText.length < TEXT_PNG_MIN_BYTES, `PNG w/o text is ${withoutText.length} bytes`);
  assert.ok(withText.length > 1.8 * withoutText.length);
});

Deno.test("toPng: rejects a bad scale", async () => {
  await assert.rejects(() => toPng("<svg/>", { scale: 0 }), /scale > 0, found 0/);
});

Deno.test("savePlot: writes name.vl.json, name.svg, name.png", async () => {
  const dir = await mkdtemp(join(tmpdir(), "plot-"));
  try {
    const out = join(dir, "nested", "run");
    const paths = await savePlot(out, "pass_at_1", SPEC, { scale: 1 });
    assert.deepEqual(paths, {
      spec: join(out, "pass_at_1.vl.json"),
      svg: join(out, "pass_at_1.svg"),
      png: join(out, "pass_at_1.png"),
    });
    assert.deepEqual(JSON.parse(await readFile(paths.spec, "utf8")), SPEC);
    assert.ok((await readFile(paths.svg, "utf8")).includes(">pass@1</text>"));
    assert.ok((await stat(paths.png)).size > TEXT_PNG_MIN_BYTES / 4); // scale 1: ~1/4 the pixels
    assert.ok((await readFile(paths.svg, "utf8")).includes(">Pass@1 on MiniFlow</text>"));
    // For a paper's figure: no title in the images, the spec keeps it.
    const bare = await savePlot(out, "bare", SPEC, { scale: 1, imageTitle: false });
    assert.ok(!(await readFile(bare.svg, "utf8")).includes("Pass@1 on MiniFlow"));
    assert.ok((await readFile(bare.svg, "utf8")).includes(">pass@1</text>"));
    assert.deepEqual(JSON.parse(await readFile(bare.spec, "utf8")), SPEC);
    await assert.rejects(
      () => savePlot(out, "../escape", SPEC),
      /file stem .*found "\.\.\/escape"/,
    );
  } finally {
    await rm(dir, { recursive: true });
  }
});
