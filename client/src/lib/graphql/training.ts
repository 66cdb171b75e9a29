import { graphql } from '../gql';

export const TrainingRunFields = graphql(`
  fragment TrainingRunFields on TrainingRun {
    maxEpochs
    stopAtTarget
    selection
    etaSeconds
    task {
      ...TaskFields
    }
    candidates {
      id
      name
      family
      params
      status
      epochsDone
      bestValAccuracy
      validationAccuracy
      validationMargin
      validationImages
      testAccuracy
      prunedReason
      history {
        epoch
        loss
        accuracy
        valLoss
        valAccuracy
        imagesPerSecond
        seconds
      }
      live {
        phase
        epoch
        batch
        batches
        loss
        accuracy
        imagesPerSecond
      }
    }
  }
`);

export const TrainingRun = graphql(`
  query TrainingRun($modelId: ID!) {
    trainingRun(modelId: $modelId) {
      ...TrainingRunFields
    }
  }
`);

export const TrainingProgress = graphql(`
  subscription TrainingProgress($modelId: ID!) {
    trainingProgress(modelId: $modelId) {
      ...TrainingRunFields
    }
  }
`);

export const TrainModel = graphql(`
  mutation TrainModel($modelId: ID!, $input: TrainModelInput!) {
    trainModel(modelId: $modelId, input: $input) {
      ...TaskFields
    }
  }
`);

export const ModelEvaluation = graphql(`
  query ModelEvaluation($modelId: ID!) {
    modelEvaluation(modelId: $modelId) {
      candidateId
      networkName
      networks
      evaluatedOn
      count
      accuracy
      classNames
      confusion
      perClass {
        className
        precision
        recall
        f1
        support
      }
    }
  }
`);
