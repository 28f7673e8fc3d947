/**
 * The demo's training script: what a monitor's `retrain:` command runs. It fits a logistic regression of
 * `churned` on the numeric columns of a CSV (full-batch gradient descent, fixed start and step count, so
 * the same data always gives the same model) and writes it as ONNX: input [batch, features] FP32, output
 * [batch, 2] class probabilities, the same names as the demo's other versions so they can be compared.
 *
 * Self-contained on purpose (Node built-ins only): the demo copies the bundle into its workspace as
 * train.js, where a reader can see all of it. A real project runs its own `python train.py` here.
 *
 *   node train.js <features.csv> <labels.csv> <out.onnx>
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const EPOCHS = 400;
const STEP = 0.5;

function main(argv: string[]): void {
  const [featuresFile, labelsFile, outFile] = argv;
  if (!featuresFile || !labelsFile || !outFile) {
    console.error('usage: node train.js <features.csv> <labels.csv> <out.onnx>');
    process.exit(2);
  }
  const features = readCsv(featuresFile);
  const numeric = features.header.filter((_, j) => features.rows.every((r) => Number.isFinite(Number(r[j]))));
  const cols = numeric.map((name) => features.header.indexOf(name));
  const x = features.rows.map((r) => cols.map((j) => Number(r[j])));
  const labels = readCsv(labelsFile);
  const y = labels.rows.map((r) => Number(r[0]));
  if (y.length !== x.length)
    throw new Error(`${labelsFile} has ${y.length} labels for the ${x.length} rows of ${featuresFile}.`);
  console.log(`training on ${x.length} rows of ${path.basename(featuresFile)}: ${numeric.join(', ')}`);

  // Standardised inside the loop, folded back into the weights at the end: the model takes raw inputs.
  const mean = cols.map((_, j) => x.reduce((s, r) => s + r[j], 0) / x.length);
  const sd = cols.map((_, j) => Math.sqrt(x.reduce((s, r) => s + (r[j] - mean[j]) ** 2, 0) / x.length) || 1);
  const z = x.map((r) => r.map((v, j) => (v - mean[j]) / sd[j]));
  const w = cols.map(() => 0);
  let b = 0;
  let loss = 0;
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    const gw = w.map(() => 0);
    let gb = 0;
    loss = 0;
    for (let i = 0; i < z.length; i++) {
      const p = 1 / (1 + Math.exp(-(b + z[i].reduce((s, v, j) => s + v * w[j], 0))));
      const err = p - y[i];
      for (let j = 0; j < w.length; j++) gw[j] += err * z[i][j];
      gb += err;
      loss -= y[i] * Math.log(p + 1e-12) + (1 - y[i]) * Math.log(1 - p + 1e-12);
    }
    for (let j = 0; j < w.length; j++) w[j] -= (STEP * gw[j]) / z.length;
    b -= (STEP * gb) / z.length;
  }
  const rawW = w.map((v, j) => v / sd[j]);
  const rawB = b - w.reduce((s, v, j) => s + (v * mean[j]) / sd[j], 0);
  console.log(`log loss ${(loss / z.length).toFixed(4)} after ${EPOCHS} epochs`);

  mkdirSync(path.dirname(path.resolve(outFile)), { recursive: true });
  writeFileSync(outFile, logisticOnnx(rawW, rawB));
  console.log(`wrote ${outFile}`);
}

function readCsv(file: string): { header: string[]; rows: string[][] } {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/).filter(Boolean);
  if (lines.length < 2) throw new Error(`${file} has no data rows.`);
  return { header: lines[0].split(','), rows: lines.slice(1).map((l) => l.split(',')) };
}

// --- ONNX: two class logits [0, w·x + b] through Softmax; a hand-written protobuf, field numbers from onnx.proto.

/** A protobuf message as bytes, built field by field. */
class Message {
  private readonly parts: Buffer[] = [];
  varint(field: number, v: number): this {
    this.parts.push(varint((field << 3) | 0), varint(v));
    return this;
  }
  bytes(field: number, b: Uint8Array | string): this {
    const buf = typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b);
    this.parts.push(varint((field << 3) | 2), varint(buf.length), buf);
    return this;
  }
  message(field: number, m: Message): this {
    return this.bytes(field, m.done());
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

function varint(v: number): Buffer {
  const out: number[] = [];
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

const FLOAT = 1;

function floatTensor(name: string, dims: number[], values: number[]): Message {
  const t = new Message();
  for (const d of dims) t.varint(1, d);
  return t
    .varint(2, FLOAT)
    .bytes(8, name)
    .bytes(9, new Uint8Array(Float32Array.from(values).buffer));
}

function valueInfo(name: string, dims: (number | string)[]): Message {
  const shape = new Message();
  for (const d of dims)
    shape.message(1, typeof d === 'number' ? new Message().varint(1, d) : new Message().bytes(2, d));
  const tensorType = new Message().varint(1, FLOAT).message(2, shape);
  return new Message().bytes(1, name).message(2, new Message().message(1, tensorType));
}

function node(op: string, inputs: string[], output: string): Message {
  const n = new Message();
  for (const i of inputs) n.bytes(1, i);
  return n.bytes(2, output).bytes(3, `${op}_0`).bytes(4, op);
}

function logisticOnnx(w: number[], b: number): Buffer {
  const graph = new Message()
    .message(1, node('MatMul', ['input', 'W'], 'logits_mm'))
    .message(1, node('Add', ['logits_mm', 'B'], 'logits'))
    .message(1, node('Softmax', ['logits'], 'output'))
    .bytes(2, 'churn_logistic')
    .message(
      5,
      floatTensor(
        'W',
        [w.length, 2],
        w.flatMap((v) => [0, v]),
      ),
    )
    .message(5, floatTensor('B', [2], [0, b]))
    .message(11, valueInfo('input', ['batch', w.length]))
    .message(12, valueInfo('output', ['batch', 2]));
  return new Message()
    .varint(1, 8) // ir_version
    .bytes(2, 'mlops-demo-train')
    .message(7, graph)
    .message(8, new Message().bytes(1, '').varint(2, 13)) // opset_import: ai.onnx 13
    .done();
}

try {
  main(process.argv.slice(2));
} catch (e) {
  console.error(`train.js: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
