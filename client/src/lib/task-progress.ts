import type { TaskStatus } from './gql/graphql';

/** Queued or running: a task that will still change. */
export const isActive = (status: TaskStatus): boolean => status === 'QUEUED' || status === 'RUNNING';

/**
 * A task's `progress` is whatever its handler reports (JSON). These are the shapes Percept's
 * handlers send today; anything else is shown as plain key–value pairs.
 */
export interface ProgressSummary {
  /** Words for the progress, like "training · epoch 3 · batch 40 of 120 · loss 0.41". */
  text: string;
  /** Done so far, 0 to 1, when the handler reports a count and a total. */
  fraction: number | null;
}

const percent = (x: number) => `${(x * 100).toFixed(1)} %`;
const num = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

const KNOWN: [string, (v: number, p: Record<string, unknown>) => string | null][] = [
  ['step', (v, p) => (num(p.steps) ? `step ${v} of ${p.steps}` : `step ${v}`)],
  ['epoch', (v) => `epoch ${v}`],
  ['batch', (v, p) => (num(p.batches) ? `batch ${v} of ${p.batches}` : `batch ${v}`)],
  ['filesSeen', (v, p) => (num(p.filesTotal) ? `${v} of ${p.filesTotal} files` : `${v} files`)],
  ['imported', (v) => `${v} imported`],
  ['skipped', (v) => (v > 0 ? `${v} skipped` : null)],
  ['candidates', (v) => `${v} candidates`],
  ['training', (v) => `${v} training`],
  ['pruned', (v) => (v > 0 ? `${v} pruned` : null)],
  ['rounds', (v) => `${v} rounds`],
  ['loss', (v) => `loss ${v.toFixed(3)}`],
  ['accuracy', (v) => `accuracy ${percent(v)}`],
  ['imagesPerSecond', (v) => `${v.toFixed(v < 10 ? 1 : 0)} images/s`],
];
const SHOWN_WITH = new Set(['steps', 'batches', 'filesTotal', 'epochSeconds']);

export function summariseProgress(progress: unknown): ProgressSummary | null {
  if (!progress || typeof progress !== 'object' || Array.isArray(progress)) return null;
  const p = progress as Record<string, unknown>;
  const parts: string[] = [];
  if (typeof p.phase === 'string') parts.push(p.phase);
  const used = new Set(['phase', ...SHOWN_WITH]);
  for (const [key, say] of KNOWN) {
    used.add(key);
    const v = p[key];
    if (!num(v)) continue;
    const words = say(v, p);
    if (words) parts.push(words);
  }
  for (const [key, v] of Object.entries(p)) {
    if (used.has(key) || v === null || typeof v === 'object') continue;
    parts.push(`${key} ${String(v)}`);
  }
  if (parts.length === 0) return null;
  return { text: parts.join(' · '), fraction: fractionOf(p) };
}

function fractionOf(p: Record<string, unknown>): number | null {
  for (const [done, total] of [
    ['step', 'steps'],
    ['batch', 'batches'],
    ['filesSeen', 'filesTotal'],
  ]) {
    const d = p[done];
    const t = p[total];
    if (num(d) && num(t) && t > 0) return Math.min(1, Math.max(0, d / t));
  }
  return null;
}
