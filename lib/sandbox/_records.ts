/**
 * The harness's structured channel: nonce-framed records interleaved with the program's stdout
 * (protocol in `_harness.py`).
 *
 * @module
 */

/** One decoded harness record. */
export type _HarnessRecord =
  | { readonly kind: "P"; readonly count: number; readonly sources: readonly string[] }
  | {
    readonly kind: "T";
    readonly index: number;
    readonly passed: boolean;
    readonly errorType: string;
    readonly errorMessage: string;
    readonly traceback: string;
  }
  | {
    readonly kind: "E";
    readonly stage: string;
    readonly errorType: string;
    readonly errorMessage: string;
    readonly traceback: string;
  }
  | {
    readonly kind: "V";
    readonly index: number;
    readonly seconds: number;
    readonly value: string;
  }
  | {
    readonly kind: "X";
    readonly index: number;
    readonly seconds: number;
    readonly errorType: string;
    readonly errorMessage: string;
    readonly traceback: string;
  }
  | { readonly kind: "D" };

const _decoder = new TextDecoder();

/** Decodes a hex field; `-` is the empty string. Throws on anything else that is not hex. */
export function _unhex(field: string): string {
  if (field === "-") return "";
  if (!/^(?:[0-9a-f]{2})+$/.test(field)) throw new Error(`bad hex field ${field.slice(0, 40)}`);
  const bytes = new Uint8Array(field.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(field.slice(2 * i, 2 * i + 2), 16);
  return _decoder.decode(bytes);
}

const _INDEX = /^(?:0|[1-9][0-9]{0,8})$/;
const _SECONDS = /^[0-9]{1,9}\.[0-9]{6}$/;

/**
 * Parses the body of one record (the text after `\x1e<nonce> `, without the newline).
 * @throws Error naming the record when it is malformed.
 */
export function _parseRecord(body: string): _HarnessRecord {
  const f = body.split(" ");
  const bad = () => new Error(`malformed harness record ${JSON.stringify(body.slice(0, 80))}`);
  switch (f[0]) {
    case "P": {
      if (f.length !== 3 || !_INDEX.test(f[1])) throw bad();
      const count = Number(f[1]);
      const sources = count === 0 ? [] : _unhex(f[2]).split("\0");
      if (sources.length !== count) throw bad();
      return { kind: "P", count, sources };
    }
    case "T":
      if (f.length !== 6 || !_INDEX.test(f[1]) || (f[2] !== "0" && f[2] !== "1")) throw bad();
      return {
        kind: "T",
        index: Number(f[1]),
        passed: f[2] === "1",
        errorType: _unhex(f[3]),
        errorMessage: _unhex(f[4]),
        traceback: _unhex(f[5]),
      };
    case "E":
      if (f.length !== 5) throw bad();
      return {
        kind: "E",
        stage: f[1],
        errorType: _unhex(f[2]),
        errorMessage: _unhex(f[3]),
        traceback: _unhex(f[4]),
      };
    case "V":
      if (f.length !== 4 || !_INDEX.test(f[1]) || !_SECONDS.test(f[2])) throw bad();
      return { kind: "V", index: Number(f[1]), seconds: Number(f[2]), value: _unhex(f[3]) };
    case "X":
      if (f.length !== 6 || !_INDEX.test(f[1]) || !_SECONDS.test(f[2])) throw bad();
      return {
        kind: "X",
        index: Number(f[1]),
        seconds: Number(f[2]),
        errorType: _unhex(f[3]),
        errorMessage: _unhex(f[4]),
        traceback: _unhex(f[5]),
      };
    case "D":
      if (f.length !== 1) throw bad();
      return { kind: "D" };
    default:
      throw bad();
  }
}

/**
 * Splits a stdout stream into record bodies and the program's own output. Feed decoded text
 * chunks in order; `userChars` counts only the program's output, so records never use up the
 * output cap; `recordChars` counts the records (probe values), which have a cap of their own.
 */
export class _RecordSplitter {
  readonly #marker: string;
  #pending = "";
  #user: string[] = [];
  /** Record bodies in arrival order. */
  readonly records: string[] = [];
  /** Characters of program output seen so far (kept or not). */
  userChars = 0;
  /** Characters of records seen so far. */
  recordChars = 0;
  /** Called with each record body as it arrives. */
  onRecord?: (body: string) => void;
  /** Program output is kept only up to this many characters. */
  readonly #keep: number;

  /** @param nonce per-run nonce; @param keep max program-output characters to keep. */
  constructor(nonce: string, keep: number) {
    this.#marker = `\x1e${nonce} `;
    this.#keep = keep;
  }

  /** Characters held back: an unterminated record or a possible marker start. */
  get pendingChars(): number {
    return this.#pending.length;
  }

  /** Consumes the next chunk of stdout text. */
  feed(text: string): void {
    let s = this.#pending + text;
    this.#pending = "";
    for (;;) {
      const at = s.indexOf(this.#marker);
      if (at < 0) {
        // Keep a tail that could be the start of a marker split across chunks.
        const tail = Math.min(s.length, this.#marker.length - 1);
        let cut = s.length;
        for (let k = tail; k > 0; k--) {
          if (this.#marker.startsWith(s.slice(s.length - k))) {
            cut = s.length - k;
            break;
          }
        }
        this.#keepUser(s.slice(0, cut));
        this.#pending = s.slice(cut);
        return;
      }
      this.#keepUser(s.slice(0, at));
      const end = s.indexOf("\n", at);
      if (end < 0) {
        this.#pending = s.slice(at);
        return;
      }
      const body = s.slice(at + this.#marker.length, end);
      this.records.push(body);
      this.recordChars += body.length;
      this.onRecord?.(body);
      s = s.slice(end + 1);
    }
  }

  #keepUser(text: string): void {
    if (!text) return;
    const room = this.#keep - this.userChars;
    if (room > 0) this.#user.push(text.length <= room ? text : text.slice(0, room));
    this.userChars += text.length;
  }

  /** Program output kept so far, plus any unterminated tail. */
  output(): string {
    const rest = this.#pending;
    this.#pending = "";
    if (rest) this.#keepUser(rest);
    return this.#user.join("");
  }
}
