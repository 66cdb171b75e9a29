import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { authChecker } from '../auth/access';
import { AuthResolver } from './resolvers/auth.resolver';
import { ClassifyResolver } from './resolvers/classify.resolver';
import { DatasetResolver } from './resolvers/dataset.resolver';
import { ExpansionResolver } from './resolvers/expansion.resolver';
import { ExportResolver } from './resolvers/export.resolver';
import { TrainingResolver } from './resolvers/training.resolver';
import { ModelResolver } from './resolvers/model.resolver';
import { RunnerResolver } from './resolvers/runner.resolver';
import { TaskResolver } from './resolvers/task.resolver';
import { LimitsResolver } from './resolvers/limits.resolver';
import { ThresholdsResolver } from './resolvers/thresholds.resolver';
import { ReviewResolver } from './resolvers/review.resolver';
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
  ThresholdsResolver,
  ReviewResolver,
  ExportResolver,
] as const;

export function buildPerceptSchema(pubsub: PerceptPubSub = createPerceptPubSub()): Promise<GraphQLSchema> {
  return buildSchema({ resolvers, authChecker, pubSub: pubsub, validate: false, authMode: 'error' });
}

/** The text committed as `schema.graphql`; sorted, so it changes only when the API does. */
export async function schemaText(): Promise<string> {
  return printSchema(lexicographicSortSchema(await buildPerceptSchema())) + '\n';
}
