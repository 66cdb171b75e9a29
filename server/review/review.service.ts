import { In, type DataSource } from 'typeorm';
import type { UserPrincipal } from '../auth/principal';
import { signedUrlExpiry } from '../auth/access';
import type { AuthService } from '../auth/auth.service';
import { BadUserInputError, NotFoundError } from '../errors';
import { isUuid } from '../db/ids';
import { MAX_PAGE_SIZE } from '../db/page';
import { Image, ImageSource } from '../datasets/image.entity';
import { classNamesByIndex } from '../datasets/image.queries';
import { assignSplit } from '../datasets/split';
import { thumbUrl } from '../datasets/thumbnails';
import { ModelClass } from '../models/model-class.entity';
import { Model } from '../models/model.entity';
import type { BlobStore } from '../storage/blob-store';
import { imagePixelsKey, imageThumbKey } from '../storage/keys';
import type { ReviewItem, ReviewQueue } from './review.types';

/** The model access rule (owner or admin; others NOT_FOUND), kept in ModelService. */
interface ModelAccess {
  get(who: UserPrincipal, id: string): Promise<Model>;
  /** Announces that the model (its data) changed. */
  changed(id: string): void;
}

/** A queue position: the margin (2 for images kept before margins were recorded: last) and the id. */
type Cursor = [margin: number, id: string];

/** Unlabelled kept images of a model, the queue's rows. */
const WAITING = `i."modelId" = $1 AND i.source = 'CLASSIFIED' AND i."classId" IS NULL`;
const MARGIN = `COALESCE(i.margin, 2)`;

/**
 * The review queue: kept classified images waiting for a label, most uncertain first. Labelling
 * gives an image a class and a split (as an upload gets), so the next training run learns from it;
 * discarding deletes it. Unsure images kept automatically are deleted after the model's retention.
 */
export class ReviewService {
  constructor(
    private readonly db: DataSource,
    private readonly blobs: BlobStore,
    private readonly models: ModelAccess,
    private readonly signingKeys: Pick<AuthService, 'signingKey'>,
  ) {}

