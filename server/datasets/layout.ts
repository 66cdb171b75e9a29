import { ImageSplit } from './image.entity';
import { SkipReason, type SkippedFile } from './import-report';
import { safeEntryPath } from './zip-archive';

/** A file that sits in a class folder and will be decoded. */
export interface PlannedFile {
  /** Position in the archive's central directory. */
  index: number;
  path: string;
  className: string;
  /** Set by a `train/`, `validation/` or `test/` folder; null lets the seeded split decide. */
  folderSplit: ImageSplit | null;
}

export interface LayoutPlan {
  files: PlannedFile[];
  skipped: SkippedFile[];
  /** Class folder names in first-seen order. */
  classNames: string[];
  /** The single top folder that was looked through, if any. */
  topFolder: string | null;
  splitFolders: boolean;
}

const SPLIT_FOLDERS: Record<string, ImageSplit> = {
  train: ImageSplit.TRAIN,
  training: ImageSplit.TRAIN,
  val: ImageSplit.VALIDATION,
  validation: ImageSplit.VALIDATION,
  test: ImageSplit.TEST,
};

export const MAX_CLASS_NAME = 200;

/**
 * A class name as stored: trimmed and in Unicode NFC. macOS zips names decomposed (NFD), other
 * systems composed, so without this `café/` from two machines made two classes that look the same.
 */
export function className(name: string): string {
  return name.trim().normalize('NFC');
}

/**
 * Reads the dataset layout from entry names alone: one folder per class at the root or under a
 * single top folder; or `train/` and `test/` (and optionally `validation/`) folders each holding
 * class folders, whose split is then kept. Files deeper inside a class folder belong to it.
 */
export function planLayout(entries: readonly { name: string; directory: boolean }[]): LayoutPlan {
  const skipped: SkippedFile[] = [];
  const files: { index: number; path: string; segments: string[] }[] = [];
  const dirs: string[][] = [];
  entries.forEach((e, index) => {
    const segments = safeEntryPath(e.name)?.map((s) => s.normalize('NFC')) ?? null;
    if (segments === null) {
      if (!e.directory) skipped.push({ path: e.name, reason: SkipReason.UNSAFE_PATH, detail: 'absolute or ".." path' });
      return;
    }
    if (segments.length === 0) return;
    if (segments.some(isSystemName)) {
      if (!e.directory) skipped.push({ path: e.name, reason: SkipReason.SYSTEM_FILE, detail: 'hidden or system file' });
      return;
    }
    if (e.directory) dirs.push(segments);
    else files.push({ index, path: segments.join('/'), segments });
  });

  // A single top folder is looked through when something inside it is itself in a folder;
  // `cats/1.png, cats/2.png` alone stays one class named "cats".
  const first = files[0]?.segments[0];
  const topFolder =
    first !== undefined &&
    !(first.toLowerCase() in SPLIT_FOLDERS) &&
    files.every((f) => f.segments.length >= 2 && f.segments[0] === first) &&
    files.some((f) => f.segments.length >= 3)
      ? first
      : null;
  const strip = (s: string[]) => (topFolder !== null && s[0] === topFolder ? s.slice(1) : s);

  const splitOf = (s: string[]) => SPLIT_FOLDERS[s[0]?.toLowerCase() ?? ''];
  const splitFolders = files.some((f) => {
    const s = strip(f.segments);
    return s.length >= 3 && splitOf(s) !== undefined;
  });

  const planned: PlannedFile[] = [];
  const classNames: string[] = [];
  const classSeen = new Set<string>();
  const classOf = (s: string[]): { className: string; folderSplit: ImageSplit | null } | string => {
    let rest = s;
    let folderSplit: ImageSplit | null = null;
    if (splitFolders) {
      const split = splitOf(rest);
      if (split === undefined) return 'with train/ and test/ folders, class folders belong inside them';
      folderSplit = split;
      rest = rest.slice(1);
    }
    if (rest.length < 2) return 'not inside a class folder';
    const name = className(rest[0]!);
    if (name === '') return 'the class folder name is blank';
    if (name.length > MAX_CLASS_NAME) return `the class folder name is over ${MAX_CLASS_NAME} characters`;
    return { className: name, folderSplit };
  };

  for (const f of files) {
    const where = classOf(strip(f.segments));
    if (typeof where === 'string') {
      skipped.push({ path: f.path, reason: SkipReason.OUTSIDE_CLASS_FOLDER, detail: where });
      continue;
    }
    planned.push({ index: f.index, path: f.path, ...where });
    if (!classSeen.has(where.className)) {
      classSeen.add(where.className);
      classNames.push(where.className);
    }
  }

  // Class folders that appear only as directory entries: reported, and no class is made for them.
  const filled = new Set(planned.map((p) => `${p.folderSplit}|${p.className}`));
  const empty = new Set<string>();
  for (const d of dirs) {
    const s = strip(d);
    const depth = splitFolders ? 2 : 1;
    if (s.length !== depth || (splitFolders && splitOf(s) === undefined)) continue;
    const name = className(s[depth - 1]!);
    const path = d.join('/') + '/';
    if (name && !filled.has(`${splitFolders ? splitOf(s) : null}|${name}`) && !empty.has(path)) {
      empty.add(path);
      skipped.push({ path, reason: SkipReason.EMPTY_CLASS_FOLDER, detail: 'the class folder holds no files' });
    }
  }

  return { files: planned, skipped, classNames, topFolder, splitFolders };
}

/**
 * The planned files in the order an import reads them: each class folder (per split folder) in
 * archive order, the folders interleaved in proportion to their sizes, so that any run of
 * consecutive files mixes the classes as the whole archive does. Zips arrive class folder by class
 * folder, and training shards are cut from consecutive imported images (datasets/shards.ts). Each
 * folder's first file comes first, in archive order, so classes are still created in upload order.
 */
export function interleaveClasses(files: readonly PlannedFile[]): PlannedFile[] {
  const folders = new Map<string, PlannedFile[]>();
  for (const f of files) {
    const key = `${f.folderSplit}|${f.className}`;
    const folder = folders.get(key);
    if (folder) folder.push(f);
    else folders.set(key, [f]);
  }
  // Folders in first-seen order: their position breaks ties between equal fractions.
  const keyed = [...folders.values()].flatMap((folder, rank) =>
    folder.map((file, j) => ({ file, at: j / folder.length, rank })),
  );
  return keyed.sort((a, b) => a.at - b.at || a.rank - b.rank).map((k) => k.file);
}

const SYSTEM_NAMES = new Set(['__macosx', 'thumbs.db', 'desktop.ini']);

function isSystemName(segment: string): boolean {
  return segment.startsWith('.') || SYSTEM_NAMES.has(segment.toLowerCase());
}
