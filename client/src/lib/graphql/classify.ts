import { graphql } from '../gql';

export const Classify = graphql(`
  mutation Classify($modelId: ID!, $image: ImageInput!, $topK: Int!, $keep: Boolean!) {
    classify(modelId: $modelId, image: $image, topK: $topK, keep: $keep) {
      candidateId
      keptImageId
      accepted
      threshold
      predictions {
        classIndex
        className
        probability
      }
    }
  }
`);

export const ClassifyBatch = graphql(`
  mutation ClassifyBatch($modelId: ID!, $archive: Upload!, $topK: Int!) {
    classifyBatch(modelId: $modelId, archive: $archive, topK: $topK) {
      ...TaskFields
    }
  }
`);
