/** Row operations on CountryFrame tables. */
import type { CountryFrame } from './types';

/**
 * 1 for rows usable as "normal" evidence: not gap-filled, not unreliable, not inside a labelled window; rows
 * [0, end) (default: all). Shared by the seasonal rule, calibration and the EDA report.
 */
export function normalRows(frame: CountryFrame, end = frame.timestamps.length): Uint8Array {
  return Uint8Array.from({ length: end }, (_, i) => (frame.gap[i] || frame.unreliable[i] || frame.labelKind[i] ? 0 : 1));
}

/** Rows [start, end) of a frame as a new frame (label windows are kept; per-hour columns are sliced). */
export function sliceFrame(frame: CountryFrame, start: number, end: number): CountryFrame {
  const signals: Record<string, Float64Array> = {};
  for (const s of frame.signalNames) signals[s] = frame.signals[s].slice(start, end);
  return {
    ...frame,
    timestamps: frame.timestamps.slice(start, end),
    signals,
    gap: frame.gap.slice(start, end),
    unreliable: frame.unreliable.slice(start, end),
    labelKind: frame.labelKind.slice(start, end),
  };
}
