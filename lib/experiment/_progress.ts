/**
 * Progress line of a study run on stderr: cell i/N, variant, seed, elapsed, ETA.
 *
 * @module
 */

/** `12.3s`, `4m05s`, `1h02m`. */
export function _formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "?";
  const s = Math.max(0, ms) / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.floor(s % 60)).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/**
 * ETA of the run: cells still to start times the mean wall time of the cells run so far, plus
 * what remains of the cell in flight (from its reported fraction when there is no finished cell).
 */
export function _etaMs(options: {
  readonly finishedWallMs: readonly number[];
  readonly cellsAfterCurrent: number;
  readonly currentElapsedMs: number;
  readonly currentFraction: number | null;
}): number {
  const { finishedWallMs, cellsAfterCurrent, currentElapsedMs, currentFraction } = options;
  let perCell: number;
  if (finishedWallMs.length > 0) {
    perCell = finishedWallMs.reduce((a, b) => a + b, 0) / finishedWallMs.length;
  } else if (currentFraction !== null && currentFraction > 0) {
    perCell = currentElapsedMs / currentFraction;
  } else {
    return NaN;
  }
  const currentLeft = currentFraction === null
    ? Math.max(0, perCell - currentElapsedMs)
    : perCell * (1 - currentFraction);
  return currentLeft + cellsAfterCurrent * perCell;
}
