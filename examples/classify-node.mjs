#!/usr/bin/env node
// Classifies an image with a model exported from Percept (exportModel), outside Percept: only
// TensorFlow.js and sharp. Unzip the export first:
//
//   npm install @tensorflow/tfjs-core @tensorflow/tfjs-layers @tensorflow/tfjs-backend-cpu sharp
//   unzip model.zip -d model && node examples/classify-node.mjs model photo.jpg
//
// The umbrella @tensorflow/tfjs (what the export's README installs) has all three: with it, import
// `* as tf from '@tensorflow/tfjs'` and call `tf.loadLayersModel`.
//
// Prints one JSON line: the most probable class and the top five.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import sharp from 'sharp';

const [dir, imagePath] = process.argv.slice(2);
if (!dir || !imagePath) {
  console.error('usage: node classify-node.mjs <unzipped export folder> <image file>');
  process.exit(2);
}
const readJson = (path) => JSON.parse(readFileSync(join(dir, path), 'utf8'));

/** A Layers model from model.json and its weight shards (paths relative to model.json). */
function loadLayers(path) {
  const json = readJson(path);
  const here = join(dir, path, '..');
  const shards = json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(here, p))));
  const weights = Buffer.concat(shards);
  return loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  );
}

const pre = readJson('preprocessing.json');
const labels = readJson('labels.json');
const { width, height, channels } = pre.input;

// Exactly Percept's preprocessing (preprocessing.json): stretch to the input size, alpha onto
// white, grey (b-w) or sRGB, bytes / 255.
const pixels = await sharp(readFileSync(imagePath), { autoOrient: true })
  .resize(width, height, { fit: pre.resize.fit })
  .flatten({ background: '#ffffff' })
  .toColourspace(pre.colour)
  .raw()
  .toBuffer();
const x = tf.tensor4d(
  Float32Array.from(pixels, (v) => v / pre.scale.divideBy),
  [1, height, width, channels],
);

const scores = [];
if (pre.network === 'single') {
  const probs = await (await loadLayers('model.json')).predict(x).data();
  probs.forEach((probability, classIndex) => scores.push({ classIndex, probability }));
} else {
  // heads.json: the base once, then every head; outputs map to class ids, "none of mine" dropped.
  const plan = readJson('heads.json');
  const features = (await loadLayers(plan.base)).predict(x);
  for (const head of plan.heads) {
    const probs = await (await loadLayers(head.path)).predict(features).data();
    head.classIds.forEach((classIndex, k) => {
      if (classIndex !== null) scores.push({ classIndex, probability: probs[k] });
    });
  }
}
scores.sort((a, b) => b.probability - a.probability || a.classIndex - b.classIndex);
const named = scores.map((s) => ({ label: labels[s.classIndex], ...s }));
console.log(JSON.stringify({ ...named[0], top: named.slice(0, 5) }));
