/**
 * The MiniFlow grammar: primitive operations, each a typed step with a code template whose
 * mutation sites are annotated (see `program.ts` for the template syntax).
 *
 * A task is a composition of 2–3 primitives whose types chain, starting from its family's
 * argument type. Loop variables are `x` (integers or generic items), `w` (words), `ch`
 * (characters), `key`/`value` (dicts), `i`/`d` (indexes and divisors).
 *
 * @module
 */
import type { Random } from "./_random.ts";
import type { TemplateParams } from "./program.ts";
import type { MiniflowFamily, ValueType } from "./types.ts";

/** One primitive operation of the grammar. */
export interface Primitive {
  /** Stable name; compositions and splits are keyed by it. */
  readonly name: string;
  /** Input type; `any` accepts `ints` and `words`. */
  readonly input: ValueType;
  /** Output type; `any` means "the same as the input". */
  readonly output: ValueType;
  /** Base name of the output variable (also used to name the function). */
  readonly out: string;
  /** At most one primitive of a group per composition. @default name */
  readonly group?: string;
  /** Draw the constants of this step. */
  readonly params?: (rng: Random) => TemplateParams;
  /** Verb phrase for the docstring. */
  readonly phrase: (p: TemplateParams) => string;
  /** Code template; `{in}` and `{out}` name the input and output variables. */
  readonly lines: readonly string[];
  /** True when the template ends in its own `return` (the step must be last). */
  readonly returns?: boolean;
  /** `count` inputs (Python literals, edge cases first) when this step starts a `number` task. */
  readonly inputs?: (rng: Random, count: number) => string[];
}

const _SEPARATORS = ["'-'", "', '", "' '", "':'", "'+'"];

function _sep(rng: Random): TemplateParams {
  const sep = rng.pick(_SEPARATORS);
  return { sep, sep2: rng.pick(_SEPARATORS.filter((s) => s !== sep)) };
}

function _ints(count: number, lo: number, hi: number, rng: Random, edge: number[]): string[] {
  const out = edge.map(String);
  while (out.length < count) out.push(String(rng.int(lo, hi)));
  return out;
}

