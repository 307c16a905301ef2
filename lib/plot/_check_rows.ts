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

/**
 * The row with its CI clipped to the y domain, when there is one: a rate's interval never goes
 * below 0 in a chart (the tables keep the unclipped values).
 */
export function _clipCi<Row extends { readonly ciLow: number; readonly ciHigh: number }>(
  r: Row,
  domain: readonly [number, number] | undefined,
): Row {
  if (domain === undefined) return { ...r };
  const clip = (v: number) => Number.isFinite(v) ? Math.min(domain[1], Math.max(domain[0], v)) : v;
  return { ...r, ciLow: clip(r.ciLow), ciHigh: clip(r.ciHigh) };
}
