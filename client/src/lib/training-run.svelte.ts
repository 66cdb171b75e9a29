import type { Client } from '@urql/svelte';
import type {
  TrainingProgressSubscription,
  TrainingProgressSubscriptionVariables,
  TrainingRunFieldsFragment,
  TrainingRunQuery,
  TrainingRunQueryVariables,
} from './gql/graphql';
import { TrainingProgress, TrainingRun } from './graphql/training';
import { QueryState, SubscriptionState } from './operations.svelte';

/**
 * A model's latest training run, live: read once, then pushed by `trainingProgress` on every epoch,
 * batch, pruning and promotion. `receivedAt` dates the last push, so the ETA can count down between them.
 */
export class LiveTrainingRun {
  readonly query: QueryState<TrainingRunQuery, TrainingRunQueryVariables>;
  readonly pushes: SubscriptionState<TrainingProgressSubscription, TrainingProgressSubscriptionVariables>;
  receivedAt = $state(Date.now());

  readonly run: TrainingRunFieldsFragment | null = $derived.by(() => {
    const fetched = this.query.data?.trainingRun ?? null;
    const pushed = this.pushes.data?.trainingProgress ?? null;
    if (!fetched || !pushed) return pushed ?? fetched;
    // The same run: the push is the later word. Different runs (one just started): the newer run.
    if (pushed.task.id === fetched.task.id) return pushed;
    return pushed.task.createdAt > fetched.task.createdAt ? pushed : fetched;
  });

  constructor(client: Client, modelId: () => string) {
    this.query = new QueryState(client, TrainingRun, () => ({ modelId: modelId() }));
    this.pushes = new SubscriptionState(
      client,
      TrainingProgress,
      () => ({ modelId: modelId() }),
      () => (this.receivedAt = Date.now()),
    );
  }
}
