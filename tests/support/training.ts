import { ZipWriter as JSZip } from './zip-writer';
import sharp from 'sharp';
import { SYNTHETIC_CLASSES, syntheticImages } from '../../server/ml/synthetic';
import { createModel, png } from './fixtures';
import { gql, gqlUpload } from './graphql';

export interface SyntheticSet {
  zip: Buffer;
  /** PNGs of other images than the zip's, by class name: held out for classify. */
  heldOut: { className: string; png: Buffer }[];
}

/**
 * A zip of class folders of small generated PNGs (the patterns of server/ml/synthetic.ts): the
 * first `classes` patterns, or those at the indexes in `pick` (the same images whichever others are
 * picked, so zips of disjoint picks share none). `folderOf` renames class folders. Entries cycle
 * through the classes, unless `byFolder` writes them class folder by class folder, as a zip made
 * of a user's folders arrives.
 */
export async function syntheticZip(opts: {
  classes: number;
  perClass: number;
  side: number;
  heldOutPerClass?: number;
  seed?: number;
  pick?: number[];
  folderOf?: (className: string) => string;
  byFolder?: boolean;
}): Promise<SyntheticSet> {
  const { perClass, side } = opts;
  const generated = opts.pick ? SYNTHETIC_CLASSES.length : opts.classes;
  const pick = new Set(opts.pick ?? Array.from({ length: opts.classes }, (_, i) => i));
  const heldOutPerClass = opts.heldOutPerClass ?? 0;
  const total = generated * (perClass + heldOutPerClass);
  const images = syntheticImages({
    height: side,
    width: side,
    channels: 1,
    classes: generated,
    count: total,
    seed: opts.seed ?? 7,
  });
  const files: { name: string; folder: string; png: Buffer }[] = [];
  const heldOut: SyntheticSet['heldOut'] = [];
  const bytes = side * side;
  for (let i = 0; i < total; i++) {
    if (!pick.has(images.labels[i]!)) continue;
    const className = opts.folderOf?.(SYNTHETIC_CLASSES[images.labels[i]!]!) ?? SYNTHETIC_CLASSES[images.labels[i]!]!;
    const png = await sharp(Buffer.from(images.pixels.subarray(i * bytes, (i + 1) * bytes)), {
      raw: { width: side, height: side, channels: 1 },
    })
      .png()
      .toBuffer();
    // Labels cycle through the classes, so the first perClass rounds go to the zip.
    if (i < generated * perClass) files.push({ name: `shapes/${className}/${i}.png`, folder: className, png });
    else heldOut.push({ className, png });
  }
  if (opts.byFolder) files.sort((a, b) => a.folder.localeCompare(b.folder));
  const zip = new JSZip();
  files.forEach((f) => zip.file(f.name, f.png));
  return { zip: await zip.generateAsync({ type: 'nodebuffer' }), heldOut };
}

/** Waits for a task to reach `status`; fails at once when it ends otherwise (with its error). */
export async function waitForTask(url: string, token: string, id: string, status = 'SUCCEEDED', timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const t = (await gql(url, 'query($id: ID!) { task(id: $id) { status error result attempts } }', { id }, token)).data
      ?.task;
    if (t?.status === status) return t;
    if (t && ['FAILED', 'CANCELLED', 'SUCCEEDED'].includes(t.status))
      throw new Error(`task ${id} ended ${t.status}: ${t.error}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for task ${id} to be ${status} (it is ${t?.status})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const TRAIN = `mutation($id: ID!, $input: TrainModelInput) { trainModel(modelId: $id, input: $input) { id status } }`;
export const CLASSIFY = `mutation($id: ID!, $image: ImageInput!) {
  classify(modelId: $id, image: $image, topK: 3) { candidateId predictions { className probability } }
}`;

/**
 * A model of the user's, created from a grey `side`×`side` sample, given `data`'s zip and trained
 * (one candidate, `maxEpochs`) until its run succeeds: the setup of tests about a trained model.
 */
export async function trainedModel(
  url: string,
  token: string,
  opts: { name: string; side: number; data: SyntheticSet; maxEpochs: number; candidates?: number },
): Promise<string> {
  const modelId = (await createModel(url, token, opts.name, await png(opts.side, opts.side, 1))).id;
  const imported = await gqlUpload(
    url,
    'mutation($m: ID!, $f: Upload!) { importDataset(modelId: $m, file: $f) { id } }',
    { m: modelId, f: null },
    { f: { data: opts.data.zip, filename: 'data.zip', type: 'application/zip' } },
    token,
  );
  await waitForTask(url, token, imported.data!.importDataset.id);
  const trained = await gql(
    url,
    TRAIN,
    { id: modelId, input: { candidates: opts.candidates ?? 1, maxEpochs: opts.maxEpochs } },
    token,
  );
  await waitForTask(url, token, trained.data!.trainModel.id, 'SUCCEEDED', 180_000);
  return modelId;
}

/** Classifies each held-out image through the API: the share answered right, and which networks answered. */
export async function heldOutAccuracy(
  url: string,
  token: string,
  modelId: string,
  heldOut: SyntheticSet['heldOut'],
): Promise<{ accuracy: number; candidateIds: Set<string> }> {
  let right = 0;
  const candidateIds = new Set<string>();
  for (const h of heldOut) {
    const res = await gql(url, CLASSIFY, { id: modelId, image: { base64: h.png.toString('base64') } }, token);
    if (!res.data) throw new Error(`classify failed: ${JSON.stringify(res.errors)}`);
    candidateIds.add(res.data.classify.candidateId);
    if (res.data.classify.predictions[0].className === h.className) right++;
  }
  return { accuracy: right / heldOut.length, candidateIds };
}
