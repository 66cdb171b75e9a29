import { graphql } from '../gql';

export const ReviewQueue = graphql(`
  query ReviewQueue($modelId: ID!, $first: Int!, $after: String) {
    reviewQueue(modelId: $modelId, first: $first, after: $after) {
      totalCount
      endCursor
      hasNextPage
      labelledSinceTraining
      items {
        margin
        keptReason
        image {
          id
          createdAt
          thumbnailUrl
        }
        prediction {
          classIndex
          className
          probability
        }
      }
    }
  }
`);

export const LabelImages = graphql(`
  mutation LabelImages($ids: [ID!]!, $classId: ID!) {
    labelImages(ids: $ids, classId: $classId)
  }
`);

export const DiscardImages = graphql(`
  mutation DiscardImages($ids: [ID!]!) {
    discardImages(ids: $ids)
  }
`);

export const SetKeepUncertain = graphql(`
  mutation SetKeepUncertain($modelId: ID!, $keepUncertain: Boolean!, $cap: Int, $retentionDays: Int) {
    setKeepUncertain(modelId: $modelId, keepUncertain: $keepUncertain, cap: $cap, retentionDays: $retentionDays) {
      ...ModelFields
    }
  }
`);
