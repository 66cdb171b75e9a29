import type { AnyVariables, Client, CombinedError, DocumentInput, OperationContext } from '@urql/svelte';
import { problemOf, type Problem } from './errors';

/**
 * A query whose result follows its variables: it re-runs when they change, when the cache learns of
 * a mutation touching its types, and on refetch(); `variables` returning null means nothing to ask
 * yet. Create it while a component initialises.
 */
export class QueryState<Data, Variables extends AnyVariables> {
  data = $state<Data | undefined>();
  error = $state<CombinedError | undefined>();
  fetching = $state(true);
  problem = $derived(problemOf(this.error));
  #refetches = $state(0);

  constructor(
    client: Client,
    query: DocumentInput<Data, Variables>,
    variables: () => Variables | null,
    context: Partial<OperationContext> = {},
  ) {
    $effect(() => {
      const vars = variables();
      if (vars === null) {
        this.data = undefined;
        this.error = undefined;
        this.fetching = false;
        return;
      }
      const requestPolicy = this.#refetches > 0 ? 'network-only' : context.requestPolicy;
      this.fetching = true;
      const { unsubscribe } = client.query(query, vars, { ...context, requestPolicy }).subscribe((result) => {
        this.data = result.data;
        this.error = result.error;
        this.fetching = false;
      });
      return unsubscribe;
    });
  }

  refetch(): void {
    this.#refetches++;
  }
}

/**
 * The latest event of a subscription, kept open while the component lives and re-opened when its
 * variables change; `variables` returning null closes it (nothing to follow yet). `onData` sees every
 * event, for lists that fold them in (several can arrive between two renders).
 */
export class SubscriptionState<Data, Variables extends AnyVariables> {
  data = $state<Data | undefined>();
  error = $state<CombinedError | undefined>();

  constructor(
    client: Client,
    query: DocumentInput<Data, Variables>,
    variables: () => Variables | null,
    onData?: (data: Data) => void,
  ) {
    $effect(() => {
      const vars = variables();
      if (vars === null) return;
      const { unsubscribe } = client.subscription(query, vars).subscribe((result) => {
        if (result.data) {
          this.data = result.data;
          onData?.(result.data);
        }
        this.error = result.error;
      });
      return unsubscribe;
    });
  }
}

/** A mutation behind a button or form: whether it is running, and what went wrong last time. */
export class MutationState<Data, Variables extends AnyVariables> {
  running = $state(false);
  problem = $state<Problem | null>(null);

  constructor(
    private readonly client: Client,
    private readonly mutation: DocumentInput<Data, Variables>,
    private readonly context: Partial<OperationContext> = {},
  ) {}

  /** The result's data, or null when it failed (then `problem` says why). */
  async run(variables: Variables): Promise<Data | null> {
    this.running = true;
    this.problem = null;
    try {
      const result = await this.client.mutation(this.mutation, variables, this.context).toPromise();
      this.problem = problemOf(result.error);
      return result.error ? null : (result.data ?? null);
    } finally {
      this.running = false;
    }
  }

  reset(): void {
    this.problem = null;
  }
}
