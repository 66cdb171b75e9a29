/** Where a candidate's checkpoint and exported model live in the blob store. */
export const checkpointKey = (modelId: string, candidateId: string) =>
  `models/${modelId}/candidates/${candidateId}/checkpoint`;
export const artifactPrefix = (modelId: string, candidateId: string) =>
  `models/${modelId}/candidates/${candidateId}/model`;
/** An expandable model's frozen base (feature extractor) cut from a promoted candidate. */
export const baseKey = (modelId: string, candidateId: string) => `models/${modelId}/bases/${candidateId}`;
/** The base's feature cache: every image's base output, by image id. */
export const featuresKey = (base: string) => `${base}/features.bin`;
export const headKey = (modelId: string, headId: string) => `models/${modelId}/heads/${headId}`;
