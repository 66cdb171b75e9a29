import type { Client } from '@urql/svelte';
import type { TaskFieldsFragment, TaskUpdatedSubscription, TaskUpdatedSubscriptionVariables } from './gql/graphql';
import { TaskUpdated } from './graphql/tasks';
import { SubscriptionState } from './operations.svelte';
import { isActive } from './task-progress';

/**
 * One task followed live: `start` names it (a mutation's answer, or the latest task of a query) and
 * `taskUpdated` pushes each change of its status and progress. The newer of the two is shown.
 */
export class LiveTask {
  readonly task: TaskFieldsFragment | null = $derived.by(() => {
    const known = this.start();
    const pushed = this.updates.data?.taskUpdated;
    if (!known) return null;
    return pushed?.id === known.id && pushed.updatedAt >= known.updatedAt ? pushed : known;
  });

  readonly active = $derived(this.task !== null && isActive(this.task.status));

  private readonly updates: SubscriptionState<TaskUpdatedSubscription, TaskUpdatedSubscriptionVariables>;

  constructor(
    client: Client,
    private readonly start: () => TaskFieldsFragment | null,
  ) {
    // A task that has ended changes no more: nothing to follow.
    this.updates = new SubscriptionState(client, TaskUpdated, () => {
      const t = start();
      return t && isActive(t.status) ? { id: t.id } : null;
    });
  }
}
