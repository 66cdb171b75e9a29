import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { initBackend } from '../ml/backend';
import type { Assignment } from './protocol';
import { RunnerApi } from './remote-client';
import type { RunnerData } from './data/runner-data';
import { Worker } from './worker/worker';

const REPORT = 'report: { runnerId: $runnerId, taskId: $taskId, attempt: $attempt }';
const VARS = '$runnerId: ID!, $taskId: ID!, $attempt: Int!';

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
  const { registerRunner } = await api.call<{ registerRunner: { id: string } }>(
    'mutation($n: String!, $b: String!, $d: String!) { registerRunner(name: $n, backend: $b, device: $d) { id } }',
    { n: values.name ?? `${hostname()}-${process.pid}`, b: backend.backend, d: backend.device },
  );
  const runnerId = registerRunner.id;
  console.log(`runner ${runnerId} joined ${server} (backend ${backend.backend}, ${backend.device})`);

  let current: Assignment | null = null;
  const report = (a: Assignment) => ({ runnerId, taskId: a.taskId, attempt: a.attempt });
  const data: RunnerData = {
    datasetPack: async (modelId) => new Uint8Array(await api.download(`/runner/datasets/${modelId}`)),
    store: {
      get: (key) => api.download(`/runner/blobs/${key}`, true),
      put: (key, bytes) => api.upload(`/runner/blobs/${key}`, bytes),
    },
  };
  const worker = new Worker(
    {
      progress: async (a, progress) => {
        const res = await api.call<{ reportTaskProgress: boolean }>(
          `mutation(${VARS}, $p: JSON!) { reportTaskProgress(${REPORT}, progress: $p) }`,
          { ...report(a), p: progress },
        );
        if (res.reportTaskProgress) worker.cancel(a.taskId);
      },
      done: async (a, result) => {
        await api.call(`mutation(${VARS}, $r: JSON!) { completeTask(${REPORT}, result: $r) }`, {
          ...report(a),
          r: result,
        });
      },
      failed: async (a, error, permanent) => {
        await api.call(
          `mutation(${VARS}, $e: String!, $p: Boolean!) { failTask(${REPORT}, error: $e, permanent: $p) }`,
          {
            ...report(a),
            e: error,
            p: permanent,
          },
        );
      },
    },
    data,
  );

  let claiming = false;
  const claim = async () => {
    if (claiming || current) return;
    claiming = true;
    try {
      const { claimTask } = await api.call<{ claimTask: Assignment | null }>(
        'mutation($r: ID!) { claimTask(runnerId: $r) { taskId attempt type payload } }',
        { r: runnerId },
      );
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
      const { runnerHeartbeat } = await api.call<{ runnerHeartbeat: string[] }>(
        'mutation($r: ID!, $t: ID, $a: Int) { runnerHeartbeat(runnerId: $r, taskId: $t, attempt: $a) }',
        { r: runnerId, t: current?.taskId ?? null, a: current?.attempt ?? null },
      );
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
