import { graphql } from '../gql';

export const TokenFields = graphql(`
  fragment TokenFields on ApiToken {
    id
    name
    kind
    scope
    prefix
    createdAt
    expiresAt
    lastUsedAt
    revokedAt
  }
`);

export const ApiTokens = graphql(`
  query ApiTokens {
    apiTokens {
      ...TokenFields
    }
  }
`);

export const CreateApiToken = graphql(`
  mutation CreateApiToken($input: CreateApiTokenInput!) {
    createApiToken(input: $input) {
      secret
      token {
        ...TokenFields
      }
    }
  }
`);

export const RevokeApiToken = graphql(`
  mutation RevokeApiToken($id: ID!) {
    revokeApiToken(id: $id) {
      ...TokenFields
    }
  }
`);