/** Steps over a list of integers (or, for `any`, over any list). */
const _LIST_STEPS: readonly Primitive[] = [
  {
    name: "keep_even",
    input: "ints",
    output: "ints",
    out: "evens",
    group: "parity",
    phrase: () => "keep the even numbers",
    lines: [
      "{out} = []",
      "for x in {in}:",
      "    if x % 2 ⟦op:==|!=⟧ 0:",
      "        {out}.append(x)",
    ],
  },
  {
    name: "keep_odd",
    input: "ints",
    output: "ints",
    out: "odds",
    group: "parity",
    phrase: () => "keep the odd numbers",
    lines: [
      "{out} = []",
      "for x in {in}:",
      "    if x % 2 ⟦op:==|!=⟧ 1:",
      "        {out}.append(x)",
    ],
  },
  {
    name: "keep_greater",
    input: "ints",
    output: "ints",
    out: "big",
    group: "threshold",
    params: (r) => ({ t: r.int(0, 8) }),
    phrase: (p) => `keep the numbers greater than ${p.t}`,
    lines: [
      "{out} = []",
      "for x in {in}:",
      "    if x ⟦op:>|>=|<⟧ ⟦obo:{t}|{t+1}⟧:",
      "        {out}.append(x)",
    ],
  },
  {
    name: "keep_less",
    input: "ints",
    output: "ints",
    out: "small",
    group: "threshold",
    params: (r) => ({ t: r.int(2, 10) }),
    phrase: (p) => `keep the numbers less than ${p.t}`,
    lines: ["{out} = []", "for x in {in}:", "    if x ⟦op:<|<=|>⟧ {t}:", "        {out}.append(x)"],
  },
  {
    name: "keep_multiples",
    input: "ints",
    output: "ints",
    out: "multiples",
    params: (r) => ({ k: r.int(3, 5) }),
    phrase: (p) => `keep the multiples of ${p.k}`,
    lines: [
      "{out} = []",
      "for x in {in}:",
      "    if x % ⟦const:{k}|{k+1}⟧ == 0:",
      "        {out}.append(x)",
    ],
  },
  {
    name: "square",
    input: "ints",
    output: "ints",
    out: "squares",
    group: "map",
    phrase: () => "square each number",
    lines: ["{out} = []", "for x in {in}:", "    {out}.append(x ⟦op:*|+⟧ x)"],
  },
  {
    name: "add_constant",
    input: "ints",
    output: "ints",
    out: "shifted",
    group: "map",
    params: (r) => ({ c: r.int(1, 9) }),
    phrase: (p) => `add ${p.c} to each number`,
    lines: ["{out} = []", "for x in {in}:", "    {out}.append(x ⟦op:+|-⟧ ⟦const:{c}|{c+1}⟧)"],
  },
  {
    name: "scale",
    input: "ints",
    output: "ints",
    out: "scaled",
    group: "map",
    params: (r) => ({ c: r.int(2, 5) }),
    phrase: (p) => `multiply each number by ${p.c}`,
    lines: ["{out} = []", "for x in {in}:", "    {out}.append(x ⟦op:*|+|-⟧ {c})"],
  },
  {
    name: "absolute",
    input: "ints",
    output: "ints",
    out: "magnitudes",
    group: "map",
    phrase: () => "replace each number by its absolute value",
    lines: ["{out} = []", "for x in {in}:", "    {out}.append(⟦method:abs|int⟧(x))"],
  },
  {
    name: "clamp",
    input: "ints",
    output: "ints",
    out: "clamped",
    group: "map",
    params: (r) => {
      const lo = r.int(0, 3);
      return { lo, hi: lo + r.int(4, 8) };
    },
    phrase: (p) => `clamp each number into the range ${p.lo}..${p.hi}`,
    lines: ["{out} = []", "for x in {in}:", "    {out}.append(⟦agg:min|max⟧(max(x, {lo}), {hi}))"],
  },
  {
    name: "prefix_sums",
    input: "ints",
    output: "ints",
    out: "prefix",
    group: "running",
    phrase: () => "replace the list by its running (prefix) sums",
    lines: [
      "{out} = []",
      "acc = ⟦init:0|1⟧",
      "for x in {in}:",
      "    acc ⟦op:+=|-=⟧ x",
      "    {out}.append(acc)",
    ],
  },
  {
    name: "running_max",
    input: "ints",
    output: "ints",
    out: "running",
    group: "running",
    phrase: () => "replace the list by its running maximum",
    lines: [
      "{out} = []",
      "best = None",
      "for x in {in}:",
      "    if best is None or x ⟦op:>|<⟧ best:",
      "        best = x",
      "    {out}.append(best)",
    ],
  },
  {
    name: "differences",
    input: "ints",
    output: "ints",
    out: "diffs",
    group: "running",
    phrase: () => "take the differences between consecutive numbers (next minus current)",
    lines: [
      "{out} = []",
      "for i in range(len({in})⟦obo: - 1| - 2|⟧):",
      "    {out}.append(⟦swap:{in}[i + 1] - {in}[i]|{in}[i] - {in}[i + 1]⟧)",
    ],
  },
  {
    name: "reverse",
    input: "any",
    output: "any",
    out: "backwards",
    group: "order",
    phrase: () => "reverse the order of the items",
    lines: [
      "{out} = []",
      "for i in range(len({in}) - 1, ⟦obo:-1|0⟧, -1):",
      "    {out}.append({in}[i])",
    ],
  },
  {
    name: "dedupe",
    input: "any",
    output: "any",
    out: "unique",
    phrase: () => "drop repeated items, keeping the first occurrence",
    lines: [
      "{out} = []",
      "for x in {in}:",
      "    if x ⟦op:not in|in⟧ {out}:",
      "        {out}.append(x)",
    ],
  },
  {
    name: "take_first",
    input: "any",
    output: "any",
    out: "head",
    params: (r) => ({ k: r.int(2, 4) }),
    phrase: (p) => `keep only the first ${p.k} items`,
    lines: ["{out} = {in}[:⟦obo:{k}|{k+1}|{k-1}⟧]"],
  },
  {
    name: "sort_ascending",
    input: "any",
    output: "any",
    out: "ordered",
    group: "order",
    phrase: () => "sort the items in increasing order",
    lines: ["{out} = sorted({in}⟦const:|, reverse=True⟧)"],
  },
  {
    name: "sort_descending",
    input: "any",
    output: "any",
    out: "ranked",
    group: "order",
    phrase: () => "sort the items in decreasing order",
    lines: ["{out} = sorted({in}, reverse=⟦const:True|False⟧)"],
  },
  // Aggregates (scalar outputs end a composition).
  {
    name: "sum",
    input: "ints",
    output: "int",
    out: "total",
    phrase: () => "add them up",
    lines: ["{out} = ⟦init:0|1⟧", "for x in {in}:", "    {out} ⟦op:+=|-=⟧ x"],
  },
  {
    name: "product",
    input: "ints",
    output: "int",
    out: "product",
    phrase: () => "multiply them together (1 for an empty list)",
    lines: ["{out} = ⟦init:1|0⟧", "for x in {in}:", "    {out} ⟦op:*=|+=⟧ x"],
  },
  {
    name: "maximum",
    input: "ints",
    output: "int",
    out: "largest",
    phrase: () => "take the largest number (0 for an empty list)",
    lines: [
      "if not {in}:",
      "    return ⟦const:0|-1⟧",
      "{out} = {in}[⟦obo:0|1⟧]",
      "for x in {in}:",
      "    if x ⟦op:>|<⟧ {out}:",
      "        {out} = x",
    ],
  },
  {
    name: "minimum",
    input: "ints",
    output: "int",
    out: "smallest",
    phrase: () => "take the smallest number (0 for an empty list)",
    lines: [
      "if not {in}:",
      "    return ⟦const:0|1⟧",
      "{out} = {in}[⟦obo:0|1⟧]",
      "for x in {in}:",
      "    if x ⟦op:<|>⟧ {out}:",
      "        {out} = x",
    ],
  },
  {
    name: "count",
    input: "any",
    output: "int",
    out: "count",
    phrase: () => "count the items",
    lines: ["{out} = ⟦init:0|1⟧", "for x in {in}:", "    {out} ⟦op:+=|-=⟧ 1"],
  },
  {
    name: "first_index_above",
    input: "ints",
    output: "int",
    out: "index",
    returns: true,
    params: (r) => ({ t: r.int(0, 8) }),
    phrase: (p) => `find the index of the first number greater than ${p.t} (-1 if there is none)`,
    lines: [
      "for i in range(⟦obo:len({in})|len({in}) - 1⟧):",
      "    if {in}[i] ⟦op:>|>=⟧ {t}:",
      "        return ⟦ret:i|{in}[i]⟧",
      "return ⟦const:-1|0⟧",
    ],
  },
  {
    name: "mean_floor",
    input: "ints",
    output: "int",
    out: "mean",
    phrase: () => "take their mean rounded down (0 for an empty list)",
    lines: ["if not {in}:", "    return 0", "{out} = ⟦agg:sum|max⟧({in}) // len({in})"],
  },
  {
    name: "spread",
    input: "ints",
    output: "int",
    out: "spread",
    phrase: () => "take the largest minus the smallest number (0 for an empty list)",
    lines: [
      "if not {in}:",
      "    return 0",
      "{out} = ⟦swap:max({in}) - min({in})|min({in}) - max({in})⟧",
    ],
  },
  {
    name: "alternating_sum",
    input: "ints",
    output: "int",
    out: "alternating",
    phrase: () => "compute the alternating sum (add the 1st, subtract the 2nd, add the 3rd, ...)",
    lines: [
      "{out} = ⟦init:0|1⟧",
      "for i in range(len({in})):",
      "    if i % 2 ⟦op:==|!=⟧ 0:",
      "        {out} += {in}[i]",
      "    else:",
      "        {out} -= {in}[i]",
    ],
  },
  {
    name: "join",
    input: "any",
    output: "str",
    out: "joined",
    params: _sep,
    phrase: (p) => `join the items into one string separated by ${p.sep}`,
    lines: ["{out} = ⟦const:{sep}|{sep2}⟧.join(str(x) for x in {in})"],
  },
  {
    name: "count_distinct",
    input: "any",
    output: "int",
    out: "distinct",
    phrase: () => "count the distinct items",
    lines: ["{out} = ⟦agg:len|sum⟧(⟦method:set|list⟧({in}))"],
  },
];

