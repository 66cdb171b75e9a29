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
    "\n  mutation RevokeRunnerToken($id: ID!) {\n    revokeRunnerToken(id: $id) {\n      ...TokenFields\n    }\n  }\n": typeof types.RevokeRunnerTokenDocument,
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
    "\n  fragment RunnerFields on Runner {\n    id\n    name\n    kind\n    status\n    disabled\n    backend\n    device\n    currentTaskId\n    lastHeartbeatAt\n    createdAt\n  }\n": typeof types.RunnerFieldsFragmentDoc,
    "\n  query Runners {\n    runners {\n      ...RunnerFields\n    }\n  }\n": typeof types.RunnersDocument,
    "\n  subscription RunnerChanged {\n    runnerChanged {\n      ...RunnerFields\n    }\n  }\n": typeof types.RunnerChangedDocument,
    "\n  mutation SetRunnerDisabled($id: ID!, $disabled: Boolean!) {\n    setRunnerDisabled(id: $id, disabled: $disabled) {\n      ...RunnerFields\n    }\n  }\n": typeof types.SetRunnerDisabledDocument,
    "\n  mutation RestartRunner($id: ID!) {\n    restartRunner(id: $id) {\n      ...RunnerFields\n    }\n  }\n": typeof types.RestartRunnerDocument,
    "\n  fragment TaskFields on Task {\n    id\n    type\n    status\n    priority\n    attempts\n    maxAttempts\n    cancelRequested\n    modelId\n    runnerId\n    progress\n    error\n    createdAt\n    startedAt\n    finishedAt\n    updatedAt\n  }\n": typeof types.TaskFieldsFragmentDoc,
    "\n  query Tasks($first: Int!, $offset: Int!, $status: TaskStatus, $type: TaskType, $modelId: ID, $ownerId: ID) {\n    tasks(first: $first, offset: $offset, status: $status, type: $type, modelId: $modelId, ownerId: $ownerId) {\n      totalCount\n      hasNextPage\n      items {\n        ...TaskFields\n      }\n    }\n  }\n": typeof types.TasksDocument,
    "\n  query TaskFilterChoices {\n    models(all: true, first: 100) {\n      items {\n        id\n        name\n      }\n    }\n    users(first: 100) {\n      items {\n        id\n        email\n      }\n    }\n  }\n": typeof types.TaskFilterChoicesDocument,
    "\n  subscription TasksChanged {\n    tasksChanged {\n      ...TaskFields\n    }\n  }\n": typeof types.TasksChangedDocument,
    "\n  mutation UpdateTask($id: ID!, $input: UpdateTaskInput!) {\n    updateTask(id: $id, input: $input) {\n      ...TaskFields\n    }\n  }\n": typeof types.UpdateTaskDocument,
    "\n  mutation CancelTask($id: ID!) {\n    cancelTask(id: $id) {\n      ...TaskFields\n    }\n  }\n": typeof types.CancelTaskDocument,
    "\n  mutation CreateDiagnosticTask($sleepMs: Int!, $fail: String) {\n    createDiagnosticTask(sleepMs: $sleepMs, fail: $fail) {\n      ...TaskFields\n    }\n  }\n": typeof types.CreateDiagnosticTaskDocument,
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
    "\n  mutation RevokeRunnerToken($id: ID!) {\n    revokeRunnerToken(id: $id) {\n      ...TokenFields\n    }\n  }\n": types.RevokeRunnerTokenDocument,
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
    "\n  fragment RunnerFields on Runner {\n    id\n    name\n    kind\n    status\n    disabled\n    backend\n    device\n    currentTaskId\n    lastHeartbeatAt\n    createdAt\n  }\n": types.RunnerFieldsFragmentDoc,
    "\n  query Runners {\n    runners {\n      ...RunnerFields\n    }\n  }\n": types.RunnersDocument,
    "\n  subscription RunnerChanged {\n    runnerChanged {\n      ...RunnerFields\n    }\n  }\n": types.RunnerChangedDocument,
    "\n  mutation SetRunnerDisabled($id: ID!, $disabled: Boolean!) {\n    setRunnerDisabled(id: $id, disabled: $disabled) {\n      ...RunnerFields\n    }\n  }\n": types.SetRunnerDisabledDocument,
    "\n  mutation RestartRunner($id: ID!) {\n    restartRunner(id: $id) {\n      ...RunnerFields\n    }\n  }\n": types.RestartRunnerDocument,
    "\n  fragment TaskFields on Task {\n    id\n    type\n    status\n    priority\n    attempts\n    maxAttempts\n    cancelRequested\n    modelId\n    runnerId\n    progress\n    error\n    createdAt\n    startedAt\n    finishedAt\n    updatedAt\n  }\n": types.TaskFieldsFragmentDoc,
    "\n  query Tasks($first: Int!, $offset: Int!, $status: TaskStatus, $type: TaskType, $modelId: ID, $ownerId: ID) {\n    tasks(first: $first, offset: $offset, status: $status, type: $type, modelId: $modelId, ownerId: $ownerId) {\n      totalCount\n      hasNextPage\n      items {\n        ...TaskFields\n      }\n    }\n  }\n": types.TasksDocument,
    "\n  query TaskFilterChoices {\n    models(all: true, first: 100) {\n      items {\n        id\n        name\n      }\n    }\n    users(first: 100) {\n      items {\n        id\n        email\n      }\n    }\n  }\n": types.TaskFilterChoicesDocument,
    "\n  subscription TasksChanged {\n    tasksChanged {\n      ...TaskFields\n    }\n  }\n": types.TasksChangedDocument,
    "\n  mutation UpdateTask($id: ID!, $input: UpdateTaskInput!) {\n    updateTask(id: $id, input: $input) {\n      ...TaskFields\n    }\n  }\n": types.UpdateTaskDocument,
    "\n  mutation CancelTask($id: ID!) {\n    cancelTask(id: $id) {\n      ...TaskFields\n    }\n  }\n": types.CancelTaskDocument,
    "\n  mutation CreateDiagnosticTask($sleepMs: Int!, $fail: String) {\n    createDiagnosticTask(sleepMs: $sleepMs, fail: $fail) {\n      ...TaskFields\n    }\n  }\n": types.CreateDiagnosticTaskDocument,
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
export function graphql(source: "\n  mutation RevokeRunnerToken($id: ID!) {\n    revokeRunnerToken(id: $id) {\n      ...TokenFields\n    }\n  }\n"): (typeof documents)["\n  mutation RevokeRunnerToken($id: ID!) {\n    revokeRunnerToken(id: $id) {\n      ...TokenFields\n    }\n  }\n"];
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
export function graphql(source: "\n  fragment RunnerFields on Runner {\n    id\n    name\n    kind\n    status\n    disabled\n    backend\n    device\n    currentTaskId\n    lastHeartbeatAt\n    createdAt\n  }\n"): (typeof documents)["\n  fragment RunnerFields on Runner {\n    id\n    name\n    kind\n    status\n    disabled\n    backend\n    device\n    currentTaskId\n    lastHeartbeatAt\n    createdAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Runners {\n    runners {\n      ...RunnerFields\n    }\n  }\n"): (typeof documents)["\n  query Runners {\n    runners {\n      ...RunnerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription RunnerChanged {\n    runnerChanged {\n      ...RunnerFields\n    }\n  }\n"): (typeof documents)["\n  subscription RunnerChanged {\n    runnerChanged {\n      ...RunnerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetRunnerDisabled($id: ID!, $disabled: Boolean!) {\n    setRunnerDisabled(id: $id, disabled: $disabled) {\n      ...RunnerFields\n    }\n  }\n"): (typeof documents)["\n  mutation SetRunnerDisabled($id: ID!, $disabled: Boolean!) {\n    setRunnerDisabled(id: $id, disabled: $disabled) {\n      ...RunnerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RestartRunner($id: ID!) {\n    restartRunner(id: $id) {\n      ...RunnerFields\n    }\n  }\n"): (typeof documents)["\n  mutation RestartRunner($id: ID!) {\n    restartRunner(id: $id) {\n      ...RunnerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment TaskFields on Task {\n    id\n    type\n    status\n    priority\n    attempts\n    maxAttempts\n    cancelRequested\n    modelId\n    runnerId\n    progress\n    error\n    createdAt\n    startedAt\n    finishedAt\n    updatedAt\n  }\n"): (typeof documents)["\n  fragment TaskFields on Task {\n    id\n    type\n    status\n    priority\n    attempts\n    maxAttempts\n    cancelRequested\n    modelId\n    runnerId\n    progress\n    error\n    createdAt\n    startedAt\n    finishedAt\n    updatedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Tasks($first: Int!, $offset: Int!, $status: TaskStatus, $type: TaskType, $modelId: ID, $ownerId: ID) {\n    tasks(first: $first, offset: $offset, status: $status, type: $type, modelId: $modelId, ownerId: $ownerId) {\n      totalCount\n      hasNextPage\n      items {\n        ...TaskFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query Tasks($first: Int!, $offset: Int!, $status: TaskStatus, $type: TaskType, $modelId: ID, $ownerId: ID) {\n    tasks(first: $first, offset: $offset, status: $status, type: $type, modelId: $modelId, ownerId: $ownerId) {\n      totalCount\n      hasNextPage\n      items {\n        ...TaskFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TaskFilterChoices {\n    models(all: true, first: 100) {\n      items {\n        id\n        name\n      }\n    }\n    users(first: 100) {\n      items {\n        id\n        email\n      }\n    }\n  }\n"): (typeof documents)["\n  query TaskFilterChoices {\n    models(all: true, first: 100) {\n      items {\n        id\n        name\n      }\n    }\n    users(first: 100) {\n      items {\n        id\n        email\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription TasksChanged {\n    tasksChanged {\n      ...TaskFields\n    }\n  }\n"): (typeof documents)["\n  subscription TasksChanged {\n    tasksChanged {\n      ...TaskFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateTask($id: ID!, $input: UpdateTaskInput!) {\n    updateTask(id: $id, input: $input) {\n      ...TaskFields\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateTask($id: ID!, $input: UpdateTaskInput!) {\n    updateTask(id: $id, input: $input) {\n      ...TaskFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelTask($id: ID!) {\n    cancelTask(id: $id) {\n      ...TaskFields\n    }\n  }\n"): (typeof documents)["\n  mutation CancelTask($id: ID!) {\n    cancelTask(id: $id) {\n      ...TaskFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateDiagnosticTask($sleepMs: Int!, $fail: String) {\n    createDiagnosticTask(sleepMs: $sleepMs, fail: $fail) {\n      ...TaskFields\n    }\n  }\n"): (typeof documents)["\n  mutation CreateDiagnosticTask($sleepMs: Int!, $fail: String) {\n    createDiagnosticTask(sleepMs: $sleepMs, fail: $fail) {\n      ...TaskFields\n    }\n  }\n"];
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