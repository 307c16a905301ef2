import assert from "node:assert/strict";
import { _parseRecord, _RecordSplitter, _unhex } from "../../lib/sandbox/_records.ts";

Deno.test("_unhex decodes UTF-8 hex, maps '-' to '' and rejects non-hex", () => {
  assert.equal(_unhex("c3a92121"), "é!!");
  assert.equal(_unhex("-"), "");
  assert.throws(() => _unhex("zz"), /bad hex field zz/);
  assert.throws(() => _unhex("abc"), /bad hex field abc/);
});

Deno.test("_parseRecord reads each kind and names a malformed record", () => {
  assert.deepEqual(_parseRecord("P 2 61006262"), { kind: "P", count: 2, sources: ["a", "bb"] });
  assert.deepEqual(_parseRecord("T 3 0 41 - 78"), {
    kind: "T",
    index: 3,
    passed: false,
    errorType: "A",
    errorMessage: "",
    traceback: "x",
  });
  assert.deepEqual(_parseRecord("D"), { kind: "D" });
  assert.throws(() => _parseRecord("P 3 61006262"), /malformed harness record "P 3 61006262"/);
  assert.throws(() => _parseRecord("T 01 1 - - -"), /malformed/);
  assert.throws(() => _parseRecord("X"), /malformed harness record "X"/);
});

Deno.test("_RecordSplitter separates records from output across chunk boundaries", () => {
  const s = new _RecordSplitter("abcd", 1000);
  // The marker "\x1eabcd " is split over three chunks and preceded by unterminated output.
  for (const chunk of ["hello\x1eab", "cd P 0 -\nwor", "ld\n\x1e", "abcd D\n", "\x1eabce D\n"]) {
    s.feed(chunk);
  }
  assert.deepEqual(s.records, ["P 0 -", "D"]);
  assert.equal(s.output(), "helloworld\n\x1eabce D\n");
  assert.equal(s.userChars, 19); // 11 + 8: the forged record with the wrong nonce is output
});

Deno.test("_RecordSplitter keeps at most `keep` characters of output but counts all", () => {
  const s = new _RecordSplitter("n", 4);
  s.feed("abcdef");
  s.feed("\x1en D\nxyz");
  assert.equal(s.output(), "abcd");
  assert.equal(s.userChars, 9);
  assert.deepEqual(s.records, ["D"]);
});
