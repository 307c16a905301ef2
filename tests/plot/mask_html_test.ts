import assert from "node:assert/strict";
import { escapeHtml, maskHtml, maskSegments, pairMaskHtml } from "../../lib/plot/mod.ts";

// "if x<0:\n    return 1\n" tokenised by hand, with a gap (chars 8..12 are not covered).
const TEXT = "if x<0:\n    return 1\n";
const OFFSETS: [number, number][] = [[0, 2], [2, 4], [4, 5], [5, 6], [6, 8], [12, 18], [18, 20], [
  20,
  21,
]];

Deno.test("maskSegments: masked tokens one by one, unmasked runs merged, text preserved", () => {
  const segs = maskSegments({ text: TEXT, offsets: OFFSETS, spans: [[2, 4], [6, 7]] });
  assert.deepEqual(segs, [
    { text: "if x", masked: false },
    { text: "<", masked: true, token: 2 },
    { text: "0", masked: true, token: 3 },
    { text: ":\n    return", masked: false },
    { text: " 1", masked: true, token: 6 },
    { text: "\n", masked: false },
  ]);
  assert.equal(segs.map((s) => s.text).join(""), TEXT);
});

Deno.test("maskSegments: no spans gives the whole text unmasked; bad spans are named", () => {
  assert.deepEqual(maskSegments({ text: TEXT, offsets: OFFSETS, spans: [] }), [
    { text: TEXT, masked: false },
  ]);
  assert.throws(
    () => maskSegments({ text: TEXT, offsets: OFFSETS, spans: [[3, 5], [4, 6]] }),
    /span 1 \[4, 6\) starts before the previous span ends \(5\)/,
  );
  assert.throws(
    () => maskSegments({ text: TEXT, offsets: OFFSETS, spans: [[7, 9]] }),
    /0 <= start < end <= 8 tokens, found \[7, 9\)/,
  );
  assert.throws(
    () => maskSegments({ text: "ab", offsets: [[0, 1], [1, 3]], spans: [] }),
    /token 1 range within \[0, 2\].*found \[1, 3\)/,
  );
});

Deno.test("escapeHtml and maskHtml: <script> in code is shown, never interpreted", () => {
  assert.equal(
    escapeHtml(`<script>alert("x")&'</script>`),
    "&lt;script&gt;alert(&quot;x&quot;)&amp;&#39;&lt;/script&gt;",
  );
  const text = "s = '<script>alert(1)</script>'\n";
  const html = maskHtml({ text, offsets: [[0, 4], [4, 31], [31, 32]], spans: [[1, 2]] }, {
    side: "rejected",
  });
  assert.ok(!html.includes("<script>"));
  assert.ok(
    html.includes(`title="token 1">&#39;&lt;script&gt;alert(1)&lt;/script&gt;&#39;</del>`),
  );
});

Deno.test("maskHtml: <del> marks on the rejected side, <ins> on the chosen, no inline styles", () => {
  const rejected = maskHtml({ text: TEXT, offsets: OFFSETS, spans: [[2, 4]] }, {
    side: "rejected",
  });
  const chosen = maskHtml({ text: TEXT, offsets: OFFSETS, spans: [[2, 4]] }, { side: "chosen" });
  assert.equal((rejected.match(/<del title=/g) ?? []).length, 2);
  assert.equal((chosen.match(/<ins title=/g) ?? []).length, 2);
  assert.ok(!rejected.includes("<ins") && !chosen.includes("<del"));
  // A sanitiser strips style attributes (an untrusted notebook): the marks carry none.
  assert.ok(!/ style=/.test(rejected + chosen), rejected);
  assert.ok(rejected.includes(".tdpo-mask-rejected del{") && rejected.includes("white-space:pre"));
  assert.ok(rejected.includes(":\n    return 1\n</pre>"));
  assert.ok(rejected.includes("D\u2212 tokens marked: 2 of 8 tokens"));
  assert.ok(chosen.includes("D+ tokens marked: 2 of 8 tokens"));
});

Deno.test("pairMaskHtml: title and prompt escaped, rejected column before chosen", () => {
  const html = pairMaskHtml({
    title: "task <7>",
    prompt: "def f(x):  # x > 0",
    rejected: { text: "return x-1", offsets: [[0, 6], [6, 8], [8, 10]], spans: [[2, 3]] },
    chosen: { text: "return x+1", offsets: [[0, 6], [6, 8], [8, 10]], spans: [[2, 3]] },
  });
  assert.ok(html.includes("task &lt;7&gt;"));
  assert.ok(html.includes("def f(x):  # x &gt; 0</pre>"));
  const r = html.indexOf('class="tdpo-mask tdpo-mask-rejected"');
  const c = html.indexOf('class="tdpo-mask tdpo-mask-chosen"');
  assert.ok(r > 0 && c > r);
  assert.ok(html.slice(r, c).includes('<del title="token 2">-1</del>'));
  assert.ok(html.slice(c).includes('<ins title="token 2">+1</ins>'));
  assert.equal((html.match(/<style>/g) ?? []).length, 1);
  assert.ok(!/ style=/.test(html));
});
