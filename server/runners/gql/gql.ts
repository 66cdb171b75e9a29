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
    "\n  mutation RegisterRunner($name: String!, $backend: String!, $device: String!) {\n    registerRunner(name: $name, backend: $backend, device: $device) {\n      id\n    }\n  }\n": typeof types.RegisterRunnerDocument,
    "\n  mutation ClaimTask($runnerId: ID!) {\n    claimTask(runnerId: $runnerId) {\n      taskId\n      attempt\n      type\n      payload\n    }\n  }\n": typeof types.ClaimTaskDocument,
    "\n  mutation ReportTaskProgress($report: RunnerReportInput!, $progress: JSON!) {\n    reportTaskProgress(report: $report, progress: $progress)\n  }\n": typeof types.ReportTaskProgressDocument,
    "\n  mutation CompleteTask($report: RunnerReportInput!, $result: JSON!) {\n    completeTask(report: $report, result: $result)\n  }\n": typeof types.CompleteTaskDocument,
    "\n  mutation FailTask($report: RunnerReportInput!, $error: String!, $permanent: Boolean!) {\n    failTask(report: $report, error: $error, permanent: $permanent)\n  }\n": typeof types.FailTaskDocument,
    "\n  mutation RunnerHeartbeat($runnerId: ID!, $taskId: ID, $attempt: Int) {\n    runnerHeartbeat(runnerId: $runnerId, taskId: $taskId, attempt: $attempt)\n  }\n": typeof types.RunnerHeartbeatDocument,
};
const documents: Documents = {
    "\n  mutation RegisterRunner($name: String!, $backend: String!, $device: String!) {\n    registerRunner(name: $name, backend: $backend, device: $device) {\n      id\n    }\n  }\n": types.RegisterRunnerDocument,
    "\n  mutation ClaimTask($runnerId: ID!) {\n    claimTask(runnerId: $runnerId) {\n      taskId\n      attempt\n      type\n      payload\n    }\n  }\n": types.ClaimTaskDocument,
    "\n  mutation ReportTaskProgress($report: RunnerReportInput!, $progress: JSON!) {\n    reportTaskProgress(report: $report, progress: $progress)\n  }\n": types.ReportTaskProgressDocument,
    "\n  mutation CompleteTask($report: RunnerReportInput!, $result: JSON!) {\n    completeTask(report: $report, result: $result)\n  }\n": types.CompleteTaskDocument,
    "\n  mutation FailTask($report: RunnerReportInput!, $error: String!, $permanent: Boolean!) {\n    failTask(report: $report, error: $error, permanent: $permanent)\n  }\n": types.FailTaskDocument,
    "\n  mutation RunnerHeartbeat($runnerId: ID!, $taskId: ID, $attempt: Int) {\n    runnerHeartbeat(runnerId: $runnerId, taskId: $taskId, attempt: $attempt)\n  }\n": types.RunnerHeartbeatDocument,
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
export function graphql(source: "\n  mutation RegisterRunner($name: String!, $backend: String!, $device: String!) {\n    registerRunner(name: $name, backend: $backend, device: $device) {\n      id\n    }\n  }\n"): (typeof documents)["\n  mutation RegisterRunner($name: String!, $backend: String!, $device: String!) {\n    registerRunner(name: $name, backend: $backend, device: $device) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ClaimTask($runnerId: ID!) {\n    claimTask(runnerId: $runnerId) {\n      taskId\n      attempt\n      type\n      payload\n    }\n  }\n"): (typeof documents)["\n  mutation ClaimTask($runnerId: ID!) {\n    claimTask(runnerId: $runnerId) {\n      taskId\n      attempt\n      type\n      payload\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReportTaskProgress($report: RunnerReportInput!, $progress: JSON!) {\n    reportTaskProgress(report: $report, progress: $progress)\n  }\n"): (typeof documents)["\n  mutation ReportTaskProgress($report: RunnerReportInput!, $progress: JSON!) {\n    reportTaskProgress(report: $report, progress: $progress)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CompleteTask($report: RunnerReportInput!, $result: JSON!) {\n    completeTask(report: $report, result: $result)\n  }\n"): (typeof documents)["\n  mutation CompleteTask($report: RunnerReportInput!, $result: JSON!) {\n    completeTask(report: $report, result: $result)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation FailTask($report: RunnerReportInput!, $error: String!, $permanent: Boolean!) {\n    failTask(report: $report, error: $error, permanent: $permanent)\n  }\n"): (typeof documents)["\n  mutation FailTask($report: RunnerReportInput!, $error: String!, $permanent: Boolean!) {\n    failTask(report: $report, error: $error, permanent: $permanent)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RunnerHeartbeat($runnerId: ID!, $taskId: ID, $attempt: Int) {\n    runnerHeartbeat(runnerId: $runnerId, taskId: $taskId, attempt: $attempt)\n  }\n"): (typeof documents)["\n  mutation RunnerHeartbeat($runnerId: ID!, $taskId: ID, $attempt: Int) {\n    runnerHeartbeat(runnerId: $runnerId, taskId: $taskId, attempt: $attempt)\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;