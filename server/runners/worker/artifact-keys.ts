/** Where a candidate's checkpoint and exported model live in the blob store. */
export const checkpointKey = (modelId: string, candidateId: string) =>
  `models/${modelId}/candidates/${candidateId}/checkpoint`;
export const artifactPrefix = (modelId: string, candidateId: string) =>
  `models/${modelId}/candidates/${candidateId}/model`;
