import type { Client } from '@urql/svelte';
import type {
  ImportDatasetMutation,
  ImportDatasetMutationVariables,
  ImportReportQuery,
  ImportReportQueryVariables,
  TaskFieldsFragment,
} from './gql/graphql';
import { ImportDataset, ImportReport } from './graphql/datasets';
import { Tasks } from './graphql/tasks';
import { LiveTask } from './live-task.svelte';
import { MutationState, QueryState } from './operations.svelte';

/**
 * A model's data import: uploading a zip or manifest, the import task live, and its report once it
 * succeeds. Without an upload on this page it follows the model's latest import, so progress and
 * the last report survive a reload or a change of tab.
 */
export class DatasetImport {
  readonly upload: MutationState<ImportDatasetMutation, ImportDatasetMutationVariables>;
  readonly live: LiveTask;
  readonly report: QueryState<ImportReportQuery, ImportReportQueryVariables>;
  readonly task = $derived.by(() => this.live.task);

  #started = $state<TaskFieldsFragment | null>(null);

  constructor(
    client: Client,
    private readonly modelId: () => string,
  ) {
    this.upload = new MutationState(client, ImportDataset);
    const latest = new QueryState(
      client,
      Tasks,
      () => ({ first: 1, offset: 0, modelId: modelId(), type: 'IMPORT_DATASET' as const }),
      { requestPolicy: 'network-only' },
    );
    this.live = new LiveTask(client, () => this.#started ?? latest.data?.tasks.items[0] ?? null);
    this.report = new QueryState(client, ImportReport, () =>
      this.task?.status === 'SUCCEEDED' ? { taskId: this.task.id } : null,
    );
  }

  /** Uploads the file and follows its import; false when the server refused it (see `upload.problem`). */
  async start(file: File): Promise<boolean> {
    const data = await this.upload.run({ modelId: this.modelId(), file });
    if (data) this.#started = data.importDataset;
    return data !== null;
  }
}
