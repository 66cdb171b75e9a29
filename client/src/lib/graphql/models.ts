import { graphql } from '../gql';

export const ModelFields = graphql(`
  fragment ModelFields on Model {
    id
    name
    status
    inputWidth
    inputHeight
    inputChannels
    expandable
    targetAccuracy
    targetPrecision
    keepUncertain
    keepUncertainCap
    keepUncertainDays
    underTarget
    trainedAt
    createdAt
    updatedAt
  }
`);

export const Models = graphql(`
  query Models($first: Int!, $offset: Int!) {
    models(first: $first, offset: $offset) {
      totalCount
      hasNextPage
      items {
        ...ModelFields
      }
    }
  }
`);

export const Model = graphql(`
  query Model($id: ID!) {
    model(id: $id) {
      ...ModelFields
    }
  }
`);

export const CreateModel = graphql(`
  mutation CreateModel($input: CreateModelInput!) {
    createModel(input: $input) {
      ...ModelFields
    }
  }
`);

export const UpdateModel = graphql(`
  mutation UpdateModel($id: ID!, $input: UpdateModelInput!) {
    updateModel(id: $id, input: $input) {
      ...ModelFields
    }
  }
`);

export const DeleteModel = graphql(`
  mutation DeleteModel($id: ID!) {
    deleteModel(id: $id)
  }
`);

export const ModelUpdated = graphql(`
  subscription ModelUpdated($id: ID!) {
    modelUpdated(id: $id) {
      ...ModelFields
    }
  }
`);
