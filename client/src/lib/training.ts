/** What the Training tab derives from a training run: how far along, how fast, and the curves. */
import type { TrainingRunFieldsFragment } from './gql/graphql';

export type Run = TrainingRunFieldsFragment;
export type Candidate = Run['candidates'][number];

export interface Point {
  x: number;
  y: number;
}

const ENDED = new Set(['COMPLETED', 'PROMOTED', 'PRUNED', 'FAILED']);

/** Epochs a candidate has trained, the epoch in progress counted by its batches. */
export function epochsTrained(c: Candidate): number {
  const l = c.live;
  if (l?.epoch && l.batch != null && l.batches) return Math.max(c.epochsDone, l.epoch - 1 + l.batch / l.batches);
  return c.epochsDone;
}

/** Share of the run done: a candidate that ended counts what it did, the others up to the epoch limit. */
export function runFraction(run: Run): number {
  if (run.task.status === 'SUCCEEDED') return 1;
  let done = 0;
  let planned = 0;
  for (const c of run.candidates) {
    const trained = epochsTrained(c);
    done += trained;
    planned += ENDED.has(c.status) ? trained : run.maxEpochs;
  }
  return planned > 0 ? Math.min(1, done / planned) : 0;
}

/** Images per second over every candidate training right now; null when none is. */
export function imagesPerSecond(run: Run): number | null {
  const rates = run.candidates.flatMap((c) => (c.live?.imagesPerSecond ? [c.live.imagesPerSecond] : []));
  return rates.length ? rates.reduce((a, b) => a + b, 0) : null;
}

/** The candidate serving the model, or the one closest to it so far (validation accuracy as it stands). */
export function leader(run: Run): Candidate | null {
  const promoted = run.candidates.find((c) => c.status === 'PROMOTED');
  if (promoted) return promoted;
  let best: Candidate | null = null;
  for (const c of run.candidates) {
    if (
      c.validationAccuracy != null &&
      (best?.validationAccuracy == null || c.validationAccuracy > best.validationAccuracy)
    ) {
      best = c;
    }
  }
  return best;
}

export interface Curves {
  loss: { train: Point[]; validation: Point[] };
  accuracy: { train: Point[]; validation: Point[] };
}

/**
 * A candidate's curves by epoch: one point per finished epoch, and the epoch in progress at its
 * batch, so the training curves grow while the page watches.
 */
export function curvesOf(c: Candidate): Curves {
  const h = c.history;
  const curves: Curves = {
    loss: {
      train: h.map((e) => ({ x: e.epoch, y: e.loss })),
      validation: h.flatMap((e) => (e.valLoss != null ? [{ x: e.epoch, y: e.valLoss }] : [])),
    },
    accuracy: {
      train: h.map((e) => ({ x: e.epoch, y: e.accuracy })),
      validation: h.flatMap((e) => (e.valAccuracy != null ? [{ x: e.epoch, y: e.valAccuracy }] : [])),
    },
  };
  const l = c.live;
  const last = h.at(-1)?.epoch ?? 0;
  if (l?.epoch && l.batch && l.batches && l.epoch > last) {
    const x = l.epoch - 1 + l.batch / l.batches;
    if (l.loss != null) curves.loss.train.push({ x, y: l.loss });
    if (l.accuracy != null) curves.accuracy.train.push({ x, y: l.accuracy });
  }
  return curves;
}

/** "95.0 % ± 3.1 % on 120 validation images": an accuracy with the room chance leaves it. */
export function accuracyWithMargin(c: Candidate, format: (x: number) => string): string | null {
  if (c.validationAccuracy == null) return null;
  const margin = c.validationMargin != null ? ` ± ${format(c.validationMargin)}` : '';
  return `${format(c.validationAccuracy)}${margin} on ${c.validationImages} validation images`;
}
