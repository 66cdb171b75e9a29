import { parseArchitecture } from '../../ml/architecture';
import { splitModel, SPLIT_TOLERANCE } from '../../ml/expand';
import { loadModel, saveModel } from '../../ml/io';
import { PermanentTaskError } from '../../tasks/task-types';
import type { TaskType } from '../../tasks/task-type';
import type { RunnerHandler } from './handlers';

/**
 * Cuts the promoted network of an expandable model into a base (image → features) and its first
 * head (features → classes), saved as two TensorFlow.js models. splitModel refuses a split whose
 * outputs stray from the full network's by more than SPLIT_TOLERANCE; that cannot get better on a
 * retry, so it fails the task for good.
 */
export const splitModelTask: RunnerHandler<TaskType.SPLIT_MODEL> = async ({ payload: p, progress, data }) => {
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
    try {
      await progress({ phase: 'saving' });
      await saveModel(base, data.store, p.baseKey, { candidateId: p.candidateId, part: 'base' });
      await saveModel(head, data.store, p.headKey, { candidateId: p.candidateId, headId: p.headId, part: 'head' });
    } finally {
      base.dispose();
      head.dispose();
    }
    return { baseKey: p.baseKey, headKey: p.headKey, featureSize, maxAbsDiff, tolerance: SPLIT_TOLERANCE };
  } finally {
    model.dispose();
  }
};
