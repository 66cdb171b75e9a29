import { graphql } from '../gql';

export const DatasetClassFields = graphql(`
  fragment DatasetClassFields on DatasetClass {
    id
    name
    index
    imageCount
    trainCount
    validationCount
    testCount
  }
`);

export const Dataset = graphql(`
  query Dataset($modelId: ID!) {
    dataset(modelId: $modelId) {
      modelId
      imageCount
      urlImageCount
      classes {
        ...DatasetClassFields
      }
    }
  }
`);

export const Images = graphql(`
  query Images($modelId: ID!, $classId: ID, $first: Int!, $offset: Int!) {
    images(modelId: $modelId, classId: $classId, first: $first, offset: $offset) {
      totalCount
      hasNextPage
      items {
        id
        classId
        originalName
        source
        split
        url
        thumbnailUrl
      }
    }
  }
`);

export const ImportDataset = graphql(`
  mutation ImportDataset($modelId: ID!, $file: Upload!) {
    importDataset(modelId: $modelId, file: $file) {
      ...TaskFields
    }
  }
`);

export const ImportReport = graphql(`
  query ImportReport($taskId: ID!) {
    importReport(taskId: $taskId) {
      taskId
      kind
      filesSeen
      imported
      skipped
      seconds
      imagesPerSecond
      classes {
        name
        imported
      }
      skippedByReason {
        reason
        count
      }
      skippedFiles {
        path
        reason
        detail
      }
      skippedNotListed
    }
  }
`);

export const DeleteImage = graphql(`
  mutation DeleteImage($id: ID!) {
    deleteImage(id: $id)
  }
`);

export const DeleteClass = graphql(`
  mutation DeleteClass($id: ID!) {
    deleteClass(id: $id)
  }
`);

export const DeleteDataset = graphql(`
  mutation DeleteDataset($modelId: ID!) {
    deleteDataset(modelId: $modelId)
  }
`);