/** Steps over a list of words. */
const _WORD_STEPS: readonly Primitive[] = [
  {
    name: "keep_long_words",
    input: "words",
    output: "words",
    out: "long_words",
    group: "length",
    params: (r) => ({ k: r.int(2, 5) }),
    phrase: (p) => `keep the words longer than ${p.k} characters`,
    lines: [
      "{out} = []",
      "for w in {in}:",
      "    if len(w) ⟦op:>|>=⟧ ⟦obo:{k}|{k+1}⟧:",
      "        {out}.⟦method:append|extend⟧(w)",
    ],
  },
  {
    name: "keep_short_words",
    input: "words",
    output: "words",
    out: "short_words",
    group: "length",
    params: (r) => ({ k: r.int(3, 6) }),
    phrase: (p) => `keep the words shorter than ${p.k} characters`,
    lines: [
      "{out} = []",
      "for w in {in}:",
      "    if len(w) ⟦op:<|<=⟧ {k}:",
      "        {out}.⟦method:append|extend⟧(w)",
    ],
  },
  {
    name: "keep_initial",
    input: "words",
    output: "words",
    out: "matching",
    params: (r) => ({ ch: `'${r.pick([..."abcdeghlmoprst"])}'` }),
    phrase: (p) => `keep the words that start with ${p.ch}`,
    lines: [
      "{out} = []",
      "for w in {in}:",
      "    if w.⟦method:startswith|endswith⟧({ch}):",
      "        {out}.⟦method:append|extend⟧(w)",
    ],
  },
  {
    name: "uppercase_words",
    input: "words",
    output: "words",
    out: "shouted",
    group: "case",
    phrase: () => "uppercase each word",
    lines: ["{out} = []", "for w in {in}:", "    {out}.append(w.⟦method:upper|lower⟧())"],
  },
  {
    name: "capitalize_words",
    input: "words",
    output: "words",
    out: "titled",
    group: "case",
    phrase: () => "capitalize each word (first letter upper case, the rest lower case)",
    lines: ["{out} = []", "for w in {in}:", "    {out}.append(w.⟦method:capitalize|upper⟧())"],
  },
  {
    name: "reverse_each_word",
    input: "words",
    output: "words",
    out: "mirrored",
    phrase: () => "reverse the letters of each word",
    lines: ["{out} = []", "for w in {in}:", "    {out}.append(w[::⟦const:-1|1⟧])"],
  },
  {
    name: "sort_by_length",
    input: "words",
    output: "words",
    out: "by_length",
    group: "order",
    phrase: () => "sort the words by length (stable for equal lengths)",
    lines: ["{out} = sorted({in}, key=⟦method:len|str⟧)"],
  },
  {
    name: "word_lengths",
    input: "words",
    output: "ints",
    out: "lengths",
    phrase: () => "replace each word by its length",
    lines: ["{out} = []", "for w in {in}:", "    {out}.append(⟦method:len|str⟧(w))"],
  },
  {
    name: "longest_word",
    input: "words",
    output: "str",
    out: "longest",
    phrase: () => "find the longest word (the first one on ties, '' if there are none)",
    lines: [
      "{out} = ''",
      "for w in {in}:",
      "    if len(w) ⟦op:>|>=⟧ len({out}):",
      "        {out} = w",
    ],
  },
  {
    name: "total_length",
    input: "words",
    output: "int",
    out: "letters",
    phrase: () => "add up the lengths of the words",
    lines: ["{out} = ⟦init:0|1⟧", "for w in {in}:", "    {out} ⟦op:+=|-=⟧ len(w)"],
  },
  {
    name: "acronym",
    input: "words",
    output: "str",
    out: "initials",
    phrase: () => "build the string of their first letters, uppercased",
    lines: ["{out} = ''", "for w in {in}:", "    {out} += w[⟦obo:0|1⟧].⟦method:upper|lower⟧()"],
  },
];

