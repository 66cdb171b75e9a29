import { createPubSub } from '@graphql-yoga/subscription';
import type { Model } from '../models/model.entity';

/**
 * Topics and their payloads. Each topic is keyed by the id subscribers filter on, so a client only
 * receives its own objects. In-process by default; several servers share events once an
 * `eventTarget` over PostgreSQL LISTEN/NOTIFY is passed (runner-pool issue).
 */
export type Topics = {
  MODEL_UPDATED: [modelId: string, payload: Model];
};

export type PerceptPubSub = ReturnType<typeof createPubSub<Topics>>;

export function createPerceptPubSub(): PerceptPubSub {
  return createPubSub<Topics>();
}
