/**
 * Argument-type restoration for MBPP+ v0.2.0 inputs.
 *
 * The MBPP+ file stores every input as JSON, which has no tuples, sets or complex numbers. For the
 * tasks whose functions take those types, EvalPlus restores them when it loads the data
 * (`evalplus/data/mbpp.py`, `mbpp_deserialize_inputs`); without that step some canonical solutions
 * crash (complex numbers arrive as strings) and others see lists where the task promises tuples.
 * This is a property of the data file, so it lives with the loader, written as a table of named
 * decoders; the generic runner knows nothing about task ids.
 *
 * @module
 */
import type { PlusOracle } from "../core/mod.ts";

/** How the JSON argument lists of one MBPP+ task are turned back into the intended types. */
export type MbppPlusDecoder =
  | "tuple-args"
  | "tuple-arg-items"
  | "tuple-args-and-items"
  | "tuple-first-arg"
  | "tuple-second-arg"
  | "tuple-first-arg-items"
  | "tuple-first-arg-list-items"
  | "tuple-dict-values"
  | "set-first-arg-items"
  | "float-complex-args"
  | "complex-first-arg"
  | "deep-tuple";

/** Decoder of each MBPP+ task number that needs one (EvalPlus v0.2.0). */
export const MBPP_PLUS_DECODERS: ReadonlyMap<number, MbppPlusDecoder> = new Map([
  ...[2, 116, 132, 143, 222, 261, 273, 394, 399, 421, 424, 429, 470, 560, 579, 596, 616, 630, 726]
    .map((n) => [n, "tuple-args"] as const),
  ...[740, 744, 809].map((n) => [n, "tuple-args"] as const),
  ...[63, 64, 70, 94, 120, 237, 272, 299, 400, 409, 417, 438, 473, 614, 780]
    .map((n) => [n, "tuple-arg-items"] as const),
  ...[259, 401, 445].map((n) => [n, "tuple-args-and-items"] as const),
  ...[250, 307, 405, 446, 617, 720, 763, 808].map((n) => [n, "tuple-first-arg"] as const),
  ...[106, 750].map((n) => [n, "tuple-second-arg"] as const),
  ...[75, 413, 444, 753].map((n) => [n, "tuple-first-arg-items"] as const),
  [278, "tuple-first-arg-list-items"],
  [722, "tuple-dict-values"],
  [115, "set-first-arg-items"],
  [124, "float-complex-args"],
  [252, "complex-first-arg"],
  ...[580, 615, 791].map((n) => [n, "deep-tuple"] as const),
]);

/**
 * Python expression that decodes `inputs` (a list of argument lists) for `decoder`. It may call
 * the input helper `_plus_deep_tuple`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mbppPlusDecodeExpression } from "./mbpp_plus_decoders.ts";
 * assert.equal(mbppPlusDecodeExpression("tuple-args"), "[[tuple(a) for a in args] for args in inputs]");
 * ```
 */
export function mbppPlusDecodeExpression(decoder: MbppPlusDecoder): string {
  switch (decoder) {
    case "tuple-args": // every argument is a tuple
      return "[[tuple(a) for a in args] for args in inputs]";
    case "tuple-arg-items": // every argument is a list of tuples
      return "[[[tuple(x) for x in a] for a in args] for args in inputs]";
    case "tuple-args-and-items": // every argument is a tuple of tuples
      return "[[tuple(tuple(x) for x in a) for a in args] for args in inputs]";
    case "tuple-first-arg": // the first argument is a tuple
      return "[[tuple(args[0]), *args[1:]] for args in inputs]";
    case "tuple-second-arg":
      return "[[args[0], tuple(args[1]), *args[2:]] for args in inputs]";
    case "tuple-first-arg-items": // the first argument is a list of tuples
      return "[[[tuple(x) for x in args[0]], *args[1:]] for args in inputs]";
    case "tuple-first-arg-list-items": // a tuple whose list items are tuples
      return "[[tuple(tuple(x) if isinstance(x, list) else x for x in args[0])] for args in inputs]";
    case "tuple-dict-values": // the first argument maps keys to tuples
      return "[[{k: tuple(v) for k, v in args[0].items()}, *args[1:]] for args in inputs]";
    case "set-first-arg-items": // a list of sets; EvalPlus turns an empty one into {}
      return "[[[set(x) if isinstance(x, list) and x else {} for x in args[0]]] for args in inputs]";
    case "float-complex-args":
      return "[(float(args[0]), complex(args[1])) for args in inputs]";
    case "complex-first-arg":
      return "[[complex(args[0])] for args in inputs]";
    case "deep-tuple": // every nested list is a tuple
      return "[_plus_deep_tuple(args) for args in inputs]";
    default: {
      const never: never = decoder;
      throw new Error(`unknown MBPP+ decoder ${String(never)}`);
    }
  }
}

/**
 * The MBPP+ tasks EvalPlus judges with a special oracle (`evalplus/eval/_special_oracle.py` and
 * `unsafe_execute`, keyed there by entry point). `set-equal` tasks return a collection in no
 * defined order (most build it from a set of strings, whose order changes with each
 * interpreter's hash seed, so without the rule even the reference fails its own outputs);
 * `not-none` tasks return an `re.Match` or None, compared only as None or not.
 */
export const MBPP_PLUS_ORACLES: ReadonlyMap<number, PlusOracle> = new Map([
  ...[2, 7, 111, 140, 232, 249, 579, 769].map((n) => [n, "set-equal"] as const),
  // similar_elements, find_char_long, common_in_nested_lists, extract_singly, larg_nnum,
  // intersection_array, find_dissimilar, Diff
  ...[737, 787, 794].map((n) => [n, "not-none"] as const), // check_str, text_match_three, text_starta_endb
  [164, "any-output"], // are_equivalent
  [295, "or-zero"], // sum_div
  [581, "surface-area"], // surface_Area
  [558, "digit-distance"], // digit_distance_nums
]);

/** The HumanEval+ tasks EvalPlus judges with a special oracle. */
export const HUMANEVAL_PLUS_ORACLES: ReadonlyMap<string, PlusOracle> = new Map([
  ["HumanEval/32", "poly-root"], // find_zero: any root within atol
]);
