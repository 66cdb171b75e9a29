import { rm } from 'node:fs/promises';
import type { DataSource } from 'typeorm';
import type { Limits } from '../config/config';
import { ImageRejected, normaliseImage } from '../datasets/normalise';
import { listZip, safeEntryPath } from '../datasets/zip-archive';
import { readZipEntries } from '../datasets/zip-read';
import { Model } from '../models/model.entity';
import { TaskType } from '../tasks/task.entity';
import type { BatchItem } from '../tasks/task-contract';
import { PermanentTaskError, type TaskHandler } from '../tasks/task-types';
import { Candidate } from '../training/candidate.entity';
import { servedNetwork } from '../training/head-set';
import type { TrainingService } from '../training/training.service';
import type { Inference } from './classify.service';
import { classThresholdsByIndex, verdict } from './verdict';

const CHUNK = 64;

/**
 * CLASSIFY_BATCH: every image of an uploaded zip, classified by the network that served the model
 * when the batch was asked for, 64 at a time on the warm runners. The zip is deleted afterwards;
 * the images are never stored. The result lists each file with its top-k, or why it was skipped.
 */
export function classifyBatchHandler(deps: {
  db: DataSource;
  inference: Inference;
  training: TrainingService;
  limits: Limits;
}): TaskHandler<TaskType.CLASSIFY_BATCH> {
  return {
    type: TaskType.CLASSIFY_BATCH,
    run: async ({ payload: p, progress, signal }) => {
      try {
        const model = await deps.db.getRepository(Model).findOneBy({ id: p.modelId });
        const candidate = await deps.db.getRepository(Candidate).findOneBy({ id: p.candidateId });
        if (!model || !candidate?.artifactKey) throw new PermanentTaskError('the model or its network was deleted');
        // A split expandable model answers with its base and active heads (global class indexes).
        const network = await servedNetwork(deps.db, model, candidate);
        const names = await deps.training.classNames(model.id, network.outputs);
        const thresholds = await classThresholdsByIndex(deps.db, model.id, network.outputs);
        const shape = { width: model.inputWidth, height: model.inputHeight, channels: model.inputChannels as 1 | 3 };
        const entries = await listZip(p.uploadPath, deps.limits);
        const files = entries
          .map((e, i) => ({ e, i }))
          .filter(({ e }) => !e.directory && safeEntryPath(e.name) && !/(^|\/)(__MACOSX|\.)/.test(e.name));
        const wanted = new Set(files.map((f) => f.i));
        const results: BatchItem[] = [];
        let pending: { name: string; data: Buffer }[] = [];
        const started = Date.now();
        const flush = async () => {
          const chunk = pending;
          pending = [];
          const pixels = await Promise.all(
            chunk.map((f) =>
              normaliseImage(f.data, shape, deps.limits.imagePixels).catch((e: unknown) => {
                if (e instanceof ImageRejected) return e;
                throw e;
              }),
            ),
          );
          const ok = pixels.flatMap((px, i) => (px instanceof ImageRejected ? [] : [{ i, px }]));
          const scores = ok.length
            ? await deps.inference.classify(
                network.key,
                ok.map((o) => o.px),
                p.topK,
              )
            : [];
          const byIndex = new Map(ok.map((o, k) => [o.i, scores[k]!]));
          chunk.forEach((f, i) => {
            const s = byIndex.get(i);
            const rejected = pixels[i];
            results.push(
              s
                ? {
                    name: f.name,
                    predictions: s.map((x) => ({
                      className: names[x.classIndex] ?? `class ${x.classIndex}`,
                      probability: x.probability,
                    })),
                    ...verdict(s, thresholds),
                  }
                : { name: f.name, error: rejected instanceof ImageRejected ? rejected.message : 'not classified' },
            );
          });
          const seconds = (Date.now() - started) / 1000;
          await progress({
            done: results.length,
            total: files.length,
            imagesPerSecond: results.length / Math.max(seconds, 1e-3),
          });
        };
        await readZipEntries(
          p.uploadPath,
          entries,
          (i) => wanted.has(i),
          async (entry) => {
            if (!entry.data) results.push({ name: entry.info.name, error: entry.error ?? 'unreadable' });
            else pending.push({ name: entry.info.name, data: entry.data });
            if (pending.length >= CHUNK) await flush();
          },
          signal,
        );
        if (pending.length) await flush();
        const failed = results.filter((r) => r.error).length;
        return {
          count: results.length,
          classified: results.length - failed,
          failed,
          candidateId: candidate.id,
          results,
        };
      } finally {
        await rm(p.uploadPath, { force: true });
      }
    },
  };
}
