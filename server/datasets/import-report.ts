import { registerEnumType } from 'type-graphql';

/** Why a file of an upload was not imported. Every skipped file is reported with one. */
export enum SkipReason {
  NOT_AN_IMAGE = 'NOT_AN_IMAGE',
  UNSUPPORTED_FORMAT = 'UNSUPPORTED_FORMAT',
  CORRUPT = 'CORRUPT',
  /** Over the pixel limit (decompression bomb) or, for URLs, the byte limit. */
  TOO_LARGE = 'TOO_LARGE',
  /** The same file (SHA-256) is already in this model, or earlier in this upload. */
  DUPLICATE = 'DUPLICATE',
  OUTSIDE_CLASS_FOLDER = 'OUTSIDE_CLASS_FOLDER',
  UNSAFE_PATH = 'UNSAFE_PATH',
  /** A class folder with no files: no class is created for it. */
  EMPTY_CLASS_FOLDER = 'EMPTY_CLASS_FOLDER',
  /** Hidden and operating-system files (`.DS_Store`, `__MACOSX/`, `Thumbs.db`). */
  SYSTEM_FILE = 'SYSTEM_FILE',
  /** Manifest lines: not an http(s) URL, or no label. */
  INVALID_URL = 'INVALID_URL',
  MISSING_LABEL = 'MISSING_LABEL',
}
registerEnumType(SkipReason, { name: 'SkipReason' });

export interface SkippedFile {
  path: string;
  reason: SkipReason;
  detail: string;
}

/** The task's result: what was imported per class and every file that was not, with why. */
export interface ImportResult {
  [key: string]: unknown;
  kind: 'zip' | 'manifest';
  filesSeen: number;
  imported: number;
  skipped: number;
  classes: { name: string; imported: number }[];
  skippedByReason: Partial<Record<SkipReason, number>>;
  skippedFiles: SkippedFile[];
  /** Skipped files beyond the listed ones (counted above, not listed). */
  skippedNotListed: number;
  seconds: number;
  imagesPerSecond: number;
}

/** Keeps the result row a reasonable size; the counts stay exact. */
export const MAX_LISTED_SKIPS = 50_000;

/** Counts as the import goes; shared by the zip and manifest paths. */
export class ImportReport {
  filesSeen = 0;
  private readonly perClass = new Map<string, number>();
  private readonly byReason = new Map<SkipReason, number>();
  private readonly listed: SkippedFile[] = [];
  private skippedCount = 0;
  private importedCount = 0;
  private readonly started = Date.now();

  constructor(private readonly kind: 'zip' | 'manifest') {}

  get imported(): number {
    return this.importedCount;
  }

  get skipped(): number {
    return this.skippedCount;
  }

  addImported(className: string): void {
    this.importedCount++;
    this.perClass.set(className, (this.perClass.get(className) ?? 0) + 1);
  }

  skip(path: string, reason: SkipReason, detail: string): void {
    this.skippedCount++;
    this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + 1);
    if (this.listed.length < MAX_LISTED_SKIPS) this.listed.push({ path, reason, detail });
  }

  rate(): number {
    const seconds = (Date.now() - this.started) / 1000;
    return seconds > 0 ? Math.round((this.importedCount / seconds) * 10) / 10 : 0;
  }

  progress(phase: string, filesTotal: number): Record<string, unknown> {
    return {
      phase,
      filesTotal,
      filesSeen: this.filesSeen,
      imported: this.importedCount,
      skipped: this.skippedCount,
      imagesPerSecond: this.rate(),
    };
  }

  result(): ImportResult {
    const seconds = (Date.now() - this.started) / 1000;
    return {
      kind: this.kind,
      filesSeen: this.filesSeen,
      imported: this.importedCount,
      skipped: this.skippedCount,
      classes: [...this.perClass]
        .map(([name, imported]) => ({ name, imported }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      skippedByReason: Object.fromEntries(this.byReason),
      skippedFiles: this.listed,
      skippedNotListed: this.skippedCount - this.listed.length,
      seconds: Math.round(seconds * 1000) / 1000,
      imagesPerSecond: this.rate(),
    };
  }
}
