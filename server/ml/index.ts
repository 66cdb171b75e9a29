// Percept's machine-learning library: generation, building, training, evaluation, storage and
// inference of TensorFlow.js models. It knows nothing of GraphQL or the database.
export { initBackend, trainingUnsupportedReason, type BackendInfo, type BackendName } from './backend';
export {
  architectureId,
  countCost,
  featureSize,
  layerShapes,
  parseArchitecture,
  type Architecture,
  type Family,
  type InputShape,
  type LayerKind,
  type LayerSpec,
} from './architecture';
export { generateCandidates, headLayers, widthLevel, type GenerateOptions } from './generate';
export { buildModel, buildStack, type BuildOptions } from './build';
export {
  disposeBatch,
  epochOrder,
  FeatureDataset,
  imagesToTensor,
  InMemoryImageDataset,
  StreamedImageDataset,
  stratifiedSplit,
  type Batch,
  type BatchOptions,
  type Dataset,
  type Sample,
  type SampleSource,
  type Split,
} from './dataset';
export {
  DEFAULT_BATCH_SIZE,
  DEFAULT_LEARNING_RATE,
  countCorrect,
  crossEntropy,
  lossAndAccuracy,
  outputClasses,
  train,
  type BatchMetrics,
  type EpochMetrics,
  type StopReason,
  type TrainOptions,
  type TrainResult,
  type TrainingState,
} from './train';
export { encodeCheckpoint, loadCheckpoint, restoreCheckpoint, saveCheckpoint } from './checkpoint';
export { evaluate, scorePredictions, type ClassMetrics, type Evaluation } from './evaluate';
export {
  checkHeads,
  classifyFeatures,
  ImageClassifier,
  MultiHeadClassifier,
  type ClassifierHead,
  type ClassScore,
} from './infer';
export {
  buildHead,
  computeFeatures,
  evaluateHeads,
  headLabels,
  splitDifference,
  splitModel,
  SPLIT_TOLERANCE,
  trainHead,
  withNoneOutput,
  type HeadOptions,
  type SplitResult,
} from './expand';
export {
  cachedFeatures,
  decodeFeatures,
  encodeFeatures,
  type CachedFeatures,
  type FeatureRequest,
  type FeatureResult,
} from './feature-cache';
export {
  artifactKey,
  DirectoryArtifactStore,
  loadModel,
  MemoryArtifactStore,
  MODEL_JSON,
  saveModel,
  storeHandler,
  WEIGHTS_BIN,
  type ArtifactStore,
} from './io';
export { syntheticImages, SYNTHETIC_CLASSES, type SyntheticImages, type SyntheticOptions } from './synthetic';
export { mixSeed, permutation, seededRandom } from './random';
