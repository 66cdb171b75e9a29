import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { authChecker } from '../auth/access';
import { AuthResolver } from '../auth/auth.resolver';
import { ClassifyResolver } from '../classification/classify.resolver';
import { DatasetResolver } from '../datasets/dataset.resolver';
import { ExpansionResolver } from '../training/expansion.resolver';
import { TrainingResolver } from '../training/training.resolver';
import { ModelResolver } from '../models/model.resolver';
import { RunnerResolver } from '../runners/runner.resolver';
import { TaskResolver } from '../tasks/task.resolver';
import { LimitsResolver } from './limits.resolver';
import { createPerceptPubSub, type PerceptPubSub } from '../events/pubsub';

export const resolvers = [
  LimitsResolver,
  AuthResolver,
  ModelResolver,
  TaskResolver,
  RunnerResolver,
  DatasetResolver,
  TrainingResolver,
  ExpansionResolver,
  ClassifyResolver,
] as const;

export function buildPerceptSchema(pubsub: PerceptPubSub = createPerceptPubSub()): Promise<GraphQLSchema> {
  return buildSchema({ resolvers, authChecker, pubSub: pubsub, validate: false, authMode: 'error' });
}

/** The text committed as `schema.graphql`; sorted, so it changes only when the API does. */
export async function schemaText(): Promise<string> {
  return printSchema(lexicographicSortSchema(await buildPerceptSchema())) + '\n';
}