  async queue(who: UserPrincipal, modelId: string, first: number, after: string | null): Promise<ReviewQueue> {
    const model = await this.models.get(who, modelId);
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE)
      throw new BadUserInputError(`first must be between 1 and ${MAX_PAGE_SIZE}`, { field: 'first' });
    const from = after == null ? null : parseCursor(after);
    const ids: { id: string; m: number }[] = await this.db.query(
      `SELECT i.id, ${MARGIN} AS m FROM images i WHERE ${WAITING}
         ${from ? `AND (${MARGIN}, i.id) > ($2, $3)` : ''}
       ORDER BY ${MARGIN}, i.id LIMIT ${first + 1}`,
      from ? [model.id, from[0], from[1]] : [model.id],
    );
    const page = ids.slice(0, first);
    const rows = await this.db.getRepository(Image).findBy({ id: In(page.map((r) => r.id)) });
    const byId = new Map(rows.map((r) => [r.id, r]));
    const names = await classNamesByIndex(this.db, model.id);
    const key = await this.signingKeys.signingKey(who);
    const signature = { tokenId: who.tokenId, exp: signedUrlExpiry() };
    const items: ReviewItem[] = page.flatMap(({ id }) => {
      const image = byId.get(id);
      if (!image) return [];
      image.thumbnailUrl = image.blobKey && key ? thumbUrl(image.id, signature, key) : null;
      return [
        {
          image,
          prediction: (image.prediction ?? []).map((p) => ({
            className: names.get(p.classIndex) ?? `class ${p.classIndex}`,
            classIndex: p.classIndex,
            probability: p.probability,
          })),
          margin: image.margin,
          keptReason: image.keptReason,
        },
      ];
    });
    const [{ total, labelled }] = await this.db.query(
      `SELECT (SELECT count(*)::int FROM images i WHERE ${WAITING}) AS total,
              (SELECT count(*)::int FROM images i WHERE i."modelId" = $1 AND i."labelledAt" IS NOT NULL
                 AND i."classId" IS NOT NULL AND ($2::timestamptz IS NULL OR i."labelledAt" > $2)) AS labelled`,
      [model.id, model.trainedAt],
    );
    const last = page.at(-1);
    return {
      items,
      totalCount: total,
      endCursor: last ? cursorOf([last.m, last.id]) : (after ?? null),
      hasNextPage: ids.length > first,
      labelledSinceTraining: labelled,
    };
  }

  /** Gives kept images a class (of their model) and a split; returns how many. All or nothing. */
  async label(who: UserPrincipal, ids: string[], classId: string): Promise<number> {
    const cls = isUuid(classId) ? await this.db.getRepository(ModelClass).findOneBy({ id: classId }) : null;
    if (!cls) throw new NotFoundError('No such class.');
    const model = await this.models.get(who, cls.modelId).catch(() => {
      throw new NotFoundError('No such class.');
    });
    const images = await this.kept(who, ids);
    const strangers = images.filter((i) => i.modelId !== model.id);
    if (strangers.length)
      throw new BadUserInputError('The images and the class must be of the same model.', {
        field: 'ids',
        ids: strangers.map((i) => i.id),
      });
    await this.db.transaction(async (tx) => {
      for (const image of images) {
        await tx.update(
          Image,
          { id: image.id },
          // The split an upload of the same file would get: it never moves once given.
          {
            classId: cls.id,
            split: image.split ?? assignSplit(model.splitSeed, image.checksum, null),
            labelledAt: new Date(),
          },
        );
      }
    });
    this.models.changed(model.id);
    return images.length;
  }

  /** Deletes kept images and their pixels; returns how many. All or nothing. */
  async discard(who: UserPrincipal, ids: string[]): Promise<number> {
    const images = await this.kept(who, ids);
    await this.db.getRepository(Image).delete({ id: In(images.map((i) => i.id)) });
    // Rows go first: a crash in between leaves unreferenced blobs, never rows without pixels.
    await this.blobs.deleteMany(
      images.flatMap((i) => [imagePixelsKey(i.modelId, i.id), imageThumbKey(i.modelId, i.id)]),
    );
    for (const modelId of new Set(images.map((i) => i.modelId))) this.models.changed(modelId);
    return images.length;
  }

  /** Sets whether the model keeps unsure answers, how many at most and for how many days. */
  async setKeepUncertain(
    who: UserPrincipal,
    modelId: string,
    keep: boolean,
    cap: number | null,
    days: number | null,
  ): Promise<Model> {
    const model = await this.models.get(who, modelId);
    if (cap != null && !(Number.isInteger(cap) && cap >= 1 && cap <= 100_000))
      throw new BadUserInputError('cap must be between 1 and 100000.', { field: 'cap' });
    if (days != null && !(Number.isInteger(days) && days >= 1 && days <= 3650))
      throw new BadUserInputError('retentionDays must be between 1 and 3650.', { field: 'retentionDays' });
    model.keepUncertain = keep;
    if (cap != null) model.keepUncertainCap = cap;
    if (days != null) model.keepUncertainDays = days;
    const saved = await this.db.getRepository(Model).save(model);
    this.models.changed(model.id);
    return saved;
  }

  /**
   * Deletes unsure images kept automatically that waited longer than their model's retention
   * (images kept because their sender asked stay until labelled or discarded). Returns how many.
   */
  async purgeExpired(): Promise<number> {
    // TypeORM answers a DELETE … RETURNING with [rows, count].
    const [rows] = (await this.db.query(
      `DELETE FROM images i USING models m
       WHERE m.id = i."modelId" AND i.source = 'CLASSIFIED' AND i."classId" IS NULL AND i."keptReason" = 'UNCERTAIN'
         AND i."createdAt" < now() - make_interval(days => m."keepUncertainDays")
       RETURNING i.id, i."modelId"`,
    )) as [{ id: string; modelId: string }[], number];
    await this.blobs.deleteMany(rows.flatMap((i) => [imagePixelsKey(i.modelId, i.id), imageThumbKey(i.modelId, i.id)]));
    for (const modelId of new Set(rows.map((i) => i.modelId))) this.models.changed(modelId);
    return rows.length;
  }

  /** The kept classified images of `ids`, each of a model the caller may see; NOT_FOUND names the first that is not. */
  private async kept(who: UserPrincipal, ids: string[]): Promise<Image[]> {
    if (ids.length === 0) throw new BadUserInputError('Give at least one image id.', { field: 'ids' });
    if (ids.length > MAX_PAGE_SIZE * 10)
      throw new BadUserInputError(`At most ${MAX_PAGE_SIZE * 10} images at once.`, { field: 'ids' });
    const unique = [...new Set(ids)];
    const rows = await this.db.getRepository(Image).findBy({ id: In(unique), source: ImageSource.CLASSIFIED });
    const byId = new Map(rows.map((r) => [r.id, r]));
    const seen = new Map<string, boolean>();
    for (const id of unique) {
      const image = byId.get(id);
      let ok = !!image;
      if (image && !seen.has(image.modelId))
        seen.set(
          image.modelId,
          await this.models.get(who, image.modelId).then(
            () => true,
            () => false,
          ),
        );
      if (image) ok = seen.get(image.modelId)!;
      if (!ok) throw new NotFoundError(`No such kept image: ${id}.`, { id });
    }
    return unique.map((id) => byId.get(id)!);
  }
}

function cursorOf(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function parseCursor(s: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(c) && c.length === 2 && typeof c[0] === 'number' && typeof c[1] === 'string' && isUuid(c[1]))
      return [c[0], c[1]];
  } catch {
    // falls through to the refusal
  }
  throw new BadUserInputError('after is not a cursor this queue gave.', { field: 'after' });
}
