/** An export is offered only when its reload answers within this of the served network. */
export const MAX_PROBABILITY_DIFFERENCE = 1e-4;
/** Held-out images the reload is checked on, at most. */
export const VERIFY_IMAGES = 200;

/** How the export, reloaded apart from the server, compared with the served network. */
export interface Verification {
  images: number;
  top1Agreement: number;
  maxProbabilityDifference: number;
}

interface Scores {
  classIndex: number;
  probability: number;
}

/** Compares two runs over the same images, each image's scores most probable first. */
export function compareRuns(served: readonly Scores[][], exported: readonly Scores[][]): Verification {
  if (served.length !== exported.length)
    throw new Error(`${served.length} served answers, ${exported.length} exported`);
  let agree = 0;
  let maxDiff = 0;
  served.forEach((s, i) => {
    const e = exported[i]!;
    if (s[0]?.classIndex === e[0]?.classIndex) agree++;
    const theirs = new Map(e.map((x) => [x.classIndex, x.probability]));
    const classes = new Set([...s.map((x) => x.classIndex), ...theirs.keys()]);
    const ours = new Map(s.map((x) => [x.classIndex, x.probability]));
    for (const c of classes) {
      // A class one side does not answer at all is as far off as a probability can be.
      const d = Math.abs((ours.get(c) ?? Number.NaN) - (theirs.get(c) ?? Number.NaN));
      maxDiff = Math.max(maxDiff, Number.isNaN(d) ? 1 : d);
    }
  });
  return {
    images: served.length,
    top1Agreement: served.length ? agree / served.length : 1,
    maxProbabilityDifference: maxDiff,
  };
}

/** Whether the figures let the export be offered. */
export function verified(v: Verification): boolean {
  return v.images > 0 && v.top1Agreement === 1 && v.maxProbabilityDifference < MAX_PROBABILITY_DIFFERENCE;
}
