import type { CodegenConfig } from '@graphql-codegen/cli';

// Operations live once in client/src/lib/graphql; the UI sends them and its API panels print them.
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['client/src/lib/graphql/*.ts'],
  ignoreNoDocuments: false,
  generates: {
    'client/src/lib/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        skipTypename: false,
        scalars: { DateTimeISO: 'string', Upload: 'File' },
      },
    },
  },
};

export default config;
