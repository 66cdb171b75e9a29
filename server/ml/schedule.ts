// The learning rate over a run: a short linear warm-up, then a cosine decay to a small fraction
// of the peak at the planned last epoch. A pure function of the step, so a resumed run continues
// on the same curve.

export interface Schedule {
  /** Epochs the curve spans; training past them stays at the final rate. */
  epochs: number;
  /** Epochs of linear warm-up from a tenth of the peak (default 1, at most a fifth of the run). */
  warmupEpochs?: number;
  /** The last rate as a fraction of the peak (default 0.01). */
  finalFraction?: number;
}

/** The rate for optimiser step `step` (0-based), with `stepsPerEpoch` steps in an epoch. */
export function learningRateAt(peak: number, schedule: Schedule, step: number, stepsPerEpoch: number): number {
  const total = Math.max(1, schedule.epochs * stepsPerEpoch);
  const warmup = Math.min(Math.round((schedule.warmupEpochs ?? 1) * stepsPerEpoch), Math.floor(total / 5));
  const final = peak * (schedule.finalFraction ?? 0.01);
  if (step < warmup) return peak * (0.1 + (0.9 * step) / warmup);
  const t = Math.min(1, (step - warmup) / Math.max(1, total - warmup));
  return final + (peak - final) * 0.5 * (1 + Math.cos(Math.PI * t));
}
