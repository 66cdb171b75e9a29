// A child process that loads one export from its zip with TensorFlow.js alone (CPU backend, as a
// user's Node or a browser without WebGL would) and answers what it makes of the images it is sent.
import { readFile } from 'node:fs/promises';
import * as tf from '../ml/tf';
import { unzipSync } from 'fflate';
import { ExportedNetwork } from './exported-network';
import type { VerifyReply, VerifyRequest } from './verifier';

const CHUNK = 32;

process.once('message', (msg: VerifyRequest) => {
  void run(msg).then((reply) => process.send!(reply, () => process.exit(0)));
});

async function run(msg: VerifyRequest): Promise<VerifyReply> {
  let network: ExportedNetwork | null = null;
  try {
    await tf.setBackend('cpu');
    const files =
      'path' in msg.zip
        ? new Map(Object.entries(unzipSync(new Uint8Array(await readFile(msg.zip.path)))))
        : msg.zip.files;
    network = await ExportedNetwork.load(files);
    const scores = [];
    // In chunks, as the runners classify: 200 large images at once would cost gigabytes of activations.
    for (let i = 0; i < msg.images.length; i += CHUNK)
      scores.push(...(await network.classify(msg.images.slice(i, i + CHUNK))));
    return {
      ok: true,
      scores,
      inputShape: network.inputShape,
      outputWidths: network.outputWidths,
      backend: tf.getBackend(),
    };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  } finally {
    network?.dispose();
  }
}
