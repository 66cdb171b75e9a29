// The description of a network that the generator emits, the database stores and runners build.
// Plain JSON on purpose: it crosses process and machine boundaries (runner payloads, GraphQL).

/** Image input as [height, width, channels]. */
export type InputShape = [height: number, width: number, channels: number];

export type Family = 'dense' | 'cnn' | 'separable';

/**
 * One layer. Convolutions and pools always use 'same' padding, so a stride-2 layer gives
 * ceil(size / 2) and odd or non-square images need no special case.
 */
export type LayerSpec =
  /**
   * The mean of an RGB input's three channels, as one: a fixed 1×1 convolution (weights 1/3, not
   * trained). Only first, on a 3-channel input: where every image of a colour-shaped model is grey
   * (its channels equal), the network behind it costs what a grey one does.
   */
  | { kind: 'greyscale' }
  | { kind: 'conv2d'; filters: number; kernelSize: number; strides: number; activation: 'relu' }
  | { kind: 'separableConv2d'; filters: number; kernelSize: number; strides: number; activation: 'relu' }
  | { kind: 'maxPool'; poolSize: number; strides: number }
  | { kind: 'batchNorm' }
  | { kind: 'dropout'; rate: number }
  | { kind: 'flatten' }
  | { kind: 'globalAveragePooling' }
  | { kind: 'dense'; units: number; activation: 'relu' | 'softmax' };

export type LayerKind = LayerSpec['kind'];

export interface Architecture {
  /** Stable for identical structure: same input, classes and layers give the same id. */
  id: string;
  family: Family;
  /** For people, e.g. "CNN, 2 conv blocks (32→64), dense 128". */
  name: string;
  inputShape: InputShape;
  classes: number;
  expandable: boolean;
  /** The last one is always dense(classes, softmax). */
  layers: LayerSpec[];
  /**
   * Index of the first head layer: layers[0, headStart) are the base (feature extractor, ending
   * in a flat vector), layers[headStart, end) the head (classifier).
   */
  headStart: number;
  /** Weight count including batch-norm moving statistics, as tf's countParams() reports it. */
  params: number;
  /** Multiply-accumulates of one forward pass of one image: the cost that decides speed. */
  macs: number;
}

/** The output shape after each layer (without the batch dimension). */
export function layerShapes(inputShape: readonly number[], layers: readonly LayerSpec[]): number[][] {
  const shapes: number[][] = [];
  let shape = [...inputShape];
  for (const layer of layers) {
    shape = nextShape(shape, layer);
    shapes.push(shape);
  }
  return shapes;
}

function nextShape(shape: number[], layer: LayerSpec): number[] {
  const spatial = (what: string): [number, number, number] => {
    if (shape.length !== 3) throw new Error(`${what} needs an [h, w, c] input, got [${shape.join(', ')}]`);
    return shape as [number, number, number];
  };
  switch (layer.kind) {
    case 'greyscale': {
      const [h, w] = spatial(layer.kind);
      return [h, w, 1];
    }
    case 'conv2d':
    case 'separableConv2d': {
      const [h, w] = spatial(layer.kind);
      return [Math.ceil(h / layer.strides), Math.ceil(w / layer.strides), layer.filters];
    }
    case 'maxPool': {
      const [h, w, c] = spatial(layer.kind);
      return [Math.ceil(h / layer.strides), Math.ceil(w / layer.strides), c];
    }
    case 'globalAveragePooling':
      return [spatial(layer.kind)[2]];
    case 'flatten':
      return [shape.reduce((a, b) => a * b, 1)];
    case 'dense':
      if (shape.length !== 1) throw new Error(`dense needs a flat input, got [${shape.join(', ')}]`);
      return [layer.units];
    case 'batchNorm':
    case 'dropout':
      return shape;
  }
}

