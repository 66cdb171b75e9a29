import { graphql } from './gql';

/*
 * The remote runner's GraphQL operations, typed by codegen from schema.graphql (`npm run codegen`
 * writes server/runners/gql/): a change to the API that breaks the runner is a compile error.
 */

export const REGISTER_RUNNER = graphql(`
  mutation RegisterRunner($name: String!, $backend: String!, $device: String!) {
    registerRunner(name: $name, backend: $backend, device: $device) {
      id
    }
  }
`);

export const CLAIM_TASK = graphql(`
  mutation ClaimTask($runnerId: ID!) {
    claimTask(runnerId: $runnerId) {
      taskId
      attempt
      type
      payload
    }
  }
`);

export const REPORT_TASK_PROGRESS = graphql(`
  mutation ReportTaskProgress($report: RunnerReportInput!, $progress: JSON!) {
    reportTaskProgress(report: $report, progress: $progress)
  }
`);

export const COMPLETE_TASK = graphql(`
  mutation CompleteTask($report: RunnerReportInput!, $result: JSON!) {
    completeTask(report: $report, result: $result)
  }
`);

export const FAIL_TASK = graphql(`
  mutation FailTask($report: RunnerReportInput!, $error: String!, $permanent: Boolean!) {
    failTask(report: $report, error: $error, permanent: $permanent)
  }
`);

export const RUNNER_HEARTBEAT = graphql(`
  mutation RunnerHeartbeat($runnerId: ID!, $taskId: ID, $attempt: Int) {
    runnerHeartbeat(runnerId: $runnerId, taskId: $taskId, attempt: $attempt)
  }
`);
