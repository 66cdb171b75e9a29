import { graphql } from '../gql';

export const Users = graphql(`
  query Users($first: Int!, $offset: Int!) {
    users(first: $first, offset: $offset) {
      totalCount
      hasNextPage
      items {
        ...UserFields
      }
    }
  }
`);

export const SetUserRole = graphql(`
  mutation SetUserRole($userId: ID!, $role: Role!) {
    setUserRole(userId: $userId, role: $role) {
      ...UserFields
    }
  }
`);

export const RunnerTokens = graphql(`
  query RunnerTokens {
    runnerTokens {
      ...TokenFields
    }
  }
`);

export const CreateRunnerToken = graphql(`
  mutation CreateRunnerToken($name: String!) {
    createRunnerToken(name: $name) {
      secret
      token {
        ...TokenFields
      }
    }
  }
`);

export const RevokeRunnerToken = graphql(`
  mutation RevokeRunnerToken($id: ID!) {
    revokeRunnerToken(id: $id) {
      ...TokenFields
    }
  }
`);
