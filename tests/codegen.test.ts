import assert from 'node:assert/strict';
import { generate } from '@graphql-codegen/cli';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import config from '../codegen';

const ROOT = join(__dirname, '..', '..');

for (const [target, output] of Object.entries(config.generates)) {
  test(`the generated types in ${target} are in step with schema.graphql (run \`npm run codegen\` after changing the API)`, async () => {
    const documents = (output as { documents: string[] }).documents.map((d) => join(ROOT, d));
    const files = await generate(
      {
        ...config,
        cwd: ROOT,
        schema: join(ROOT, 'schema.graphql'),
        generates: { [join(ROOT, target)]: { ...output, documents } },
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
}
