// Transitional: the training files still import from here until they move to server/events.
export * from '../events/pubsub';
