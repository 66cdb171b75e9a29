/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Users($first: Int!, $offset: Int!) {\n    users(first: $first, offset: $offset) {\n      totalCount\n      hasNextPage\n      items {\n        ...UserFields\n      }\n    }\n  }\n": typeof types.UsersDocument,
    "\n  mutation SetUserRole($userId: ID!, $role: Role!) {\n    setUserRole(userId: $userId, role: $role) {\n      ...UserFields\n    }\n  }\n": typeof types.SetUserRoleDocument,
    "\n  query RunnerTokens {\n    runnerTokens {\n      ...TokenFields\n    }\n  }\n": typeof types.RunnerTokensDocument,
    "\n  mutation CreateRunnerToken($name: String!) {\n    createRunnerToken(name: $name) {\n      secret\n      token {\n        ...TokenFields\n      }\n    }\n  }\n": typeof types.CreateRunnerTokenDocument,
    "\n  mutation RevokeRunnerToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      ...TokenFields\n    }\n  }\n": typeof types.RevokeRunnerTokenDocument,
    "\n  mutation SignUp($input: CredentialsInput!) {\n    signUp(input: $input) {\n      token\n      user {\n        ...UserFields\n      }\n    }\n  }\n": typeof types.SignUpDocument,
    "\n  mutation LogIn($input: CredentialsInput!) {\n    logIn(input: $input) {\n      token\n      user {\n        ...UserFields\n      }\n    }\n  }\n": typeof types.LogInDocument,
    "\n  mutation LogOut {\n    logOut\n  }\n": typeof types.LogOutDocument,
    "\n  query Me {\n    me {\n      ...UserFields\n    }\n  }\n": typeof types.MeDocument,
    "\n  fragment UserFields on User {\n    id\n    email\n    role\n    createdAt\n  }\n": typeof types.UserFieldsFragmentDoc,
    "\n  fragment ModelFields on Model {\n    id\n    name\n    status\n    inputWidth\n    inputHeight\n    inputChannels\n    expandable\n    targetAccuracy\n    underTarget\n    trainedAt\n    createdAt\n    updatedAt\n  }\n": typeof types.ModelFieldsFragmentDoc,
    "\n  query Models($first: Int!, $offset: Int!) {\n    models(first: $first, offset: $offset) {\n      totalCount\n      hasNextPage\n      items {\n        ...ModelFields\n      }\n    }\n  }\n": typeof types.ModelsDocument,
    "\n  query Model($id: ID!) {\n    model(id: $id) {\n      ...ModelFields\n    }\n  }\n": typeof types.ModelDocument,
    "\n  mutation CreateModel($input: CreateModelInput!) {\n    createModel(input: $input) {\n      ...ModelFields\n    }\n  }\n": typeof types.CreateModelDocument,
    "\n  mutation UpdateModel($id: ID!, $input: UpdateModelInput!) {\n    updateModel(id: $id, input: $input) {\n      ...ModelFields\n    }\n  }\n": typeof types.UpdateModelDocument,
    "\n  mutation DeleteModel($id: ID!) {\n    deleteModel(id: $id)\n  }\n": typeof types.DeleteModelDocument,
    "\n  subscription ModelUpdated($id: ID!) {\n    modelUpdated(id: $id) {\n      ...ModelFields\n    }\n  }\n": typeof types.ModelUpdatedDocument,
    "\n  fragment TokenFields on ApiToken {\n    id\n    name\n    kind\n    scope\n    prefix\n    createdAt\n    expiresAt\n    lastUsedAt\n    revokedAt\n  }\n": typeof types.TokenFieldsFragmentDoc,
    "\n  query ApiTokens {\n    apiTokens {\n      ...TokenFields\n    }\n  }\n": typeof types.ApiTokensDocument,
    "\n  mutation CreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      secret\n      token {\n        ...TokenFields\n      }\n    }\n  }\n": typeof types.CreateApiTokenDocument,
    "\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      ...TokenFields\n    }\n  }\n": typeof types.RevokeApiTokenDocument,
};
const documents: Documents = {
    "\n  query Users($first: Int!, $offset: Int!) {\n    users(first: $first, offset: $offset) {\n      totalCount\n      hasNextPage\n      items {\n        ...UserFields\n      }\n    }\n  }\n": types.UsersDocument,
    "\n  mutation SetUserRole($userId: ID!, $role: Role!) {\n    setUserRole(userId: $userId, role: $role) {\n      ...UserFields\n    }\n  }\n": types.SetUserRoleDocument,
    "\n  query RunnerTokens {\n    runnerTokens {\n      ...TokenFields\n    }\n  }\n": types.RunnerTokensDocument,
    "\n  mutation CreateRunnerToken($name: String!) {\n    createRunnerToken(name: $name) {\n      secret\n      token {\n        ...TokenFields\n      }\n    }\n  }\n": types.CreateRunnerTokenDocument,
    "\n  mutation RevokeRunnerToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      ...TokenFields\n    }\n  }\n": types.RevokeRunnerTokenDocument,
    "\n  mutation SignUp($input: CredentialsInput!) {\n    signUp(input: $input) {\n      token\n      user {\n        ...UserFields\n      }\n    }\n  }\n": types.SignUpDocument,
    "\n  mutation LogIn($input: CredentialsInput!) {\n    logIn(input: $input) {\n      token\n      user {\n        ...UserFields\n      }\n    }\n  }\n": types.LogInDocument,
    "\n  mutation LogOut {\n    logOut\n  }\n": types.LogOutDocument,
    "\n  query Me {\n    me {\n      ...UserFields\n    }\n  }\n": types.MeDocument,
    "\n  fragment UserFields on User {\n    id\n    email\n    role\n    createdAt\n  }\n": types.UserFieldsFragmentDoc,
    "\n  fragment ModelFields on Model {\n    id\n    name\n    status\n    inputWidth\n    inputHeight\n    inputChannels\n    expandable\n    targetAccuracy\n    underTarget\n    trainedAt\n    createdAt\n    updatedAt\n  }\n": types.ModelFieldsFragmentDoc,
    "\n  query Models($first: Int!, $offset: Int!) {\n    models(first: $first, offset: $offset) {\n      totalCount\n      hasNextPage\n      items {\n        ...ModelFields\n      }\n    }\n  }\n": types.ModelsDocument,
    "\n  query Model($id: ID!) {\n    model(id: $id) {\n      ...ModelFields\n    }\n  }\n": types.ModelDocument,
    "\n  mutation CreateModel($input: CreateModelInput!) {\n    createModel(input: $input) {\n      ...ModelFields\n    }\n  }\n": types.CreateModelDocument,
    "\n  mutation UpdateModel($id: ID!, $input: UpdateModelInput!) {\n    updateModel(id: $id, input: $input) {\n      ...ModelFields\n    }\n  }\n": types.UpdateModelDocument,
    "\n  mutation DeleteModel($id: ID!) {\n    deleteModel(id: $id)\n  }\n": types.DeleteModelDocument,
    "\n  subscription ModelUpdated($id: ID!) {\n    modelUpdated(id: $id) {\n      ...ModelFields\n    }\n  }\n": types.ModelUpdatedDocument,
    "\n  fragment TokenFields on ApiToken {\n    id\n    name\n    kind\n    scope\n    prefix\n    createdAt\n    expiresAt\n    lastUsedAt\n    revokedAt\n  }\n": types.TokenFieldsFragmentDoc,
    "\n  query ApiTokens {\n    apiTokens {\n      ...TokenFields\n    }\n  }\n": types.ApiTokensDocument,
    "\n  mutation CreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      secret\n      token {\n        ...TokenFields\n      }\n    }\n  }\n": types.CreateApiTokenDocument,
    "\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      ...TokenFields\n    }\n  }\n": types.RevokeApiTokenDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Users($first: Int!, $offset: Int!) {\n    users(first: $first, offset: $offset) {\n      totalCount\n      hasNextPage\n      items {\n        ...UserFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query Users($first: Int!, $offset: Int!) {\n    users(first: $first, offset: $offset) {\n      totalCount\n      hasNextPage\n      items {\n        ...UserFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetUserRole($userId: ID!, $role: Role!) {\n    setUserRole(userId: $userId, role: $role) {\n      ...UserFields\n    }\n  }\n"): (typeof documents)["\n  mutation SetUserRole($userId: ID!, $role: Role!) {\n    setUserRole(userId: $userId, role: $role) {\n      ...UserFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RunnerTokens {\n    runnerTokens {\n      ...TokenFields\n    }\n  }\n"): (typeof documents)["\n  query RunnerTokens {\n    runnerTokens {\n      ...TokenFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateRunnerToken($name: String!) {\n    createRunnerToken(name: $name) {\n      secret\n      token {\n        ...TokenFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateRunnerToken($name: String!) {\n    createRunnerToken(name: $name) {\n      secret\n      token {\n        ...TokenFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeRunnerToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      ...TokenFields\n    }\n  }\n"): (typeof documents)["\n  mutation RevokeRunnerToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      ...TokenFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignUp($input: CredentialsInput!) {\n    signUp(input: $input) {\n      token\n      user {\n        ...UserFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SignUp($input: CredentialsInput!) {\n    signUp(input: $input) {\n      token\n      user {\n        ...UserFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LogIn($input: CredentialsInput!) {\n    logIn(input: $input) {\n      token\n      user {\n        ...UserFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation LogIn($input: CredentialsInput!) {\n    logIn(input: $input) {\n      token\n      user {\n        ...UserFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LogOut {\n    logOut\n  }\n"): (typeof documents)["\n  mutation LogOut {\n    logOut\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      ...UserFields\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    me {\n      ...UserFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment UserFields on User {\n    id\n    email\n    role\n    createdAt\n  }\n"): (typeof documents)["\n  fragment UserFields on User {\n    id\n    email\n    role\n    createdAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ModelFields on Model {\n    id\n    name\n    status\n    inputWidth\n    inputHeight\n    inputChannels\n    expandable\n    targetAccuracy\n    underTarget\n    trainedAt\n    createdAt\n    updatedAt\n  }\n"): (typeof documents)["\n  fragment ModelFields on Model {\n    id\n    name\n    status\n    inputWidth\n    inputHeight\n    inputChannels\n    expandable\n    targetAccuracy\n    underTarget\n    trainedAt\n    createdAt\n    updatedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Models($first: Int!, $offset: Int!) {\n    models(first: $first, offset: $offset) {\n      totalCount\n      hasNextPage\n      items {\n        ...ModelFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query Models($first: Int!, $offset: Int!) {\n    models(first: $first, offset: $offset) {\n      totalCount\n      hasNextPage\n      items {\n        ...ModelFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Model($id: ID!) {\n    model(id: $id) {\n      ...ModelFields\n    }\n  }\n"): (typeof documents)["\n  query Model($id: ID!) {\n    model(id: $id) {\n      ...ModelFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateModel($input: CreateModelInput!) {\n    createModel(input: $input) {\n      ...ModelFields\n    }\n  }\n"): (typeof documents)["\n  mutation CreateModel($input: CreateModelInput!) {\n    createModel(input: $input) {\n      ...ModelFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateModel($id: ID!, $input: UpdateModelInput!) {\n    updateModel(id: $id, input: $input) {\n      ...ModelFields\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateModel($id: ID!, $input: UpdateModelInput!) {\n    updateModel(id: $id, input: $input) {\n      ...ModelFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteModel($id: ID!) {\n    deleteModel(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteModel($id: ID!) {\n    deleteModel(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ModelUpdated($id: ID!) {\n    modelUpdated(id: $id) {\n      ...ModelFields\n    }\n  }\n"): (typeof documents)["\n  subscription ModelUpdated($id: ID!) {\n    modelUpdated(id: $id) {\n      ...ModelFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment TokenFields on ApiToken {\n    id\n    name\n    kind\n    scope\n    prefix\n    createdAt\n    expiresAt\n    lastUsedAt\n    revokedAt\n  }\n"): (typeof documents)["\n  fragment TokenFields on ApiToken {\n    id\n    name\n    kind\n    scope\n    prefix\n    createdAt\n    expiresAt\n    lastUsedAt\n    revokedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ApiTokens {\n    apiTokens {\n      ...TokenFields\n    }\n  }\n"): (typeof documents)["\n  query ApiTokens {\n    apiTokens {\n      ...TokenFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      secret\n      token {\n        ...TokenFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      secret\n      token {\n        ...TokenFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      ...TokenFields\n    }\n  }\n"): (typeof documents)["\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      ...TokenFields\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;