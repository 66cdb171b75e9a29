import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { DataSource } from 'typeorm';
import { checkName } from '../auth/auth.service';
import type { UserPrincipal } from '../auth/principal';
import type { Limits } from '../config/config';
import { encodePng } from '../datasets/normalise';
import { saveUpload } from '../datasets/upload-intake';
import { ArchiveError, listZip } from '../datasets/zip-archive';
import { readZipEntries } from '../datasets/zip-read';
import { BadUserInputError } from '../errors';
import { ModelClass } from '../models/model-class.entity';
import { Model, ModelStatus } from '../models/model.entity';
import { MAX_INPUT_SIDE } from '../models/model.service';
import type { BlobStore } from '../storage/blob-store';
import { artifactPrefix, baseKey, headKey, modelPrefix, sampleKey } from '../storage/keys';
import { Candidate, CandidateStatus } from '../training/candidate.entity';
import { Head, HeadStatus } from '../training/head.entity';
import type { FileUpload } from '../uploads/upload';
import { readExport, type ReadExport } from './export-check';
import type { ExportVerifier } from './verifier';

/** Creates ready models from exports (of this or another Percept server). */
export class ModelImportService {
  constructor(
    private readonly db: DataSource,
    private readonly blobs: BlobStore,
    private readonly limits: Limits,
    private readonly uploadsDir: string,
    private readonly verifier: ExportVerifier,
  ) {}

  /**
   * Checks the zip as dataset zips are checked (entries, sizes, ratio, paths), then its files
   * (names, JSON, labels, heads, weight sizes), then loads and runs it in a child process and
   * compares shapes; only then writes blobs and rows, and removes the blobs if the rows fail.
   */
  async importModel(who: UserPrincipal, file: Promise<FileUpload>, name: string): Promise<Model> {
    const modelName = checkName(name, 'name');
    const saved = await saveUpload(file, this.uploadsDir, this.limits.uploadBytes);
    let files: Map<string, Uint8Array>;
    try {
      files = await this.readZip(saved.path);
    } finally {
      await rm(saved.path, { force: true });
    }
    const bundle = readExport(files, MAX_INPUT_SIDE);
    await this.checkLoads(files, bundle);
    return this.write(who, modelName, bundle);
  }

  private async readZip(path: string): Promise<Map<string, Uint8Array>> {
    const files = new Map<string, Uint8Array>();
    try {
      const entries = await listZip(path, this.limits);
      const problems: string[] = [];
      await readZipEntries(
        path,
        entries,
        (_, info) => !info.directory,
        async (entry) => {
          if (entry.data) files.set(entry.info.name, entry.data);
          else problems.push(`${entry.info.name}: ${entry.error}`);
        },
      );
      if (problems.length) throw new ArchiveError('NOT_A_ZIP', `The archive is damaged: ${problems.join('; ')}`);
    } catch (e) {
      if (e instanceof ArchiveError) throw new BadUserInputError(e.message, { field: 'file', reason: e.problem });
      throw e;
    }
    return files;
  }

  /** Loads the export in a child process and runs it on two images: it must take and give what its files say. */
  private async checkLoads(files: Map<string, Uint8Array>, bundle: ReadExport): Promise<void> {
    const { width, height, channels } = bundle.preprocessing.input;
    const images = [new Uint8Array(width * height * channels), new Uint8Array(width * height * channels).fill(255)];
    const reply = await this.verifier.run({ zip: { files }, images });
    const refuse = (message: string) => {
      throw new BadUserInputError(`The export cannot be used: ${message}`, { field: 'file', reason: 'INVALID_EXPORT' });
    };
    if (!reply.ok) return refuse(`TensorFlow.js could not run it (${reply.error}).`);
    if (reply.inputShape.join('x') !== [height, width, channels].join('x'))
      refuse(
        `the network takes ${reply.inputShape.join('×')} but preprocessing.json says ${height}×${width}×${channels}.`,
      );
    const [first, ...headWidths] = reply.outputWidths;
    if (!bundle.heads) {
      if (first !== bundle.labels.length)
        refuse(`the network has ${first} outputs but labels.json names ${bundle.labels.length} classes.`);
    } else {
      bundle.heads.heads.forEach((h, i) => {
        const expected = h.classIds.length + (h.noneOutput ? 1 : 0);
        if (headWidths[i] !== expected)
          refuse(`head ${i + 1} has ${headWidths[i]} outputs, heads.json says ${expected}.`);
      });
    }
    if (reply.scores.some((s) => s.some((x) => !Number.isFinite(x.probability))))
      refuse('the network answers with numbers that are not finite.');
  }

