// Transitional: the training files still import from here until they move to server/storage/keys.
export { artifactPrefix, baseKey, checkpointKey, featuresKey, headKey } from '../../storage/keys';
