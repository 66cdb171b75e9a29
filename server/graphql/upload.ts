import GraphQLUpload from 'graphql-upload/GraphQLUpload.mjs';

/** The `Upload` scalar (GraphQL multipart request spec); what it resolves to is a FileUpload. */
export { GraphQLUpload };
export type { FileUpload } from '../uploads/upload';
