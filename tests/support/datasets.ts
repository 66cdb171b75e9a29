import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { createImportHandler } from '../../server/datasets/import.handler';
import { createLogger } from '../../server/logging/logger';
import { isTask, Task, TaskType } from '../../server/tasks/task.entity';
import type { TaskContext } from '../../server/tasks/task-types';
import { gqlUpload, type GraphQLResponse } from './graphql';
import type { TestServer } from './server';

export const IMPORT_DATASET = `mutation($modelId: ID!, $file: Upload!) {
  importDataset(modelId: $modelId, file: $file) { id type status modelId }
}`;

export function uploadDataset(
  srv: TestServer,
  token: string,
  modelId: string,
  data: Buffer,
  filename = 'data.zip',
): Promise<GraphQLResponse<{ importDataset: { id: string; type: string; status: string; modelId: string } }>> {
  return gqlUpload(srv.graphqlUrl, IMPORT_DATASET, { modelId, file: null }, { file: { data, filename } }, token);
}

/** A PNG whose pixels (and so checksum) differ for every `n`. */
export function distinctPng(n: number, width = 12, height = 10): Promise<Buffer> {
  const colour = { r: n % 251, g: Math.floor(n / 251) % 251, b: (n * 37) % 256 };
  return sharp({ create: { width, height, channels: 3, background: colour } })
    .png()
    .toBuffer();
}

export interface HandlerRun {
  task: Task;
  result: Record<string, any>;
  progress: Record<string, unknown>[];
  uploadPath: string;
}

/** Handler tests enqueue under a node no orchestrator serves, so only the test runs the task. */
export const HANDLER_TEST_NODE = 'handler-test-node';

/**
 * Queues a real IMPORT_DATASET task (TaskQueue.enqueue) for a file placed in the server's upload
 * folder, then runs the real handler on it with a real TaskContext: an AbortController, a progress
 * function that records its calls, and a logger.
 */
export async function enqueueImport(
  srv: TestServer,
  model: { id: string; ownerId: string },
  data: Buffer,
  kind: 'zip' | 'manifest' = 'zip',
  filename = `data.${kind}`,
): Promise<{ task: Task; uploadPath: string }> {
  const dir = join(srv.config.dataDir, 'uploads');
  mkdirSync(dir, { recursive: true });
  const uploadPath = join(dir, `${randomUUID()}.${kind === 'zip' ? 'zip' : 'csv'}`);
  writeFileSync(uploadPath, data);
  const task = await srv.percept.services.tasks.queue.enqueue({
    type: TaskType.IMPORT_DATASET,
    payload: { modelId: model.id, uploadPath, nodeId: HANDLER_TEST_NODE, filename, kind },
    ownerId: model.ownerId,
    modelId: model.id,
  });
  return { task, uploadPath };
}

export async function runHandler(
  srv: TestServer,
  task: Task,
  opts: { signal?: AbortSignal; concurrency?: number } = {},
): Promise<HandlerRun> {
  const handler = createImportHandler({
    db: srv.percept.db,
    blobs: srv.percept.blobs,
    limits: srv.config.limits,
    concurrency: opts.concurrency,
  });
  const row = await srv.percept.db.getRepository(Task).findOneByOrFail({ id: task.id });
  assert.ok(isTask(row, TaskType.IMPORT_DATASET));
  const progress: Record<string, unknown>[] = [];
  const ctx: TaskContext<TaskType.IMPORT_DATASET> = {
    task: row,
    payload: row.payload,
    signal: opts.signal ?? new AbortController().signal,
    progress: async (p) => void progress.push(p),
    log: createLogger('silent'),
  };
  const result = await handler.run(ctx);
  return { task: row, result, progress, uploadPath: ctx.payload.uploadPath };
}

/** What the orchestrator records on success; handler tests stand in for it to query the report. */
export async function recordSuccess(srv: TestServer, taskId: string, result: Record<string, unknown>): Promise<void> {
  await srv.percept.db.query(`UPDATE tasks SET status = 'SUCCEEDED', result = $2, "finishedAt" = now() WHERE id = $1`, [
    taskId,
    result,
  ]);
}
