// Transitional: the training files still import from here until they move to server/errors.
export * from '../errors';
