import { zipSync, type Zippable } from 'fflate';
import type { ArtifactStore } from '../ml/io';
import { parseNetworkKey } from '../runners/network-key';
import {
  BASE_DIR,
  HEADS_COMBINE,
  HEADS_JSON,
  LABELS_JSON,
  MODEL_JSON,
  PREPROCESSING_JSON,
  README_MD,
  preprocessingFor,
  shardWeights,
  type HeadsFile,
  type Preprocessing,
} from './export-format';
import { exportReadme } from './export-readme';

export interface BundleInput {
  modelName: string;
  /** What classify runs: an artifact prefix, or a head set key (runners/network-key.ts). */
  networkKey: string;
  /** Class names by output index (labels.json). */
  names: string[];
  input: Preprocessing['input'];
  /** Whether a head (by artifact prefix) has a last "none of mine" output. */
  noneOutput: (headKey: string) => boolean;
}

/** The files of an export, by zip entry name. */
export async function bundleFiles(
  store: Pick<ArtifactStore, 'get'>,
  input: BundleInput,
): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  const addNetwork = async (prefix: string, dir: string) => {
    const json = await store.get(`${prefix}/model.json`);
    const weights = await store.get(`${prefix}/weights.bin`);
    if (!json || !weights) throw new Error(`the network at ${prefix} is missing`);
    const { modelJson, shards } = shardWeights(JSON.parse(json.toString('utf8')), weights);
    // Percept's own bookkeeping (candidate ids) means nothing outside it.
    delete modelJson.userDefinedMetadata;
    files.set(dir + MODEL_JSON, Buffer.from(JSON.stringify(modelJson)));
    for (const s of shards) files.set(dir + s.name, s.data);
  };
  const target = parseNetworkKey(input.networkKey);
  let heads: HeadsFile | null = null;
  if ('artifactKey' in target) {
    await addNetwork(target.artifactKey, '');
  } else {
    await addNetwork(target.heads.base, `${BASE_DIR}/`);
    heads = { combine: HEADS_COMBINE, base: `${BASE_DIR}/${MODEL_JSON}`, heads: [] };
    for (const [i, h] of target.heads.heads.entries()) {
      await addNetwork(h.key, `heads/${i + 1}/`);
      heads.heads.push({
        path: `heads/${i + 1}/${MODEL_JSON}`,
        classIds: h.classIds,
        noneOutput: input.noneOutput(h.key),
      });
    }
    files.set(HEADS_JSON, json(heads));
  }
  const preprocessing = preprocessingFor(input.input, heads ? 'heads' : 'single');
  files.set(PREPROCESSING_JSON, json(preprocessing));
  files.set(LABELS_JSON, json(input.names));
  files.set(README_MD, Buffer.from(exportReadme(input.modelName, preprocessing, input.names, heads)));
  return files;
}

export function zipFiles(files: ReadonlyMap<string, Uint8Array>): Buffer {
  const tree: Zippable = {};
  // A fixed time: the same network exports to the same bytes (and sha256).
  for (const [name, data] of files) tree[name] = [data, { mtime: new Date('2020-01-01T00:00:00Z') }];
  return Buffer.from(zipSync(tree, { level: 6 }));
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value, null, 2) + '\n');
}
