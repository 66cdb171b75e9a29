import assert from 'node:assert/strict';
import { generate } from '@graphql-codegen/cli';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import config from '../codegen';

const ROOT = join(__dirname, '..', '..');

test('the generated client types are in step with schema.graphql (run `npm run codegen` after changing the API)', async () => {
  const [target, output] = Object.entries(config.generates)[0]!;
  const files = await generate(
    {
      ...config,
      cwd: ROOT,
      schema: join(ROOT, 'schema.graphql'),
      documents: join(ROOT, 'client/src/lib/graphql/*.ts'),
      generates: { [join(ROOT, target)]: output },
    },
    false,
  );
  const committedDir = join(ROOT, target);
  const committed = readdirSync(committedDir).sort();
  assert.deepEqual(files.map((f: { filename: string }) => f.filename.split('/').at(-1)).sort(), committed);
  for (const f of files) {
    assert.equal(
      readFileSync(join(committedDir, f.filename.split('/').at(-1)!), 'utf8'),
      f.content,
      `${f.filename} differs`,
    );
  }
});
