import type { HeadsFile, Preprocessing } from './export-format';

/** The README.md inside an export: what the files are and how to run them outside Percept. */
export function exportReadme(
  modelName: string,
  p: Preprocessing,
  names: readonly string[],
  heads: HeadsFile | null,
): string {
  const { width, height, channels } = p.input;
  const network = heads
    ? `An expandable model: \`base/model.json\` turns an image into features and each of
\`heads/<n>/model.json\` turns features into probabilities of some of the classes.
\`heads.json\` lists the heads, which class each output is, and how to combine them:

> ${heads.combine}`
    : '`model.json` (with its `group1-shard*.bin` weights) maps an image to one probability per entry of `labels.json`.';
  return `# ${modelName} — exported from Percept

A TensorFlow.js Layers model: it runs with \`@tensorflow/tfjs\` in a browser or in Node, as it is.

- Input: ${width}×${height} pixels, ${channels === 1 ? '1 channel (grey)' : '3 channels (sRGB)'}, float32 in [0, 1], shape \`[n, ${height}, ${width}, ${channels}]\`.
- \`labels.json\`: the ${names.length} class names, in output order (index = class id).
- \`preprocessing.json\`: exactly how Percept turns an image into the input tensor.

${network}

## Preprocessing

${p.steps.map((s, i) => `${i + 1}. ${s}`).join('\n')}

In Node, this is Percept's own call:

\`\`\`js
${p.sharp}
\`\`\`

## Node (\`npm install @tensorflow/tfjs sharp\`)

Unzip the export into a folder (\`unzip export.zip -d model\`), then:

\`\`\`js
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { readFileSync } from 'node:fs';

const dir = 'model/';
const load = (path) => {
  const json = JSON.parse(readFileSync(dir + path, 'utf8'));
  const here = dir + path.slice(0, path.lastIndexOf('/') + 1);
  const shards = json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(here + p)));
  return tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: new Uint8Array(Buffer.concat(shards)).buffer,
  }));
};
const labels = JSON.parse(readFileSync(dir + 'labels.json', 'utf8'));
const pixels = await ${p.sharp.replace('sharp(bytes', "sharp(readFileSync('photo.jpg')")};
const x = tf.tensor4d(Float32Array.from(pixels, (v) => v / 255), [1, ${height}, ${width}, ${channels}]);
${
  heads
    ? `const plan = JSON.parse(readFileSync(dir + 'heads.json', 'utf8'));
const features = (await load(plan.base)).predict(x);
const scores = [];
for (const h of plan.heads) {
  const probs = await (await load(h.path)).predict(features).data();
  h.classIds.forEach((id, k) => id !== null && scores.push({ label: labels[id], probability: probs[k] }));
}
scores.sort((a, b) => b.probability - a.probability);
console.log(scores[0]);`
    : `const probs = await (await load('model.json')).predict(x).data();
const best = probs.indexOf(Math.max(...probs));
console.log(labels[best], probs[best]);`
}
\`\`\`

Percept's repository has the same as a script: \`examples/classify-node.mjs <folder> <image>\`.

## Browser

Serve the unzipped folder next to your page (any static server), then:

\`\`\`js
import * as tf from '@tensorflow/tfjs';

const labels = await (await fetch('model/labels.json')).json();
${heads ? "const plan = await (await fetch('model/heads.json')).json();\nconst base = await tf.loadLayersModel('model/' + plan.base);\nconst heads = await Promise.all(plan.heads.map((h) => tf.loadLayersModel('model/' + h.path)));" : "const model = await tf.loadLayersModel('model/model.json');"}
const canvas = new OffscreenCanvas(${width}, ${height});
const ctx = canvas.getContext('2d');
ctx.fillStyle = '#fff'; // transparency onto white
ctx.fillRect(0, 0, ${width}, ${height});
ctx.drawImage(imageBitmap, 0, 0, ${width}, ${height}); // stretch, as fit "fill"
let x = tf.browser.fromPixels(ctx.getImageData(0, 0, ${width}, ${height}), 3).toFloat().div(255);${
    channels === 1
      ? `
// Grey as libvips's b-w: luminance of linear-light sRGB, then back to sRGB's curve (the power
// 2.4 stands in for the exact sRGB curve; a grey image is unchanged either way).
x = x.pow(2.4).mul([0.2126, 0.7152, 0.0722]).sum(2, true).pow(1 / 2.4);`
      : ''
  }
${heads ? 'const features = base.predict(x.expandDims(0));\n// …then each head on features, combined as heads.json says.' : 'const probs = await model.predict(x.expandDims(0)).data();\nconsole.log(labels[probs.indexOf(Math.max(...probs))]);'}
\`\`\`

A canvas resamples with the browser's own filter, not Lanczos-3: for images already ${width}×${height} the
input is the same, for others it is close but not identical to Percept's.
`;
}
