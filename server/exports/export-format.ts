// The files of a model export and what they say. Pure: no TensorFlow.js, no database, so the
// server, the verifying child, the example and the web app read one definition.

export const EXPORT_FORMAT = 'percept-export';
export const EXPORT_VERSION = 1;

export const PREPROCESSING_JSON = 'preprocessing.json';
export const LABELS_JSON = 'labels.json';
export const HEADS_JSON = 'heads.json';
export const README_MD = 'README.md';
/** A plain model's network; an expandable model's is base/model.json plus heads/<n>/model.json. */
export const MODEL_JSON = 'model.json';
export const BASE_DIR = 'base';

/** TensorFlow.js's converter cuts weights into shards of this size; so do exports. */
export const SHARD_BYTES = 4 << 20;

export interface Preprocessing {
  format: typeof EXPORT_FORMAT;
  version: number;
  input: { width: number; height: number; channels: 1 | 3 };
  /** "single": model.json maps an image to one probability per label. "heads": see heads.json. */
  network: 'single' | 'heads';
  resize: { fit: 'fill'; kernel: 'lanczos3'; crop: false; padding: false };
  alpha: { flattenOnto: [255, 255, 255] };
  orientation: 'exif';
  colour: 'b-w' | 'srgb';
  /** Tensor value = byte / divideBy, float32, NHWC. */
  scale: { divideBy: 255 };
  layout: 'NHWC';
  /** The exact sharp call Percept runs (server/datasets/normalise.ts). */
  sharp: string;
  steps: string[];
}

export interface HeadsFile {
  combine: string;
  base: string;
  heads: { path: string; classIds: (number | null)[]; noneOutput: boolean }[];
}

export function preprocessingFor(input: Preprocessing['input'], network: Preprocessing['network']): Preprocessing {
  const colour = input.channels === 1 ? 'b-w' : 'srgb';
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    input,
    network,
    resize: { fit: 'fill', kernel: 'lanczos3', crop: false, padding: false },
    alpha: { flattenOnto: [255, 255, 255] },
    orientation: 'exif',
    colour,
    scale: { divideBy: 255 },
    layout: 'NHWC',
    sharp:
      `sharp(bytes, { autoOrient: true }).resize(${input.width}, ${input.height}, { fit: 'fill' })` +
      `.flatten({ background: '#ffffff' }).toColourspace('${colour}').raw().toBuffer()`,
    steps: [
      'Decode the image (PNG, JPEG, WebP, GIF, TIFF or AVIF) and turn it as its EXIF orientation says.',
      `Resize to exactly ${input.width}×${input.height} by stretching (fit "fill"): the whole picture is kept, ` +
        'nothing is cropped and no bars are added; libvips resamples with its default Lanczos-3 kernel.',
      'Flatten any transparency onto white.',
      input.channels === 1
        ? "Convert to one grey channel as libvips's b-w colourspace does (luminance of sRGB)."
        : 'Convert to three sRGB channels (8 bits each).',
      `Divide each byte by 255 to get float32 values in [0, 1], in height × width × channels order, and add a batch dimension: [n, ${input.height}, ${input.width}, ${input.channels}].`,
    ],
  };
}

export const HEADS_COMBINE =
  'Run base/model.json once per image; feed its output to every head. Output k of a head is the probability of the class labels.json names at index classIds[k]. A head\'s extra last output (noneOutput: true, "none of mine") and outputs whose class id is null (a deleted class) are not classes: drop them. Rank all remaining (class, probability) pairs; the most probable is the answer (ties: the lower class id). Heads are trained with the other heads\' classes as negatives, so their probabilities compare directly.';

/**
 * Cuts a weights file into TensorFlow.js shards and points model.json's manifest at them, as
 * tensorflowjs_converter writes them: group1-shard1ofN.bin … beside model.json.
 */
export function shardWeights(
  modelJson: { weightsManifest: { paths: string[]; weights: unknown[] }[] } & Record<string, unknown>,
  weights: Uint8Array,
): { modelJson: Record<string, unknown>; shards: { name: string; data: Uint8Array }[] } {
  const count = Math.max(1, Math.ceil(weights.length / SHARD_BYTES));
  const shards = Array.from({ length: count }, (_, i) => ({
    name: `group1-shard${i + 1}of${count}.bin`,
    data: weights.subarray(i * SHARD_BYTES, Math.min(weights.length, (i + 1) * SHARD_BYTES)),
  }));
  const specs = modelJson.weightsManifest.flatMap((g) => g.weights);
  return {
    modelJson: { ...modelJson, weightsManifest: [{ paths: shards.map((s) => s.name), weights: specs }] },
    shards,
  };
}
