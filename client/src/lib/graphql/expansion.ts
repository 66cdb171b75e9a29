import { graphql } from '../gql';

export const HeadFields = graphql(`
  fragment HeadFields on Head {
    id
    ordinal
    status
    classNames
    noneOutput
    accuracy
    activatedAt
    createdAt
    rejectedReason
  }
`);

export const ExpansionRunFields = graphql(`
  fragment ExpansionRunFields on ExpansionRun {
    outcome
    newClasses
    accuracy
    oldClassesAccuracy
    newClassesAccuracy
    evaluatedOn
    targetAccuracy
    rejectedReason
    task {
      ...TaskFields
    }
    heads {
      ...HeadFields
    }
    live {
      phase
      done
      total
      head
      heads
      epoch
      epochs
      batch
      batches
      loss
      accuracy
      imagesPerSecond
      etaSeconds
    }
  }
`);

export const Heads = graphql(`
  query Heads($modelId: ID!) {
    heads(modelId: $modelId) {
      ...HeadFields
    }
  }
`);

export const ExpansionRun = graphql(`
  query ExpansionRun($modelId: ID!) {
    expansionRun(modelId: $modelId) {
      ...ExpansionRunFields
    }
  }
`);

export const ExpansionProgress = graphql(`
  subscription ExpansionProgress($modelId: ID!) {
    expansionProgress(modelId: $modelId) {
      ...ExpansionRunFields
    }
  }
`);

export const ExpandModel = graphql(`
  mutation ExpandModel($modelId: ID!) {
    expandModel(modelId: $modelId) {
      ...TaskFields
    }
  }
`);

export const RemoveHead = graphql(`
  mutation RemoveHead($id: ID!) {
    removeHead(id: $id)
  }
`);