  private async write(who: UserPrincipal, name: string, bundle: ReadExport): Promise<Model> {
    const { width, height, channels } = bundle.preprocessing.input;
    const modelId = randomUUID();
    const candidateId = randomUUID();
    const heads = (bundle.heads?.heads ?? []).map((h) => ({ ...h, id: randomUUID() }));
    const artifactKey = bundle.heads ? baseKey(modelId, candidateId) : artifactPrefix(modelId, candidateId);
    try {
      // The sample is only the input shape's record for an imported model: a white image of that shape.
      const white = Buffer.alloc(width * height * channels, 255);
      await this.blobs.put(sampleKey(modelId), encodePng(white, { width, height, channels }), 'image/png');
      await this.putNetwork(artifactKey, bundle.networks.get(bundle.heads ? bundle.heads.base : 'model.json')!);
      for (const h of heads) await this.putNetwork(headKey(modelId, h.id), bundle.networks.get(h.path)!);
      return await this.db.transaction(async (tx) => {
        const now = new Date();
        const model = await tx.getRepository(Model).save(
          tx.getRepository(Model).create({
            id: modelId,
            ownerId: who.userId,
            name,
            status: ModelStatus.READY,
            inputWidth: width,
            inputHeight: height,
            inputChannels: channels,
            expandable: bundle.heads !== null,
            splitSeed: 0,
            sampleBlobKey: sampleKey(modelId),
            trainedAt: now,
          }),
        );
        await tx.getRepository(Candidate).insert({
          id: candidateId,
          modelId,
          name: 'imported',
          family: 'imported',
          architecture: { classes: bundle.labels.length, imported: true },
          status: CandidateStatus.PROMOTED,
          artifactKey,
        });
        if (heads.length)
          await tx.getRepository(Head).insert(
            heads.map((h, i) => ({
              id: h.id,
              modelId,
              ordinal: i + 1,
              baseKey: artifactKey,
              status: HeadStatus.ACTIVE,
              artifactKey: headKey(modelId, h.id),
              classIndexes: h.classIds.map((c) => c ?? -1),
              noneOutput: h.noneOutput,
              activatedAt: now,
            })),
          );
        const headOf = new Map(heads.flatMap((h) => h.classIds.map((c) => [c, h.id] as const)));
        const classes = bundle.labels.flatMap((label, index) =>
          label === null ? [] : [{ modelId, name: label, index, headId: headOf.get(index) ?? null }],
        );
        if (classes.length) await tx.getRepository(ModelClass).insert(classes);
        await tx.getRepository(Model).update({ id: modelId }, { activeCandidateId: candidateId });
        model.activeCandidateId = candidateId;
        return model;
      });
    } catch (e) {
      await this.blobs.deletePrefix(modelPrefix(modelId));
      throw e;
    }
  }

  /** Stores a network as Percept keeps one: model.json and one weights.bin (the shards joined). */
  private async putNetwork(prefix: string, network: ReadExport['networks'] extends Map<string, infer N> ? N : never) {
    const modelJson = { ...network.modelJson, weightsManifest: [{ paths: ['weights.bin'], weights: network.specs }] };
    await this.blobs.put(`${prefix}/weights.bin`, Buffer.from(network.weights), 'application/octet-stream');
    await this.blobs.put(`${prefix}/model.json`, Buffer.from(JSON.stringify(modelJson)), 'application/json');
  }
}
