/** Throws unless `rows[i][f]` is a finite number for every row and field, naming row and field. */
export function _checkFinite<Row>(
  fn: string,
  rows: readonly Row[],
  fields: readonly (keyof Row & string)[],
): void {
  rows.forEach((row, i) => {
    for (const f of fields) {
      const v = row[f];
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new RangeError(
          `${fn}: expected a finite number in field "${f}" of row ${i}, found ${v}`,
        );
      }
    }
  });
}
