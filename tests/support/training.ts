import JSZip from 'jszip';
import sharp from 'sharp';
import { SYNTHETIC_CLASSES, syntheticImages } from '../../server/ml/synthetic';
import { gql } from './graphql';
import { waitFor } from './wait';

export interface SyntheticSet {
  zip: Buffer;
  /** PNGs of other images than the zip's, by class name: held out for classify. */
  heldOut: { className: string; png: Buffer }[];
}

/** A zip of class folders of small generated PNGs (the patterns of server/ml/synthetic.ts). */
export async function syntheticZip(opts: {
  classes: number;
  perClass: number;
  side: number;
  heldOutPerClass?: number;
  seed?: number;
}): Promise<SyntheticSet> {
  const { classes, perClass, side } = opts;
  const heldOutPerClass = opts.heldOutPerClass ?? 0;
  const total = classes * (perClass + heldOutPerClass);
  const images = syntheticImages({
    height: side,
    width: side,
    channels: 1,
    classes,
    count: total,
    seed: opts.seed ?? 7,
  });
  const zip = new JSZip();
  const heldOut: SyntheticSet['heldOut'] = [];
  const bytes = side * side;
  for (let i = 0; i < total; i++) {
    const className = SYNTHETIC_CLASSES[images.labels[i]!]!;
    const png = await sharp(Buffer.from(images.pixels.subarray(i * bytes, (i + 1) * bytes)), {
      raw: { width: side, height: side, channels: 1 },
    })
      .png()
      .toBuffer();
    // Labels cycle through the classes, so the first perClass rounds go to the zip.
    if (i < classes * perClass) zip.file(`shapes/${className}/${i}.png`, png);
    else heldOut.push({ className, png });
  }
  return { zip: await zip.generateAsync({ type: 'nodebuffer' }), heldOut };
}

export async function waitForTask(url: string, token: string, id: string, status = 'SUCCEEDED', timeoutMs = 120_000) {
  return waitFor(
    `task ${id} ${status}`,
    async () => {
      const t = (await gql(url, 'query($id: ID!) { task(id: $id) { status error result } }', { id }, token)).data?.task;
      if (t && t.status !== status && ['FAILED', 'CANCELLED', 'SUCCEEDED'].includes(t.status)) {
        throw new Error(`task ${id} ended ${t.status}: ${t.error}`);
      }
      return t?.status === status ? t : undefined;
    },
    timeoutMs,
  );
}

export const TRAIN = `mutation($id: ID!, $input: TrainModelInput) { trainModel(modelId: $id, input: $input) { id status } }`;
export const CLASSIFY = `mutation($id: ID!, $image: ImageInput!) {
  classify(modelId: $id, image: $image, topK: 3) { candidateId predictions { className probability } }
}`;