/** Weights and multiply-accumulates of the whole stack, computed from the shapes alone. */
export function countCost(
  inputShape: readonly number[],
  layers: readonly LayerSpec[],
): { params: number; macs: number } {
  let params = 0;
  let macs = 0;
  let shape = [...inputShape];
  for (const layer of layers) {
    const out = nextShape(shape, layer);
    const inChannels = shape[shape.length - 1]!;
    const outPixels = out.length === 3 ? out[0]! * out[1]! : 1;
    switch (layer.kind) {
      case 'greyscale':
        params += inChannels;
        macs += outPixels * inChannels;
        break;
      case 'conv2d': {
        const k2 = layer.kernelSize * layer.kernelSize;
        params += k2 * inChannels * layer.filters + layer.filters;
        macs += outPixels * k2 * inChannels * layer.filters;
        break;
      }
      case 'separableConv2d': {
        const k2 = layer.kernelSize * layer.kernelSize;
        params += k2 * inChannels + inChannels * layer.filters + layer.filters;
        macs += outPixels * (k2 * inChannels + inChannels * layer.filters);
        break;
      }
      case 'batchNorm':
        params += 4 * inChannels; // gamma, beta, moving mean, moving variance
        break;
      case 'dense':
        params += inChannels * layer.units + layer.units;
        macs += inChannels * layer.units;
        break;
      case 'maxPool':
      case 'dropout':
      case 'flatten':
      case 'globalAveragePooling':
        break;
    }
    shape = out;
  }
  return { params, macs };
}

/** Whether the network tells colours apart: a 3-channel input it does not average to grey first. */
export function seesColour(arch: Pick<Architecture, 'inputShape' | 'layers'>): boolean {
  return arch.inputShape[2] === 3 && arch.layers[0]?.kind !== 'greyscale';
}

/** Length of the feature vector the base hands to the head. */
export function featureSize(arch: Pick<Architecture, 'inputShape' | 'layers' | 'headStart'>): number {
  if (arch.headStart < 1) throw new Error('architecture has no base');
  const shape = layerShapes(arch.inputShape, arch.layers.slice(0, arch.headStart)).at(-1)!;
  if (shape.length !== 1) throw new Error(`base must end in a flat vector, got [${shape.join(', ')}]`);
  return shape[0]!;
}

/** FNV-1a over the structure: ids are stable across processes and versions of this file. */
export function architectureId(
  family: Family,
  inputShape: InputShape,
  classes: number,
  layers: readonly LayerSpec[],
): string {
  const text = JSON.stringify([inputShape, classes, layers]);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return `${family}-${inputShape.join('x')}-c${classes}-${(h >>> 0).toString(16).padStart(8, '0')}`;
}

/**
 * Checks an architecture that arrived as JSON (runner payload, database row) before it is built,
 * so a bad one fails with a message instead of deep inside tfjs.
 */
export function parseArchitecture(json: unknown): Architecture {
  const arch = (typeof json === 'string' ? JSON.parse(json) : json) as Architecture;
  const fail = (why: string): never => {
    throw new Error(`invalid architecture${arch && typeof arch.id === 'string' ? ` ${arch.id}` : ''}: ${why}`);
  };
  if (!arch || typeof arch !== 'object') fail('not an object');
  if (!Array.isArray(arch.inputShape) || arch.inputShape.length !== 3 || !arch.inputShape.every(isPositiveInt)) {
    fail('inputShape must be [height, width, channels] of positive integers');
  }
  if (!isPositiveInt(arch.classes) || arch.classes < 2) fail('classes must be an integer ≥ 2');
  if (!Array.isArray(arch.layers) || arch.layers.length === 0) fail('layers must be a non-empty array');
  const last = arch.layers.at(-1);
  if (last?.kind !== 'dense' || last.activation !== 'softmax' || last.units !== arch.classes) {
    fail('the last layer must be dense(classes, softmax)');
  }
  if (!Number.isInteger(arch.headStart) || arch.headStart < 1 || arch.headStart >= arch.layers.length) {
    fail('headStart must index a layer after the first');
  }
  const unknown = arch.layers.find((l) => !LAYER_KINDS.has(l?.kind));
  if (unknown) fail(`unknown layer kind ${JSON.stringify(unknown?.kind)}`);
  const grey = arch.layers.findIndex((l) => l.kind === 'greyscale');
  if (grey > 0 || (grey === 0 && arch.inputShape[2] !== 3)) fail('greyscale must be the first layer, on 3 channels');
  let params = 0;
  try {
    featureSize(arch);
    params = countCost(arch.inputShape, arch.layers).params;
  } catch (err) {
    fail((err as Error).message);
  }
  if (params !== arch.params) fail(`params is ${arch.params} but the layers hold ${params}`);
  return arch;
}

const LAYER_KINDS = new Set<string>([
  'greyscale',
  'conv2d',
  'separableConv2d',
  'maxPool',
  'batchNorm',
  'dropout',
  'flatten',
  'globalAveragePooling',
  'dense',
] satisfies LayerKind[]);

function isPositiveInt(n: unknown): n is number {
  return Number.isInteger(n) && (n as number) > 0;
}
