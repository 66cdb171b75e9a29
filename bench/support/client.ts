import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { gql, gqlUpload } from '../../tests/support/graphql';

export const log = (line: string) => process.stderr.write(line + '\n');

/** What a user does through the public API: sign up, create a model, upload data, train. */
export class BenchUser {
  private constructor(
    readonly graphqlUrl: string,
    readonly token: string,
  ) {}

  static async signUp(graphqlUrl: string): Promise<BenchUser> {
    const res = await gql(
      graphqlUrl,
      'mutation { signUp(input: { email: "bench@example.com", password: "bench password" }) { token } }',
    );
    if (!res.data) throw new Error(JSON.stringify(res.errors));
    return new BenchUser(graphqlUrl, res.data.signUp.token);
  }

  async call<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await gql(this.graphqlUrl, query, variables, this.token);
    if (!res.data || res.errors?.length) throw new Error(JSON.stringify(res.errors));
    return res.data as T;
  }

  async createModel(name: string, sample: Buffer, filename = 'sample.png', type = 'image/png'): Promise<string> {
    const res = await gqlUpload(
      this.graphqlUrl,
      'mutation($input: CreateModelInput!) { createModel(input: $input) { id } }',
      { input: { name, sampleImage: null } },
      { 'input.sampleImage': { data: sample, filename, type } },
      this.token,
    );
    if (!res.data) throw new Error(JSON.stringify(res.errors));
    return res.data.createModel.id;
  }

  async importZip(modelId: string, zip: Buffer): Promise<{ result: Record<string, unknown> }> {
    const res = await gqlUpload(
      this.graphqlUrl,
      'mutation($m: ID!, $f: Upload!) { importDataset(modelId: $m, file: $f) { id } }',
      { m: modelId, f: null },
      { f: { data: zip, filename: 'data.zip', type: 'application/zip' } },
      this.token,
    );
    if (!res.data) throw new Error(JSON.stringify(res.errors));
    return this.waitForTask(res.data.importDataset.id);
  }

  /** classifyBatch with the zip as a multipart upload, waited for through the subscription. */
  async classifyBatch(modelId: string, zip: Buffer, topK = 1): Promise<{ result: Record<string, unknown> }> {
    const res = await gqlUpload(
      this.graphqlUrl,
      'mutation($m: ID!, $a: Upload!, $k: Int!) { classifyBatch(modelId: $m, archive: $a, topK: $k) { id } }',
      { m: modelId, a: null, k: topK },
      { a: { data: zip, filename: 'batch.zip', type: 'application/zip' } },
      this.token,
    );
    if (!res.data) throw new Error(JSON.stringify(res.errors));
    return this.waitForTask(res.data.classifyBatch.id);
  }

  /** Waits through the taskUpdated subscription (no polling), resolving with the finished task. */
  waitForTask(id: string, onUpdate?: (task: { status: string; progress: any }) => void): Promise<any> {
    const client = createClient({
      url: this.graphqlUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${this.token}` },
    });
    return new Promise((resolve, reject) => {
      client.subscribe(
        {
          query:
            'subscription($id: ID!) { taskUpdated(id: $id) { id status progress result error startedAt finishedAt } }',
          variables: { id },
        },
        {
          next: (v) => {
            const t = (v.data as { taskUpdated: any }).taskUpdated;
            onUpdate?.(t);
            if (t.status === 'SUCCEEDED') resolve(t);
            else if (t.status === 'FAILED' || t.status === 'CANCELLED')
              reject(new Error(`task ${id} ${t.status}: ${t.error}`));
            else return;
            void client.dispose();
          },
          error: reject,
          complete: () => {},
        },
      );
    });
  }
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
