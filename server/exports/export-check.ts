import { BadUserInputError } from '../errors';
import {
  EXPORT_FORMAT,
  EXPORT_VERSION,
  HEADS_JSON,
  LABELS_JSON,
  MODEL_JSON,
  PREPROCESSING_JSON,
  type HeadsFile,
  type Preprocessing,
} from './export-format';

/** What an uploaded export holds, checked. */
export interface ReadExport {
  preprocessing: Preprocessing;
  /** Class names by class id; null where no class is. */
  labels: (string | null)[];
  heads: HeadsFile | null;
  /** By model.json path: its JSON, weight specs and weights (shards joined). */
  networks: Map<string, { modelJson: Record<string, unknown>; specs: WeightSpec[]; weights: Uint8Array }>;
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
}

const MAX_CLASSES = 10_000;
const MAX_HEADS = 256;
const FILE = /^(?:(?:base|heads\/[1-9][0-9]{0,3})\/)?(?:model\.json|group[0-9]+-shard[0-9]+of[0-9]+\.bin)$/;
const KNOWN = new Set([PREPROCESSING_JSON, LABELS_JSON, HEADS_JSON, 'README.md']);
const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

function refuse(message: string): never {
  throw new BadUserInputError(`The export cannot be used: ${message}`, { field: 'file', reason: 'INVALID_EXPORT' });
}

/** Checks an export's files without running anything: names, JSON, labels, heads, weight sizes. */
export function readExport(files: ReadonlyMap<string, Uint8Array>, maxSide: number): ReadExport {
  for (const name of files.keys())
    if (!KNOWN.has(name) && !FILE.test(name))
      refuse(`it holds ${JSON.stringify(name)}, which is not a file of a Percept export.`);
  const p = json<Preprocessing>(files, PREPROCESSING_JSON);
  if (p?.format !== EXPORT_FORMAT || p.version !== EXPORT_VERSION)
    refuse(`${PREPROCESSING_JSON} is not of a Percept export (format ${EXPORT_FORMAT}, version ${EXPORT_VERSION}).`);
  const { width, height, channels } = p.input ?? {};
  const side = (n: unknown) => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= maxSide;
  if (!side(width) || !side(height) || (channels !== 1 && channels !== 3))
    refuse(`the input must be 1 to ${maxSide} pixels a side with 1 or 3 channels.`);
  if (p.network !== 'single' && p.network !== 'heads') refuse('the network must be "single" or "heads".');

  const labels = json<unknown>(files, LABELS_JSON);
  if (!Array.isArray(labels) || labels.length === 0 || labels.length > MAX_CLASSES)
    refuse(`${LABELS_JSON} must be a list of 1 to ${MAX_CLASSES} class names.`);
  const seen = new Set<string>();
  for (const label of labels as unknown[]) {
    if (label === null) continue;
    if (typeof label !== 'string' || !label.trim() || label.length > 200)
      refuse(`${LABELS_JSON} holds ${JSON.stringify(label).slice(0, 60)}, not a class name (1 to 200 characters).`);
    if (seen.has(label)) refuse(`${LABELS_JSON} names "${label}" twice.`);
    seen.add(label);
  }

  let heads: HeadsFile | null = null;
  const paths = [MODEL_JSON];
  if (p.network === 'heads') {
    heads = json<HeadsFile>(files, HEADS_JSON);
    if (
      heads?.base !== `base/${MODEL_JSON}` ||
      !Array.isArray(heads.heads) ||
      !heads.heads.length ||
      heads.heads.length > MAX_HEADS
    )
      refuse(`${HEADS_JSON} must name base/${MODEL_JSON} and 1 to ${MAX_HEADS} heads.`);
    const served = new Set<number>();
    for (const [i, h] of heads.heads.entries()) {
      if (h.path !== `heads/${i + 1}/${MODEL_JSON}` || typeof h.noneOutput !== 'boolean' || !Array.isArray(h.classIds))
        refuse(`head ${i + 1} in ${HEADS_JSON} must be heads/${i + 1}/${MODEL_JSON} with classIds and noneOutput.`);
      for (const c of h.classIds) {
        if (c === null) continue;
        if (!Number.isInteger(c) || c < 0 || c >= labels.length || labels[c] === null)
          refuse(`head ${i + 1} answers class ${JSON.stringify(c)}, which ${LABELS_JSON} does not name.`);
        if (served.has(c)) refuse(`class ${c} is answered by two heads.`);
        served.add(c);
      }
    }
    paths.splice(0, 1, heads.base, ...heads.heads.map((h) => h.path));
  }
  const networks = new Map(paths.map((path) => [path, network(files, path)]));
  return { preprocessing: p, labels: labels as (string | null)[], heads, networks };
}

function json<T>(files: ReadonlyMap<string, Uint8Array>, name: string): T {
  const data = files.get(name);
  if (!data) refuse(`it has no ${name}.`);
  try {
    return JSON.parse(Buffer.from(data).toString('utf8')) as T;
  } catch {
    return refuse(`${name} is not JSON.`);
  }
}

/** A model.json whose manifest names shards present in the zip that hold exactly its weights. */
function network(files: ReadonlyMap<string, Uint8Array>, path: string) {
  const modelJson = json<Record<string, unknown>>(files, path);
  const manifest = modelJson.weightsManifest as { paths?: unknown; weights?: unknown }[] | undefined;
  if (typeof modelJson.modelTopology !== 'object' || modelJson.modelTopology === null || !Array.isArray(manifest))
    refuse(`${path} is not a TensorFlow.js Layers model (modelTopology and weightsManifest).`);
  const dir = path.slice(0, path.lastIndexOf('/') + 1);
  const shards: Uint8Array[] = [];
  const specs: WeightSpec[] = [];
  for (const group of manifest) {
    if (!Array.isArray(group.paths) || !Array.isArray(group.weights))
      refuse(`${path} has a malformed weightsManifest.`);
    for (const p of group.paths as unknown[]) {
      const shard = typeof p === 'string' ? files.get(dir + p) : undefined;
      if (!shard) refuse(`${path} names a weights file the zip lacks: ${JSON.stringify(p)}.`);
      shards.push(shard);
    }
    specs.push(...(group.weights as WeightSpec[]));
  }
  let expected = 0;
  for (const s of specs) {
    const size = BYTES[s?.dtype];
    if (
      !size ||
      typeof s.name !== 'string' ||
      !Array.isArray(s.shape) ||
      !s.shape.every((d) => Number.isInteger(d) && d >= 0)
    )
      refuse(
        `${path} has a weight that is not float32, int32 or bool with a shape: ${JSON.stringify(s).slice(0, 80)}.`,
      );
    if ('quantization' in s) refuse(`${path} has quantised weights, which Percept does not import.`);
    expected += size * s.shape.reduce((a, b) => a * b, 1);
  }
  const weights = Buffer.concat(shards);
  if (weights.length !== expected)
    refuse(`${path}'s weights are ${weights.length} bytes; its manifest describes ${expected}.`);
  return { modelJson, specs, weights };
}
