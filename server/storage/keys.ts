/*
 * Every blob key, built here and nowhere else. Keys start with their owner (`models/<modelId>/…`),
 * so deleting a model deletes its blobs by prefix.
 */

export const modelPrefix = (modelId: string): string => `models/${modelId}/`;

/** The sample image the model's input shape was taken from. */
export const sampleKey = (modelId: string): string => `${modelPrefix(modelId)}sample`;

/** All normalised pixels of a model's images, and where one image's (raw HWC bytes) live. */
export const imagesPrefix = (modelId: string): string => `${modelPrefix(modelId)}images/`;
export const imagePixelsKey = (modelId: string, imageId: string): string => `${imagesPrefix(modelId)}${imageId}`;

/** All PNG thumbnails of a model's images, and one image's. */
export const thumbsPrefix = (modelId: string): string => `${modelPrefix(modelId)}thumbs/`;
export const imageThumbKey = (modelId: string, imageId: string): string => `${thumbsPrefix(modelId)}${imageId}`;

/** A candidate's training checkpoint and its exported model. */
export const checkpointKey = (modelId: string, candidateId: string): string =>
  `${modelPrefix(modelId)}candidates/${candidateId}/checkpoint`;
/** The chosen candidate's network retrained on training and validation images (TrainCandidatePayload.refit). */
export const refitCheckpointKey = (modelId: string, candidateId: string): string =>
  `${modelPrefix(modelId)}candidates/${candidateId}/refit-checkpoint`;
export const artifactPrefix = (modelId: string, candidateId: string): string =>
  `${modelPrefix(modelId)}candidates/${candidateId}/model`;
/**
 * A finalized candidate's answers on held-out images (JSON), from which its class thresholds are
 * chosen; beside the export, so the runner that exports may write it.
 */
export const heldOutKey = (modelId: string, candidateId: string): string =>
  `${artifactPrefix(modelId, candidateId)}/held-out.json`;

/** An expandable model's frozen base (feature extractor) cut from a promoted candidate. */
export const baseKey = (modelId: string, candidateId: string): string => `${modelPrefix(modelId)}bases/${candidateId}`;
/** The base's feature cache: every image's base output, by image id. */
export const featuresKey = (base: string): string => `${base}/features.bin`;
export const headKey = (modelId: string, headId: string): string => `${modelPrefix(modelId)}heads/${headId}`;

/** Whether `key` lies under some model (what runners may read and write). */
export const isModelKey = (key: string): boolean => /^models\/[0-9a-f-]{36}\//.test(key) && !key.includes('..');

/** A model's exports (a new export replaces the previous one), and one export's zip. */
export const exportsPrefix = (modelId: string): string => `${modelPrefix(modelId)}exports/`;
export const exportKey = (modelId: string, exportId: string): string => `${exportsPrefix(modelId)}${exportId}.zip`;

/**
 * A model's training shards: the normalised pixels of up to a few MiB of labelled images, one
 * after another. A shard is never changed: its key names the images it holds (a hash of their ids)
 * and how many, so a runner caches it by key and a changed dataset writes new keys.
 */
export const shardsPrefix = (modelId: string): string => `${modelPrefix(modelId)}shards/`;
export const shardKey = (modelId: string, hash: string, count: number): string =>
  `${shardsPrefix(modelId)}${hash}-${count}`;
/** How many images the shard at `key` was written with. */
export const shardKeyCount = (key: string): number => Number(key.slice(key.lastIndexOf('-') + 1));
