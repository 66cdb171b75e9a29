// Models are stored in the TensorFlow.js Layers format (model.json + weights.bin) through a tiny
// key/value interface that the server's blob store implements, so the very same files load in a
// browser with tf.loadLayersModel('…/model.json').
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as tf from './tf';

export interface ArtifactStore {
  put(key: string, data: Buffer, contentType?: string): Promise<void>;
  get(key: string): Promise<Buffer | null>;
}

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/** Keeps artifacts in a Map: for tests and for moving a model between parts of one process. */
export class MemoryArtifactStore implements ArtifactStore {
  readonly entries = new Map<string, { data: Buffer; contentType?: string }>();

  async put(key: string, data: Buffer, contentType?: string): Promise<void> {
    this.entries.set(key, { data: Buffer.from(data), contentType });
  }

  async get(key: string): Promise<Buffer | null> {
    const entry = this.entries.get(key);
    return entry ? Buffer.from(entry.data) : null;
  }
}

/** Keeps artifacts as files under one directory: for benchmarks, runners and local inspection. */
export class DirectoryArtifactStore implements ArtifactStore {
  constructor(readonly root: string) {}

  async put(key: string, data: Buffer): Promise<void> {
    const file = this.resolve(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    // Write then rename: a reader (or a crash) never sees half a checkpoint.
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, file);
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await fs.readFile(this.resolve(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  private resolve(key: string): string {
    const parts = key.split('/');
    if (parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\'))) {
      throw new Error(`invalid artifact key "${key}"`);
    }
    return path.join(this.root, ...parts);
  }
}

/** Joins a prefix and a file name into a store key ("" prefix means the store root). */
export function artifactKey(prefix: string, file: string): string {
  return prefix ? `${prefix.replace(/\/+$/, '')}/${file}` : file;
}

/**
 * A tfjs IOHandler that writes `<prefix>/weights.bin` then `<prefix>/model.json` (so a model.json
 * that exists always has its weights) and reads them back.
 */
export function storeHandler(store: ArtifactStore, prefix: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error('only Layers models (JSON topology) can be saved');
      }
      const weights = artifacts.weightData
        ? Buffer.from(tf.io.CompositeArrayBuffer.join(artifacts.weightData))
        : Buffer.alloc(0);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology!,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        // The browser resolves this path relative to model.json's URL.
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      await store.put(artifactKey(prefix, WEIGHTS_BIN), weights, 'application/octet-stream');
      const json = Buffer.from(JSON.stringify(modelJson));
      await store.put(artifactKey(prefix, MODEL_JSON), json, 'application/json');
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: JSON.stringify(artifacts.modelTopology).length,
          weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
          weightDataBytes: weights.length,
        },
      };
    },

    async load(): Promise<tf.io.ModelArtifacts> {
      const json = await store.get(artifactKey(prefix, MODEL_JSON));
      if (!json) throw new Error(`no model at "${artifactKey(prefix, MODEL_JSON)}"`);
      const modelJson = JSON.parse(json.toString('utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const file of group.paths) {
            const data = await store.get(artifactKey(prefix, file));
            if (!data) throw new Error(`model "${prefix}" lacks its weights file "${file}"`);
            buffers.push(toArrayBuffer(data));
          }
        }
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}

/** Saves a model under `prefix`; `metadata` lands in model.json's userDefinedMetadata. */
export async function saveModel(
  model: tf.LayersModel,
  store: ArtifactStore,
  prefix: string,
  metadata?: object,
): Promise<void> {
  if (metadata) model.setUserDefinedMetadata(metadata as Parameters<tf.LayersModel['setUserDefinedMetadata']>[0]);
  await model.save(storeHandler(store, prefix));
}

export async function loadModel(store: ArtifactStore, prefix: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(storeHandler(store, prefix));
}

export function toArrayBuffer(data: Buffer | Uint8Array): ArrayBuffer {
  return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
}
