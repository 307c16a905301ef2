/**
 * Retry delays: exponential backoff with full jitter, overridden by a server's `Retry-After`.
 *
 * @module
 */

/** Inputs of {@linkcode backoffDelayMs}. */
export interface BackoffOptions {
  /** 0 for the first retry, 1 for the second, … */
  readonly attempt: number;
  /** Base delay of the first retry in ms. */
  readonly baseMs: number;
  /** Cap of any delay in ms (also caps `Retry-After`). */
  readonly maxMs: number;
  /** A number in `[0, 1)`; the jitter draw. */
  readonly random: number;
  /** Delay the server asked for (`Retry-After`), in ms, when it sent one. */
  readonly retryAfterMs?: number;
}

/**
 * Delay before retry `attempt`: `Retry-After` when the server sent one (capped at `maxMs`), else
 * "full jitter" `random * min(maxMs, baseMs * 2^attempt)`, at least 1 ms so retries never spin.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { backoffDelayMs } from "./backoff.ts";
 * assert.equal(backoffDelayMs({ attempt: 3, baseMs: 100, maxMs: 10_000, random: 0.5 }), 400);
 * assert.equal(backoffDelayMs({ attempt: 9, baseMs: 100, maxMs: 1000, random: 0.5 }), 500);
 * assert.equal(
 *   backoffDelayMs({ attempt: 0, baseMs: 100, maxMs: 1000, random: 0.5, retryAfterMs: 2000 }),
 *   1000,
 * );
 * ```
 */
export function backoffDelayMs(options: BackoffOptions): number {
  const { attempt, baseMs, maxMs, random, retryAfterMs } = options;
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) {
    return Math.min(maxMs, retryAfterMs);
  }
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.max(1, Math.floor(random * ceiling));
}

/**
 * Parse an HTTP `Retry-After` header (delta-seconds or an HTTP date) into milliseconds, also
 * accepting the `retry-after-ms` extension. Returns `undefined` when absent or unparseable.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRetryAfterMs } from "./backoff.ts";
 * assert.equal(parseRetryAfterMs(new Headers({ "retry-after": "2" })), 2000);
 * assert.equal(parseRetryAfterMs(new Headers({ "retry-after-ms": "150" })), 150);
 * assert.equal(parseRetryAfterMs(new Headers()), undefined);
 * ```
 */
export function parseRetryAfterMs(
  headers: Headers | undefined,
  now: number = Date.now(),
): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get("retry-after-ms");
  if (ms !== null && ms.trim() !== "" && Number.isFinite(Number(ms))) {
    return Math.max(0, Number(ms));
  }
  const value = headers.get("retry-after");
  if (value === null || value.trim() === "") return undefined;
  if (Number.isFinite(Number(value))) return Math.max(0, Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
