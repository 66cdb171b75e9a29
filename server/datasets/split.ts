import { createHash } from 'node:crypto';
import { ImageSplit } from './image.entity';

/** Shares of the seeded split when the upload has no split folders: 80 / 10 / 10. */
export const TRAIN_SHARE = 0.8;
export const VALIDATION_SHARE = 0.1;
/** Of a `train/` folder, this share is carved out for validation: 1/9, so train/ + test/ at 90/10 gives 80/10/10. */
export const VALIDATION_OF_TRAIN = 1 / 9;

/**
 * The split of one image: a pure function of the model's seed and the file's checksum, so it is
 * the same on every import and every server, and adding images never moves existing ones.
 * Split folders win: `test/` and `validation/` are kept as they are, `train/` gives up a share to
 * validation.
 */
export function assignSplit(seed: number, checksum: string, folderSplit: ImageSplit | null): ImageSplit {
  if (folderSplit === ImageSplit.TEST || folderSplit === ImageSplit.VALIDATION) return folderSplit;
  const u = unitHash(seed, checksum);
  if (folderSplit === ImageSplit.TRAIN) return u < 1 - VALIDATION_OF_TRAIN ? ImageSplit.TRAIN : ImageSplit.VALIDATION;
  if (u < TRAIN_SHARE) return ImageSplit.TRAIN;
  return u < TRAIN_SHARE + VALIDATION_SHARE ? ImageSplit.VALIDATION : ImageSplit.TEST;
}

/** A uniform number in [0, 1) from (seed, checksum). */
export function unitHash(seed: number, checksum: string): number {
  return createHash('sha256').update(`${seed}:${checksum}`).digest().readUInt32BE(0) / 2 ** 32;
}
