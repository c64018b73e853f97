/** Row operations on CountryFrame tables. */
import type { CountryFrame } from './types';

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