/** Steps over a string. */
const _TEXT_STEPS: readonly Primitive[] = [
  {
    name: "split_words",
    input: "text",
    output: "words",
    out: "words",
    phrase: () => "split it into words on whitespace",
    lines: ["{out} = {in}.split()"],
  },
  {
    name: "lowercase",
    input: "text",
    output: "text",
    out: "lowered",
    phrase: () => "lowercase it",
    lines: ["{out} = {in}.⟦method:lower|upper⟧()"],
  },
  {
    name: "strip_vowels",
    input: "text",
    output: "text",
    out: "consonants",
    phrase: () => "remove the vowels (a, e, i, o, u in either case)",
    lines: [
      "{out} = ''",
      "for ch in {in}:",
      "    if ch.lower() ⟦op:not in|in⟧ 'aeiou':",
      "        {out} += ch",
    ],
  },
  {
    name: "reverse_text",
    input: "text",
    output: "text",
    out: "flipped",
    phrase: () => "reverse it",
    lines: ["{out} = {in}[::⟦const:-1|1⟧]"],
  },
  {
    name: "replace_letter",
    input: "text",
    output: "text",
    out: "replaced",
    params: (r) => {
      const [a, b] = r.shuffle([..."aeiou"]);
      return { a: `'${a}'`, b: `'${b}'` };
    },
    phrase: (p) => `replace every ${p.a} with ${p.b}`,
    lines: ["{out} = {in}.replace(⟦swap:{a}, {b}|{b}, {a}⟧)"],
  },
  {
    name: "count_vowels",
    input: "text",
    output: "int",
    out: "vowels",
    phrase: () => "count its lowercase vowels (a, e, i, o, u)",
    lines: [
      "{out} = ⟦init:0|1⟧",
      "for ch in {in}:",
      "    if ch ⟦op:in|not in⟧ 'aeiou':",
      "        {out} += 1",
    ],
  },
  {
    name: "most_common_char",
    input: "text",
    output: "str",
    out: "best",
    phrase: () =>
      "count how often each non-space character occurs and take the most common one " +
      "(the earliest seen on ties, '' for no characters)",
    lines: [
      "counts = {}",
      "for ch in {in}:",
      "    if ch != ' ':",
      "        counts[ch] = counts.get(⟦swap:ch, 0|0, ch⟧) + 1",
      "{out} = ''",
      "for ch in counts:",
      "    if {out} == '' or counts[ch] ⟦op:>|>=⟧ counts[{out}]:",
      "        {out} = ch",
    ],
  },
  {
    name: "letter_counts",
    input: "text",
    output: "dict",
    out: "freq",
    phrase: () => "count how often each letter occurs (a dict from letter to count)",
    lines: [
      "{out} = {}",
      "for ch in {in}:",
      "    if ch.isalpha():",
      "        {out}[ch] = {out}.get(ch, ⟦init:0|1⟧) + 1",
    ],
  },
];

