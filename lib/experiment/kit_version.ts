/**
 * Version of the kit recorded in every run's `config.json`.
 *
 * @module
 */

/**
 * Version of the kit's record formats and runner, written to `runs/<id>/config.json`. Bump it
 * when a change makes old runs incomparable (a metric's meaning, a record's shape).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KIT_VERSION } from "./kit_version.ts";
 * assert.match(KIT_VERSION, /^\d+\.\d+\.\d+$/);
 * ```
 */
export const KIT_VERSION = "0.1.0";
