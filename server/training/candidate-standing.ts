import type { Candidate } from './candidate.entity';
import { recentAccuracy, type Standing } from './selection';

/** What the selection rules (selection.ts) need of a candidate. */
export function standing(c: Candidate): Standing {
  const history = (c.metrics.history as Array<{ valAccuracy?: number; valLoss?: number }> | undefined) ?? [];
  return {
    id: c.id,
    name: c.name,
    order: (c.metrics.order as number | undefined) ?? 0,
    epochsDone: c.epochsDone,
    accuracy: recentAccuracy(history),
    loss: history.at(-1)?.valLoss ?? null,
    images: (c.metrics.validationImages as number | undefined) ?? 0,
  };
}
