import { graphql } from '../gql';

export const ExportModel = graphql(`
  mutation ExportModel($modelId: ID!) {
    exportModel(modelId: $modelId) {
      url
      bytes
      sha256
      createdAt
      verification {
        images
        top1Agreement
        maxProbabilityDifference
      }
    }
  }
`);
