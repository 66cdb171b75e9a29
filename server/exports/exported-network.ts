// Loads an export the way someone outside Percept would — TensorFlow.js alone, from the files of the
// zip — and classifies pixels with it. The verifying child process runs this; it imports only ../ml/tf
// (tfjs-core, -layers and the cpu backend: the TensorFlow.js a user's `@tensorflow/tfjs` brings), never
// the server's ML library (own kernels, wasm backend), or the check would test Percept with itself.
import * as tf from '../ml/tf';
import {
  HEADS_JSON,
  LABELS_JSON,
  MODEL_JSON,
  PREPROCESSING_JSON,
  type HeadsFile,
  type Preprocessing,
} from './export-format';

export interface Scored {
  classIndex: number;
  probability: number;
}

export class ExportedNetwork {
  private constructor(
    readonly preprocessing: Preprocessing,
    readonly labels: (string | null)[],
    private readonly single: tf.LayersModel | null,
    private readonly base: tf.LayersModel | null,
    private readonly heads: { model: tf.LayersModel; classIds: (number | null)[] }[],
  ) {}

  /** `files` maps zip entry names to their bytes. Throws on anything that does not load. */
  static async load(files: ReadonlyMap<string, Uint8Array>): Promise<ExportedNetwork> {
    const preprocessing = readJson<Preprocessing>(files, PREPROCESSING_JSON);
    const labels = readJson<(string | null)[]>(files, LABELS_JSON);
    if (preprocessing.network === 'single') {
      return new ExportedNetwork(preprocessing, labels, await loadLayers(files, MODEL_JSON), null, []);
    }
    const plan = readJson<HeadsFile>(files, HEADS_JSON);
    const base = await loadLayers(files, plan.base);
    const heads = [];
    for (const h of plan.heads) heads.push({ model: await loadLayers(files, h.path), classIds: h.classIds });
    return new ExportedNetwork(preprocessing, labels, null, base, heads);
  }

  /** Output widths: [single] or [base features, head 1, head 2, …]. */
  get outputWidths(): number[] {
    const width = (m: tf.LayersModel) => m.outputs[0]!.shape.at(-1)!;
    return this.single ? [width(this.single)] : [width(this.base!), ...this.heads.map((h) => width(h.model))];
  }

  /** [height, width, channels] the network takes. */
  get inputShape(): number[] {
    return (this.single ?? this.base)!.inputs[0]!.shape.slice(1) as number[];
  }

  /** Every served class's probability per image, most probable first. Pixels: HWC bytes. */
  async classify(images: readonly Uint8Array[]): Promise<Scored[][]> {
    const { width, height, channels } = this.preprocessing.input;
    const size = width * height * channels;
    const floats = new Float32Array(images.length * size);
    images.forEach((img, i) => {
      if (img.length !== size) throw new Error(`image ${i} has ${img.length} bytes, expected ${size}`);
      for (let k = 0; k < size; k++) floats[i * size + k] = img[k]! / this.preprocessing.scale.divideBy;
    });
    const input = tf.tensor4d(floats, [images.length, height, width, channels]);
    try {
      if (this.single) {
        const out = this.single.predict(input) as tf.Tensor;
        const data = await out.data();
        const n = out.shape.at(-1)!;
        out.dispose();
        return images.map((_, i) =>
          rank(
            Array.from(data.subarray(i * n, (i + 1) * n), (probability, classIndex) => ({ classIndex, probability })),
          ),
        );
      }
      const features = this.base!.predict(input) as tf.Tensor;
      const outs = this.heads.map((h) => h.model.predict(features) as tf.Tensor);
      features.dispose();
      const data = await Promise.all(outs.map((o) => o.data()));
      const widths = outs.map((o) => o.shape.at(-1)!);
      tf.dispose(outs);
      return images.map((_, i) => {
        const scores: Scored[] = [];
        this.heads.forEach((h, j) =>
          h.classIds.forEach((classIndex, k) => {
            if (classIndex !== null) scores.push({ classIndex, probability: data[j]![i * widths[j]! + k]! });
          }),
        );
        return rank(scores);
      });
    } finally {
      input.dispose();
    }
  }

  dispose(): void {
    for (const m of [this.single, this.base, ...this.heads.map((h) => h.model)]) m?.dispose();
  }
}

function readJson<T>(files: ReadonlyMap<string, Uint8Array>, name: string): T {
  const data = files.get(name);
  if (!data) throw new Error(`the export has no ${name}`);
  return JSON.parse(new TextDecoder().decode(data)) as T;
}

/** A Layers model from model.json and the shards its manifest names, paths relative to it. */
async function loadLayers(files: ReadonlyMap<string, Uint8Array>, path: string): Promise<tf.LayersModel> {
  const json = readJson<tf.io.ModelJSON>(files, path);
  const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/') + 1) : '';
  return tf.loadLayersModel({
    load: () =>
      tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const p of group.paths) {
            const data = files.get(dir + p);
            if (!data) throw new Error(`${path} names a weights file the export lacks: ${p}`);
            buffers.push(new Uint8Array(data).buffer); // a copy: `data` may be a view into a larger buffer
          }
        }
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
      }),
  });
}

function rank(scores: Scored[]): Scored[] {
  return scores.sort((a, b) => b.probability - a.probability || a.classIndex - b.classIndex);
}
