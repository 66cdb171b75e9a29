// Scores ensembles of networks trained in separate processes (`bench/recipe.ts --save FILE`, one
// process per core): each network alone, and the mean of their probabilities, on the validation
// and test images, with the rule Percept serves by (server/ml/ensemble.ts chooseMembers).
//   node dist/bench/ensemble.js a.json b.json …
// The files must come from the same data (--per-class, --test-per-class): the labels are checked.
// The last line is one JSON object.
import { readFileSync } from 'node:fs';
import { chooseMembers, meanAccuracy } from '../server/ml/ensemble';

interface Saved {
  valLabels: number[];
  testLabels: number[];
  members: Array<{ name: string; valAcc: number; val: number[][]; test: number[][] }>;
}

const files = process.argv.slice(2);
if (files.length === 0) throw new Error('usage: ensemble.js saved.json …');
const saved = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as Saved);
const [first] = saved;
for (const s of saved)
  if (s.valLabels.join() !== first!.valLabels.join() || s.testLabels.join() !== first!.testLabels.join())
    throw new Error('the files score different images');
const networks = saved.flatMap((s) => s.members);
const classes = networks[0]!.val[0]!.length;
const flat = (rows: number[][]) => Float32Array.from(rows.flat());
const val = networks.map((n) => flat(n.val));
const test = networks.map((n) => flat(n.test));
const valLabels = Int32Array.from(first!.valLabels);
const testLabels = Int32Array.from(first!.testLabels);
const round = (x: number) => Math.round(x * 10000) / 10000;

const alone = networks.map((n, i) => ({
  name: n.name,
  val: round(meanAccuracy([val[i]!], valLabels, classes)),
  test: round(meanAccuracy([test[i]!], testLabels, classes)),
}));
for (const a of alone) process.stderr.write(`${JSON.stringify(a)}\n`);
// Best on validation first, as a run offers them.
const order = alone.map((_, i) => i).sort((a, b) => alone[b]!.val - alone[a]!.val);
const chosen = chooseMembers(
  order.map((i) => val[i]!),
  valLabels,
  classes,
).map((k) => order[k]!);
const all = {
  val: round(meanAccuracy(val, valLabels, classes)),
  test: round(meanAccuracy(test, testLabels, classes)),
};
const served = {
  members: chosen.map((i) => networks[i]!.name),
  val: round(
    meanAccuracy(
      chosen.map((i) => val[i]!),
      valLabels,
      classes,
    ),
  ),
  test: round(
    meanAccuracy(
      chosen.map((i) => test[i]!),
      testLabels,
      classes,
    ),
  ),
};
process.stderr.write(`mean of all: ${JSON.stringify(all)}\nserved by the rule: ${JSON.stringify(served)}\n`);
console.log(JSON.stringify({ bench: 'ensemble', alone, meanOfAll: all, served }));