/** Steps that start a `number` task: an integer becomes a list of integers. */
const _NUMBER_STEPS: readonly Primitive[] = [
  {
    name: "digits",
    input: "int",
    output: "ints",
    out: "digits",
    phrase: () => "take its decimal digits",
    lines: ["{out} = []", "for ch in str({in}):", "    {out}.append(⟦method:int|len⟧(ch))"],
    inputs: (r, n) => _ints(n, 10, 99999, r, [0, 7]),
  },
  {
    name: "divisors",
    input: "int",
    output: "ints",
    out: "divisors",
    phrase: () => "list its positive divisors in increasing order",
    lines: [
      "{out} = []",
      "for d in range(1, {in}⟦obo: + 1|⟧):",
      "    if ⟦swap:{in} % d|d % {in}⟧ == 0:",
      "        {out}.append(d)",
    ],
    inputs: (r, n) => _ints(n, 3, 60, r, [1, 2]),
  },
  {
    name: "count_up",
    input: "int",
    output: "ints",
    out: "numbers",
    phrase: () => "list the numbers from 1 to n",
    lines: ["{out} = list(range(⟦obo:1|0⟧, {in} + 1))"],
    inputs: (r, n) => _ints(n, 2, 12, r, [0, 1]),
  },
  {
    name: "multiples_below",
    input: "int",
    output: "ints",
    out: "steps",
    params: (r) => ({ k: r.int(2, 5) }),
    phrase: (p) => `list the multiples of ${p.k} from 0 up to but excluding n`,
    lines: ["{out} = list(range(0, {in}, ⟦const:{k}|{k+1}⟧))"],
    inputs: (r, n) => _ints(n, 5, 40, r, [0, 1]),
  },
  {
    name: "binary_digits",
    input: "int",
    output: "ints",
    out: "bits",
    phrase: () => "take its binary digits (most significant first)",
    lines: ["{out} = []", "for ch in ⟦method:bin|oct⟧({in})[2:]:", "    {out}.append(int(ch))"],
    inputs: (r, n) => _ints(n, 9, 255, r, [0, 5]),
  },
];

