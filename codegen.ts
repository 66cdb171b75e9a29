import type { CodegenConfig } from '@graphql-codegen/cli';

// Operations live once in client/src/lib/graphql (the UI sends them and its API panels print them)
// and in server/runners/remote-operations.ts (what a remote runner sends).
const config: CodegenConfig = {
  schema: 'schema.graphql',
  ignoreNoDocuments: false,
  generates: {
    'client/src/lib/gql/': {
      documents: ['client/src/lib/graphql/*.ts'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        skipTypename: false,
        scalars: { DateTimeISO: 'string', Upload: 'File' },
      },
    },
    'server/runners/gql/': {
      documents: ['server/runners/remote-operations.ts'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        skipTypename: true,
        // A runner is handed payloads and sends results and progress as the task contract types them.
        enumValues: { TaskType: '../../tasks/task-type#TaskType' },
        scalars: {
          DateTimeISO: 'string',
          Upload: 'never',
          JSON: { input: 'object', output: '../../tasks/task-contract#AnyTaskPayload' },
        },
      },
    },
  },
};

export default config;
