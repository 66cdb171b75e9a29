import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { requireFullScope, signedUrlExpiry } from '../auth/access';
import type { AuthService } from '../auth/auth.service';
import type { Principal, UserPrincipal } from '../auth/principal';
import type { ClassifyService } from '../classification/classify.service';
import { heldOutPixelKeys } from '../datasets/image.queries';
import { isUuid } from '../db/ids';
import { ExportUnverifiedError, NotFoundError } from '../errors';
import type { ModelService } from '../models/model.service';
import type { BlobStore } from '../storage/blob-store';
import { exportKey, exportsPrefix } from '../storage/keys';
import { activeHeads } from '../training/head-set';
import { bundleFiles, zipFiles } from './export-bundle';
import { exportUrl } from './export-urls';
import { ModelExport } from './export.types';
import { compareRuns, MAX_PROBABILITY_DIFFERENCE, VERIFY_IMAGES, verified } from './verification';
import type { ExportVerifier } from './verifier';

/** With no held-out images (an imported model has none), the check runs on this many noise images. */
const NOISE_IMAGES = 32;

/** Exports a model's served network as a zip others can run, after checking that it answers the same. */
export class ExportService {
  constructor(
    private readonly db: DataSource,
    private readonly blobs: BlobStore,
    private readonly classify: Pick<ClassifyService, 'served' | 'inference'>,
    private readonly models: Pick<ModelService, 'get'>,
    private readonly signingKeys: Pick<AuthService, 'signingKey'>,
    private readonly workDir: string,
    private readonly verifier: ExportVerifier,
  ) {}

  async exportModel(who: UserPrincipal, modelId: string): Promise<ModelExport> {
    const { model, network, names } = await this.classify.served(who, modelId);
    const heads = await activeHeads(this.db, model);
    const files = await bundleFiles(this.blobs, {
      modelName: model.name,
      networkKey: network.key,
      names,
      input: { width: model.inputWidth, height: model.inputHeight, channels: model.inputChannels as 1 | 3 },
      noneOutput: (key) => heads.find((h) => h.artifactKey === key)?.noneOutput ?? false,
    });
    const zip = zipFiles(files);
    const images = await this.checkImages(model.id, model.inputWidth * model.inputHeight * model.inputChannels);

    await mkdir(this.workDir, { recursive: true });
    const zipPath = join(this.workDir, `export-${randomUUID()}.zip`);
    await writeFile(zipPath, zip);
    let reloaded, served;
    try {
      // The reload and the served network run side by side; all outputs, so every probability is compared.
      [reloaded, served] = await Promise.all([
        this.verifier.run({ zip: { path: zipPath }, images }),
        this.classify.inference.classify(network.key, images, network.outputs),
      ]);
    } finally {
      await rm(zipPath, { force: true });
    }
    if (!reloaded.ok) {
      throw new ExportUnverifiedError(`The export did not load apart from the server: ${reloaded.error}`, {
        images: images.length,
      });
    }
    const verification = compareRuns(served, reloaded.scores);
    if (!verified(verification)) {
      throw new ExportUnverifiedError(
        `The reloaded export disagrees with the served network: top-1 agreement ${verification.top1Agreement} on ` +
          `${verification.images} images, largest probability difference ${verification.maxProbabilityDifference} ` +
          `(at most ${MAX_PROBABILITY_DIFFERENCE} is allowed). Nothing was exported.`,
        { ...verification },
      );
    }

    const exportId = randomUUID();
    // One export per model: a new one replaces the last (and its URLs stop working).
    await this.blobs.deletePrefix(exportsPrefix(model.id));
    await this.blobs.put(exportKey(model.id, exportId), zip, 'application/zip');
    const key = await this.signingKeys.signingKey(who);
    if (!key) throw new NotFoundError('No such model.');
    return Object.assign(new ModelExport(), {
      url: exportUrl(model.id, exportId, { tokenId: who.tokenId, exp: signedUrlExpiry() }, key),
      bytes: zip.length,
      sha256: createHash('sha256').update(zip).digest('hex'),
      createdAt: new Date(),
      verification,
    });
  }

  /** The zip behind a signed export URL (or a Bearer token), for the model's owner or an admin. */
  async readExport(modelId: string, exportId: string, principal: Principal | null): Promise<Buffer> {
    const who = requireFullScope(principal, 'Use the signed export url, or send "Authorization: Bearer <token>".');
    if (!isUuid(modelId) || !isUuid(exportId)) throw new NotFoundError('No such export.');
    const model = await this.models.get(who, modelId).catch(() => null);
    const zip = model && (await this.blobs.get(exportKey(model.id, exportId)));
    if (!zip) throw new NotFoundError('No such export.');
    return zip;
  }

  /** Up to VERIFY_IMAGES held-out images' pixels; seeded noise when the model has none. */
  private async checkImages(modelId: string, size: number): Promise<Uint8Array[]> {
    const keys = await heldOutPixelKeys(this.db, modelId, VERIFY_IMAGES);
    const images: Uint8Array[] = [];
    for (const key of keys) {
      const pixels = await this.blobs.get(key);
      if (pixels?.length === size) images.push(pixels);
    }
    if (images.length) return images;
    let seed = 0x9e3779b9;
    return Array.from({ length: NOISE_IMAGES }, () =>
      Uint8Array.from({ length: size }, () => {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        return seed >>> 24;
      }),
    );
  }
}