/** Steps over a dict from names to integers. */
const _DICT_STEPS: readonly Primitive[] = [
  {
    name: "keep_values_above",
    input: "dict",
    output: "dict",
    out: "passing",
    params: (r) => ({ t: r.int(2, 12) }),
    phrase: (p) => `keep the entries whose value is greater than ${p.t}`,
    lines: [
      "{out} = {}",
      "for key, value in {in}.items():",
      "    if value ⟦op:>|>=|<⟧ {t}:",
      "        {out}[key] = value",
    ],
  },
  {
    name: "scale_values",
    input: "dict",
    output: "dict",
    out: "boosted",
    params: (r) => ({ c: r.int(2, 4) }),
    phrase: (p) => `multiply every value by ${p.c}`,
    lines: ["{out} = {}", "for key, value in {in}.items():", "    {out}[key] = value ⟦op:*|+⟧ {c}"],
  },
  {
    name: "sorted_keys",
    input: "dict",
    output: "words",
    out: "names",
    phrase: () => "take the keys in alphabetical order",
    lines: ["{out} = sorted({in}.⟦method:keys|values⟧())"],
  },
  {
    name: "value_list",
    input: "dict",
    output: "ints",
    out: "values",
    phrase: () => "take the values in insertion order",
    lines: ["{out} = list({in}.⟦method:values|keys⟧())"],
  },
  {
    name: "sum_values",
    input: "dict",
    output: "int",
    out: "total_value",
    phrase: () => "add up the values",
    lines: ["{out} = ⟦init:0|1⟧", "for value in {in}.values():", "    {out} ⟦op:+=|-=⟧ value"],
  },
  {
    name: "argmax_key",
    input: "dict",
    output: "str",
    out: "top",
    phrase: () => "find the key with the largest value (the first one on ties, None if empty)",
    lines: [
      "{out} = None",
      "for key in {in}:",
      "    if {out} is None or {in}[key] ⟦op:>|>=⟧ {in}[{out}]:",
      "        {out} = key",
    ],
  },
];

