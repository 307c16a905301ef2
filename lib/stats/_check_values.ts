/** Throws when `values` is empty or holds a non-finite number, naming the index and value. */
export function _checkValues(fn: string, values: readonly number[]): void {
  if (values.length === 0) throw new RangeError(`${fn}: expected at least one value, found none`);
  values.forEach((v, i) => {
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new RangeError(`${fn}: expected finite numbers, found ${v} at index ${i}`);
    }
  });
}
