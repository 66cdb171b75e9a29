import { parseArchitecture } from '../../ml/architecture';
import { splitModel, SPLIT_TOLERANCE } from '../../ml/expand';
import { InMemoryImageDataset } from '../../ml/dataset';
import { cachedFeatures } from '../../ml/feature-cache';
import { loadModel, saveModel } from '../../ml/io';
import type { SplitModelResult } from '../../tasks/task-contract';
import { PermanentTaskError } from '../../tasks/task-types';
import type { TaskType } from '../../tasks/task-type';
import type { RunnerHandler } from './handlers';

/**
 * Cuts the promoted network of an expandable model into a base (image → features) and its first
 * head (features → classes), saved as two TensorFlow.js models. splitModel refuses a split whose
 * outputs stray from the full network's by more than SPLIT_TOLERANCE; that cannot get better on a
 * retry, so it fails the task for good. The base's features of the run's images are cached
 * beside it, so that a first expansion runs the base only over the images it brings.
 */
export const splitModelTask: RunnerHandler<TaskType.SPLIT_MODEL> = async ({ payload: p, progress, data, datasets }) => {
  const arch = parseArchitecture(p.architecture);
  await progress({ phase: 'splitting' });
  const model = await loadModel(data.store, p.artifactKey);
  try {
    let split;
    try {
      split = splitModel(model, arch);
    } catch (e) {
      throw new PermanentTaskError((e as Error).message);
    }
    const { base, head, featureSize, maxAbsDiff } = split;
    let features: SplitModelResult['features'];
    try {
      await progress({ phase: 'saving' });
      await saveModel(base, data.store, p.baseKey, { candidateId: p.candidateId, part: 'base' });
      await saveModel(head, data.store, p.headKey, { candidateId: p.candidateId, headId: p.headId, part: 'head' });
      if (p.featuresKey && p.datasetVersion) {
        // The runner that trained the network usually still holds the pack: no download.
        const started = Date.now();
        const pack = await datasets.get(p.modelId, p.datasetVersion, p.snapshot);
        const cached = await cachedFeatures(
          data.store,
          p.featuresKey,
          base,
          { ids: pack.ids, images: new InMemoryImageDataset(pack.shape, pack.pixels, pack.labels) },
          (done, total) => progress({ phase: 'features', done, total }),
        );
        await cached.saved;
        features = { computed: cached.computed, seconds: (Date.now() - started) / 1000 };
      }
    } finally {
      base.dispose();
      head.dispose();
    }
    return {
      baseKey: p.baseKey,
      headKey: p.headKey,
      featureSize,
      maxAbsDiff,
      tolerance: SPLIT_TOLERANCE,
      ...(features ? { features } : {}),
    };
  } finally {
    model.dispose();
  }
};
