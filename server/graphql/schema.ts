import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { authChecker } from '../auth/access';
import { AuthResolver } from '../auth/auth.resolver';
import { ModelResolver } from '../models/model.resolver';
import { createPerceptPubSub, type PerceptPubSub } from './pubsub';

export const resolvers = [AuthResolver, ModelResolver] as const;

export function buildPerceptSchema(pubsub: PerceptPubSub = createPerceptPubSub()): Promise<GraphQLSchema> {
  return buildSchema({ resolvers, authChecker, pubSub: pubsub, validate: false, authMode: 'error' });
}

/** The text committed as `schema.graphql`; sorted, so it changes only when the API does. */
export async function schemaText(): Promise<string> {
  return printSchema(lexicographicSortSchema(await buildPerceptSchema())) + '\n';
}
