import type { TaskFieldsFragment, TaskStatus, TaskType } from './gql/graphql';

export interface TaskFilter {
  status: TaskStatus | null;
  type: TaskType | null;
  modelId: string | null;
  ownerId: string | null;
}

/** One page of the `tasks` query, newest first, and whether it is the first or the last page. */
export interface TaskPageWindow {
  items: TaskFieldsFragment[];
  firstPage: boolean;
  lastPage: boolean;
}

export interface MergedTasks {
  rows: TaskFieldsFragment[];
  /** Tasks the page did not have that now belong on it (new ones, mostly). */
  added: number;
  /** Tasks that may belong on the page, but whose owner a Task does not say: ask the server. */
  unsure: string[];
}

const time = (iso: string) => Date.parse(iso);
// The server's order: newest first, ties by id.
const newestFirst = (a: TaskFieldsFragment, b: TaskFieldsFragment) =>
  time(b.createdAt) - time(a.createdAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Folds `tasksChanged` events into a page of tasks: a row the page shows takes its latest state in
 * place; a task it lacks joins it when it passes the filter and falls within the page's span of
 * creation times (new tasks land on top of the first page).
 */
export function mergeTasks(
  page: TaskPageWindow,
  events: Iterable<TaskFieldsFragment>,
  filter: TaskFilter,
  limit: number,
): MergedTasks {
  const rows = new Map(page.items.map((t) => [t.id, t]));
  const newest = page.items[0];
  const oldest = page.items.at(-1);
  const inSpan = (t: TaskFieldsFragment) =>
    (page.firstPage || (newest !== undefined && newestFirst(t, newest) >= 0)) &&
    (page.lastPage || (oldest !== undefined && newestFirst(t, oldest) <= 0));
  let added = 0;
  const unsure: string[] = [];
  for (const event of events) {
    const shown = rows.get(event.id);
    if (shown) {
      if (time(event.updatedAt) >= time(shown.updatedAt)) rows.set(event.id, event);
      continue;
    }
    if (!passes(event, filter) || !inSpan(event)) continue;
    if (filter.ownerId) {
      unsure.push(event.id);
      continue;
    }
    rows.set(event.id, event);
    added++;
  }
  const sorted = [...rows.values()].sort(newestFirst);
  return { rows: sorted.slice(0, Math.max(limit, page.items.length)), added, unsure };
}

function passes(task: TaskFieldsFragment, filter: TaskFilter): boolean {
  return (
    (!filter.status || task.status === filter.status) &&
    (!filter.type || task.type === filter.type) &&
    (!filter.modelId || task.modelId === filter.modelId)
  );
}
