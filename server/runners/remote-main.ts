import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { initBackend } from '../ml/backend';
import { runnerTaskPath, type Assignment } from './protocol';
import { RunnerApi } from './remote-client';
import {
  CLAIM_TASK,
  COMPLETE_TASK,
  FAIL_TASK,
  REGISTER_RUNNER,
  REPORT_TASK_PROGRESS,
  RUNNER_HEARTBEAT,
} from './remote-operations';
import type { RunnerData } from './data/runner-data';
import { Worker } from './worker/worker';

/**
 * `npm run runner -- --server URL --token TOKEN [--name NAME]`: a runner on another machine. It
 * registers, heartbeats, claims work when woken (or every few seconds), and runs it with the same
 * worker program as local runners; only the transport differs.
 */
export async function runRemoteRunner(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      server: { type: 'string' },
      token: { type: 'string' },
      name: { type: 'string' },
      'heartbeat-ms': { type: 'string' },
    },
  });
  const server = (values.server ?? process.env.PERCEPT_SERVER)?.replace(/\/+$/, '');
  const token = values.token ?? process.env.PERCEPT_RUNNER_TOKEN;
  if (!server || !token) throw new Error('usage: npm run runner -- --server http://host:4000 --token pcr_…');
  const heartbeatMs = Number(values['heartbeat-ms'] ?? 5000);
  const api = new RunnerApi(server, token);
  const backend = await initBackend();
  const { registerRunner } = await api.call(REGISTER_RUNNER, {
    name: values.name ?? `${hostname()}-${process.pid}`,
    backend: backend.backend,
    device: backend.device,
  });
  const runnerId = registerRunner.id;
  console.log(`runner ${runnerId} joined ${server} (backend ${backend.backend}, ${backend.device})`);

  let current: Assignment | null = null;
  const report = (a: Assignment) => ({ runnerId, taskId: a.taskId, attempt: a.attempt });
  // The server serves only the data of the attempt this runner holds, named in every path.
  const held = () => {
    if (!current) throw new Error('no task in hand');
    return runnerTaskPath(current.taskId, current.attempt);
  };
  const data: RunnerData = {
    // The snapshot is the held task's: the server takes it from there, not from the runner.
    datasetIndex: async (modelId) => new Uint8Array(await api.download(`${held()}/datasets/${modelId}`)),
    loosePixels: async (modelId, ids) =>
      new Uint8Array(await api.download(`${held()}/datasets/${modelId}/loose?ids=${ids.join(',')}`)),
    store: {
      get: (key) => api.download(`${held()}/blobs/${key}`, true),
      put: (key, bytes) => api.upload(`${held()}/blobs/${key}`, bytes),
    },
  };
  const worker = new Worker(
    {
      progress: async (a, progress) => {
        const res = await api.call(REPORT_TASK_PROGRESS, { report: report(a), progress });
        if (res.reportTaskProgress) worker.cancel(a.taskId);
      },
      done: async (a, result) => {
        await api.call(COMPLETE_TASK, { report: report(a), result });
      },
      failed: async (a, error, permanent) => {
        await api.call(FAIL_TASK, { report: report(a), error, permanent });
      },
    },
    data,
  );

  let claiming = false;
  const claim = async () => {
    if (claiming || current) return;
    claiming = true;
    try {
      const { claimTask } = await api.call(CLAIM_TASK, { runnerId });
      if (!claimTask) return;
      current = claimTask;
      void worker
        .run(claimTask)
        .catch((e: unknown) => console.error('could not report on a task:', e))
        .finally(() => {
          current = null;
          void claim();
        });
    } catch (e) {
      console.error('claim failed:', (e as Error).message);
    } finally {
      claiming = false;
    }
  };

  const beat = async () => {
    try {
      const { runnerHeartbeat } = await api.call(RUNNER_HEARTBEAT, {
        runnerId,
        taskId: current?.taskId ?? null,
        attempt: current?.attempt ?? null,
      });
      for (const id of runnerHeartbeat) worker.cancel(id);
    } catch (e) {
      console.error('heartbeat failed:', (e as Error).message);
    }
    // Claims here too: a wake-up can be missed while the WebSocket reconnects.
    void claim();
  };
  api.onWakeup(() => void claim());
  setInterval(() => void beat(), heartbeatMs);
  await beat();
}
