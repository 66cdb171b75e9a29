import { graphql } from '../gql';

export const TaskFields = graphql(`
  fragment TaskFields on Task {
    id
    type
    status
    priority
    attempts
    maxAttempts
    cancelRequested
    modelId
    runnerId
    progress
    error
    createdAt
    startedAt
    finishedAt
    updatedAt
  }
`);

export const Tasks = graphql(`
  query Tasks($first: Int!, $offset: Int!, $status: TaskStatus, $type: TaskType, $modelId: ID, $ownerId: ID) {
    tasks(first: $first, offset: $offset, status: $status, type: $type, modelId: $modelId, ownerId: $ownerId) {
      totalCount
      hasNextPage
      items {
        ...TaskFields
      }
    }
  }
`);

/** Names for the model and owner filters (and the model column): the newest hundred of each. */
export const TaskFilterChoices = graphql(`
  query TaskFilterChoices {
    models(all: true, first: 100) {
      items {
        id
        name
      }
    }
    users(first: 100) {
      items {
        id
        email
      }
    }
  }
`);

export const TasksChanged = graphql(`
  subscription TasksChanged {
    tasksChanged {
      ...TaskFields
    }
  }
`);

export const UpdateTask = graphql(`
  mutation UpdateTask($id: ID!, $input: UpdateTaskInput!) {
    updateTask(id: $id, input: $input) {
      ...TaskFields
    }
  }
`);

export const CancelTask = graphql(`
  mutation CancelTask($id: ID!) {
    cancelTask(id: $id) {
      ...TaskFields
    }
  }
`);

export const CreateDiagnosticTask = graphql(`
  mutation CreateDiagnosticTask($sleepMs: Int!, $fail: String) {
    createDiagnosticTask(sleepMs: $sleepMs, fail: $fail) {
      ...TaskFields
    }
  }
`);

export const TaskUpdated = graphql(`
  subscription TaskUpdated($id: ID!) {
    taskUpdated(id: $id) {
      ...TaskFields
    }
  }
`);

/** A finished task's result (a classifyBatch lists every file); fetched once, not with each progress event. */
export const TaskResult = graphql(`
  query TaskResult($id: ID!) {
    task(id: $id) {
      id
      status
      result
    }
  }
`);

/** Everything about one task, for the admin's detail view; payload and result come without server internals. */
export const TaskDetail = graphql(`
  query TaskDetail($id: ID!) {
    task(id: $id) {
      ...TaskFields
      ownerId
      leaseExpiresAt
      payload
      result
    }
  }
`);