/** Every primitive of the grammar, in a fixed order. */
export const PRIMITIVES: readonly Primitive[] = [
  ..._LIST_STEPS,
  ..._WORD_STEPS,
  ..._TEXT_STEPS,
  ..._NUMBER_STEPS,
  ..._DICT_STEPS,
];

/** Argument name, argument type and docstring subject of each family. */
export const FAMILIES: Readonly<
  Record<MiniflowFamily, { readonly arg: string; readonly type: ValueType; readonly noun: string }>
> = {
  list: { arg: "nums", type: "ints", noun: "a list of integers" },
  string: { arg: "text", type: "text", noun: "a string" },
  number: { arg: "n", type: "int", noun: "a non-negative integer" },
  dict: { arg: "scores", type: "dict", noun: "a dict from names to integers" },
};

/** Families in a fixed order. */
export const FAMILY_NAMES: readonly MiniflowFamily[] = ["list", "string", "number", "dict"];

const _WORDS = [
  "apple",
  "banana",
  "cherry",
  "dog",
  "eagle",
  "fig",
  "grape",
  "house",
  "ice",
  "jam",
  "kite",
  "lemon",
  "moon",
  "nest",
  "orange",
  "pear",
  "queen",
  "river",
  "sun",
  "tree",
  "umbrella",
  "violin",
  "water",
  "yak",
  "zebra",
  "at",
  "be",
  "go",
  "mississippi",
  "level",
];
const _NAMES = [
  "ann",
  "bob",
  "cyd",
  "dee",
  "eve",
  "fay",
  "gus",
  "hal",
  "ivy",
  "jon",
  "kim",
  "lou",
  "max",
  "ned",
];

function _text(rng: Random, count: number): string {
  const words: string[] = [];
  for (let i = 0; i < count; i++) {
    const w = rng.pick(_WORDS);
    words.push(rng.chance(0.2) ? w[0].toUpperCase() + w.slice(1) : w);
  }
  return `'${words.join(" ")}'`;
}

function _dict(rng: Random, count: number): string {
  const keys = rng.shuffle(_NAMES).slice(0, count);
  return `{${keys.map((k) => `'${k}': ${rng.int(0, 20)}`).join(", ")}}`;
}

function _list(rng: Random, length: number): string {
  return `[${Array.from({ length }, () => rng.int(-9, 15)).join(", ")}]`;
}

/**
 * Generated inputs (Python literals) of a family: two edge cases (empty and one element) and
 * `count - 2` random ones. `number` tasks take their inputs from the first step.
 */
export function familyInputs(
  family: MiniflowFamily,
  first: Primitive,
  rng: Random,
  count: number,
): string[] {
  switch (family) {
    case "list":
      return [
        "[]",
        _list(rng, 1),
        ...Array.from({ length: count - 2 }, () => _list(rng, rng.int(3, 8))),
      ];
    case "string":
      return [
        "''",
        _text(rng, 1),
        ...Array.from({ length: count - 2 }, () => _text(rng, rng.int(2, 6))),
      ];
    case "dict":
      return [
        "{}",
        _dict(rng, 1),
        ...Array.from({ length: count - 2 }, () => _dict(rng, rng.int(2, 6))),
      ];
    case "number": {
      if (first.inputs === undefined) {
        throw new Error(`number task starts with "${first.name}", which defines no inputs`);
      }
      return first.inputs(rng, count);
    }
    default: {
      const never: never = family;
      throw new Error(`unknown MiniFlow family ${never}`);
    }
  }
}
