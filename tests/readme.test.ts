import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { png } from './support/fixtures';
import { startTestServer, type TestServer } from './support/server';

let srv: TestServer;
before(async () => (srv = await startTestServer()));
after(() => srv.stop());

test("the README's curl quickstart works as printed", async () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const block = /<!-- quickstart[^>]*-->\s*```sh\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, 'README has the quickstart block');
  const dir = mkdtempSync(join(tmpdir(), 'percept-readme-'));
  writeFileSync(join(dir, 'sample.png'), await png(48, 32, 1));
  const script = block.replaceAll('http://localhost:4000', srv.url);
  const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], { cwd: dir });
  const created = JSON.parse(stdout) as { data: { createModel: Record<string, unknown> } };
  assert.deepEqual(
    { ...created.data.createModel, id: 'x' },
    { id: 'x', inputWidth: 48, inputHeight: 32, inputChannels: 1 },
  );
});
