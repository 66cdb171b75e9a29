// Classification in the browser from a model export (exportModel): TensorFlow.js (tfjs-core,
// tfjs-layers and the webgl and cpu backends), bundled by Vite and loaded only when asked for, reads
// the zip's networks; the image is decoded and preprocessed here as preprocessing.json says, and
// never leaves the browser.
import type * as TF from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { unzipSync } from 'fflate';

interface Preprocessing {
  input: { width: number; height: number; channels: 1 | 3 };
  network: 'single' | 'heads';
  scale: { divideBy: number };
}

interface HeadsFile {
  base: string;
  heads: { path: string; classIds: (number | null)[] }[];
}

export interface LocalPrediction {
  classIndex: number;
  className: string;
  probability: number;
}

export class LocalClassifier {
  private constructor(
    private readonly tf: typeof TF,
    readonly preprocessing: Preprocessing,
    private readonly labels: (string | null)[],
    private readonly single: LayersModel | null,
    private readonly base: LayersModel | null,
    private readonly heads: { model: LayersModel; classIds: (number | null)[] }[],
  ) {}

  /** Loads an export zip's bytes. */
  static async load(zip: ArrayBuffer): Promise<LocalClassifier> {
    // Importing a backend package registers it: webgl where the browser has it, else cpu.
    const [tf, { loadLayersModel }] = await Promise.all([
      import('@tensorflow/tfjs-core'),
      import('@tensorflow/tfjs-layers'),
      import('@tensorflow/tfjs-backend-cpu'),
      import('@tensorflow/tfjs-backend-webgl'),
    ]);
    await tf.ready();
    const files = unzipSync(new Uint8Array(zip));
    const json = <T>(name: string): T => {
      const data = files[name];
      if (!data) throw new Error(`the export has no ${name}`);
      return JSON.parse(new TextDecoder().decode(data)) as T;
    };
    const layers = (path: string) => {
      const model = json<TF.io.ModelJSON>(path);
      const dir = path.slice(0, path.lastIndexOf('/') + 1);
      return loadLayersModel({
        load: () =>
          tf.io.getModelArtifactsForJSON(model, async (manifest) => {
            const shards = manifest.flatMap((g) => g.paths.map((p) => files[dir + p]));
            if (shards.some((s) => !s)) throw new Error(`${path} names a weights file the export lacks`);
            return [
              manifest.flatMap((g) => g.weights),
              tf.io.CompositeArrayBuffer.join(shards.map((s) => new Uint8Array(s!).buffer)),
            ];
          }),
      });
    };
    const pre = json<Preprocessing>('preprocessing.json');
    const labels = json<(string | null)[]>('labels.json');
    if (pre.network === 'single') return new LocalClassifier(tf, pre, labels, await layers('model.json'), null, []);
    const plan = json<HeadsFile>('heads.json');
    const heads = [];
    for (const h of plan.heads) heads.push({ model: await layers(h.path), classIds: h.classIds });
    return new LocalClassifier(tf, pre, labels, null, await layers(plan.base), heads);
  }

  /** The backend TensorFlow.js chose (webgl where the browser has it, else cpu). */
  get backend(): string {
    return this.tf.getBackend();
  }

  /** Most probable first. */
  async classify(image: Blob): Promise<LocalPrediction[]> {
    const { tf } = this;
    const { width, height, channels } = this.preprocessing.input;
    const pixels = await preprocess(image, this.preprocessing);
    const x = tf.tensor4d(
      Float32Array.from(pixels, (v) => v / this.preprocessing.scale.divideBy),
      [1, height, width, channels],
    );
    const scores: { classIndex: number; probability: number }[] = [];
    try {
      if (this.single) {
        const out = this.single.predict(x) as TF.Tensor;
        const probs = await out.data();
        out.dispose();
        probs.forEach((probability, classIndex) => scores.push({ classIndex, probability }));
      } else {
        const features = this.base!.predict(x) as TF.Tensor;
        for (const h of this.heads) {
          const out = h.model.predict(features) as TF.Tensor;
          const probs = await out.data();
          out.dispose();
          h.classIds.forEach((classIndex, k) => {
            if (classIndex !== null) scores.push({ classIndex, probability: probs[k]! });
          });
        }
        features.dispose();
      }
    } finally {
      x.dispose();
    }
    return scores
      .sort((a, b) => b.probability - a.probability || a.classIndex - b.classIndex)
      .map((s) => ({ ...s, className: this.labels[s.classIndex] ?? `class ${s.classIndex}` }));
  }
}

/**
 * preprocessing.json in a canvas: EXIF orientation (createImageBitmap's default "from-image"),
 * stretched to the input size, transparency onto white, then grey as libvips's b-w (luminance of
 * linear-light sRGB, re-encoded) or sRGB bytes. The canvas resamples with the browser's filter,
 * not Lanczos-3: identical for images already of the input size, close for others.
 */
export async function preprocess(image: Blob, pre: Preprocessing): Promise<Uint8Array> {
  const { width, height, channels } = pre.input;
  const bitmap = await createImageBitmap(image);
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const rgba = ctx.getImageData(0, 0, width, height, { colorSpace: 'srgb' }).data;
  const out = new Uint8Array(width * height * channels);
  for (let i = 0, j = 0; i < rgba.length; i += 4) {
    if (channels === 3) {
      out[j++] = rgba[i]!;
      out[j++] = rgba[i + 1]!;
      out[j++] = rgba[i + 2]!;
    } else {
      const y = 0.2126 * LINEAR[rgba[i]!]! + 0.7152 * LINEAR[rgba[i + 1]!]! + 0.0722 * LINEAR[rgba[i + 2]!]!;
      out[j++] = Math.round(255 * encode(y));
    }
  }
  return out;
}

const LINEAR = Float64Array.from({ length: 256 }, (_, v) => {
  const c = v / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
});

function encode(y: number): number {
  return Math.min(1, Math.max(0, y <= 0.0031308 ? 12.92 * y : 1.055 * y ** (1 / 2.4) - 0.055));
}
