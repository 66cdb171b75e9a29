// `npm run schema`: writes schema.graphql from the resolver classes.
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { schemaText } from './schema';

void schemaText().then((text) => {
  const path = join(__dirname, '..', '..', '..', 'schema.graphql');
  writeFileSync(path, text);
  console.log(`wrote ${path}`);
});
