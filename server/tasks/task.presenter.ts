/*
 * What clients see of a task's payload and result. The row keeps what handlers need — where an
 * upload waits on a server's disk (`uploadPath`), which node holds it (`nodeId`), where blobs live
 * (`artifactKey`, `baseKey`, `headKey`, `featuresKey`, `fromKey`, …) — and none of that is the
 * client's business: a storage key is an internal address, a path tells how the server is laid out.
 */

const INTERNAL = new Set(['uploadPath', 'nodeId']);
const isInternal = (key: string) => INTERNAL.has(key) || key.endsWith('Key');

/** A JSON value without internal fields, at any depth. */
export function withoutInternals(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutInternals);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!isInternal(k)) out[k] = withoutInternals(v);
  return out;
}

export function publicPayload(task: { payload: unknown }): Record<string, unknown> {
  return withoutInternals(task.payload) as Record<string, unknown>;
}

export function publicResult(task: { result: unknown }): Record<string, unknown> | null {
  return task.result == null ? null : (withoutInternals(task.result) as Record<string, unknown>);
}
