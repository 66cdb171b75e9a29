import { graphql } from '../gql';

export const RunnerFields = graphql(`
  fragment RunnerFields on Runner {
    id
    name
    kind
    status
    disabled
    backend
    device
    currentTaskId
    currentTaskType
    lastHeartbeatAt
    createdAt
  }
`);

export const Runners = graphql(`
  query Runners {
    runners {
      ...RunnerFields
    }
  }
`);

export const RunnerChanged = graphql(`
  subscription RunnerChanged {
    runnerChanged {
      ...RunnerFields
    }
  }
`);

export const SetRunnerDisabled = graphql(`
  mutation SetRunnerDisabled($id: ID!, $disabled: Boolean!) {
    setRunnerDisabled(id: $id, disabled: $disabled) {
      ...RunnerFields
    }
  }
`);

export const RestartRunner = graphql(`
  mutation RestartRunner($id: ID!) {
    restartRunner(id: $id) {
      ...RunnerFields
    }
  }
`);
