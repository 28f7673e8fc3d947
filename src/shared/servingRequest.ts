import type { InferRequestBody, RequestInput, TensorDatatype, TensorSpec } from './servingProtocol';

/**
 * Checking an OIP v2 request against the model's signature before anything is sent: the panel's form
 * and JSON editor use it to show the problem next to the input it concerns (and send nothing), and the
 * host checks again what it receives. Pure functions, no DOM, no Node.
 */

/** A problem with one input (`input` names it) or with the request as a whole (`input` null). */
export interface RequestProblem {
  input: string | null;
  message: string;
}

const FLOATS: readonly TensorDatatype[] = ['FP16', 'FP32', 'FP64'];
const isFloat = (d: TensorDatatype) => FLOATS.includes(d);
const isInt = (d: TensorDatatype) => d.startsWith('INT') || d.startsWith('UINT');

const product = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
export const shapeText = (shape: (number | null)[]) => `[${shape.map((d) => d ?? '?').join(', ')}]`;

/** Whether one value fits the datatype (a number for numeric types, an integer for integer ones). */
function valueProblem(d: TensorDatatype, v: unknown): string | null {
  if (d === 'BOOL') return typeof v === 'boolean' ? null : 'a boolean (true or false)';
  if (d === 'BYTES') return typeof v === 'string' ? null : 'a string';
  if (typeof v !== 'number' || !Number.isFinite(v)) return 'a number';
  if (isInt(d) && !Number.isInteger(v)) return 'an integer';
  if (d.startsWith('UINT') && v < 0) return 'a non-negative integer';
  return null;
}

/** Every problem of a request against the signature; empty when it can be sent. */
export function checkRequest(specs: TensorSpec[], body: InferRequestBody): RequestProblem[] {
  const problems: RequestProblem[] = [];
  for (const input of body.inputs) {
    const spec = specs.find((s) => s.name === input.name);
    if (!spec) {
      problems.push({
        input: input.name,
        message: `The model has no input "${input.name}" (it takes ${specs.map((s) => s.name).join(', ')}).`,
      });
      continue;
    }
    problems.push(...inputProblems(spec, input));
  }
  for (const spec of specs)
    if (!body.inputs.some((i) => i.name === spec.name))
      problems.push({ input: spec.name, message: `Input "${spec.name}" is missing.` });
  return problems;
}

function inputProblems(spec: TensorSpec, input: RequestInput): RequestProblem[] {
  const at = (message: string): RequestProblem[] => [{ input: spec.name, message }];
  if (input.datatype !== spec.datatype)
    return at(`"${spec.name}" is ${spec.datatype}, the request says ${input.datatype}.`);
  if (
    input.shape.length !== spec.shape.length ||
    input.shape.some((d, i) => spec.shape[i] !== null && spec.shape[i] !== d)
  )
    return at(`"${spec.name}" takes shape ${shapeText(spec.shape)}, the request gives ${shapeText(input.shape)}.`);
  if (input.data.length !== product(input.shape))
    return at(
      `"${spec.name}" has shape ${shapeText(input.shape)}, so ${product(input.shape)} values, but the data holds ${input.data.length}.`,
    );
  const bad = input.data.findIndex((v) => valueProblem(spec.datatype, v) !== null);
  if (bad >= 0)
    return at(
      `Value ${bad + 1} of "${spec.name}" (${JSON.stringify(input.data[bad])}) is not ${valueProblem(spec.datatype, input.data[bad])}, as ${spec.datatype} needs.`,
    );
  return [];
}

/** A form field's text: values separated by commas, spaces or new lines (strings may be quoted). */
export function parseField(
  spec: TensorSpec,
  text: string,
): { ok: true; input: RequestInput } | { ok: false; message: string } {
  const tokens = text
    .split(/[\s,;[\]]+/)
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (tokens.length === 0) return { ok: false, message: `Enter the values of "${spec.name}".` };
  const data: (number | boolean | string)[] = [];
  for (const [k, t] of tokens.entries()) {
    let v: number | boolean | string;
    if (spec.datatype === 'BYTES') v = t.replace(/^"(.*)"$/, '$1');
    else if (spec.datatype === 'BOOL') {
      if (!/^(true|false|1|0)$/i.test(t))
        return { ok: false, message: `Value ${k + 1} ("${t}") is not true or false.` };
      v = /^(true|1)$/i.test(t);
    } else {
      v = Number(t);
      if (!Number.isFinite(v) || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t))
        return { ok: false, message: `Value ${k + 1} ("${t}") is not a number, as ${spec.datatype} needs.` };
      if (!isFloat(spec.datatype) && !Number.isInteger(v))
        return { ok: false, message: `Value ${k + 1} (${t}) is not an integer, as ${spec.datatype} needs.` };
    }
    data.push(v);
  }
  const shape = shapeFor(spec, data.length);
  if (typeof shape === 'string') return { ok: false, message: shape };
  return { ok: true, input: { name: spec.name, datatype: spec.datatype, shape, data } };
}

/**
 * The shape of `n` values for a signature: fixed dims as declared, free dims after the first as 1, the
 * first free dim whatever makes the count right (rows of a batch). A string says why n does not fit.
 */
export function shapeFor(spec: TensorSpec, n: number): number[] | string {
  const rest = spec.shape.slice(1).map((d) => d ?? 1);
  const per = product(rest);
  const first = spec.shape[0];
  if (spec.shape.length === 0) return n === 1 ? [] : `"${spec.name}" is a scalar: give one value, not ${n}.`;
  if (first !== null && first !== undefined) {
    const want = first * per;
    return n === want
      ? [first, ...rest]
      : `"${spec.name}" takes ${want} values (shape ${shapeText(spec.shape)}), not ${n}.`;
  }
  if (n % per !== 0)
    return `"${spec.name}" takes rows of ${per} values (shape ${shapeText(spec.shape)}); ${n} is not a multiple of ${per}.`;
  return [n / per, ...rest];
}

/** The text a form field shows for an input. */
export function fieldText(input: RequestInput): string {
  return input.data.map((v) => (typeof v === 'string' ? JSON.stringify(v) : String(v))).join(', ');
}

/** The JSON editor's text: parsed, structurally checked, then checked against the signature. */
export function parseJsonRequest(
  specs: TensorSpec[],
  text: string,
): { ok: true; body: InferRequestBody } | { ok: false; problems: RequestProblem[] } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { ok: false, problems: [{ input: null, message: `Not valid JSON: ${(e as Error).message}` }] };
  }
  const inputs = (v as { inputs?: unknown } | null)?.inputs;
  if (!Array.isArray(inputs) || inputs.length === 0)
    return { ok: false, problems: [{ input: null, message: 'The request needs an "inputs" list (OIP v2).' }] };
  const problems: RequestProblem[] = [];
  const body: InferRequestBody = { inputs: [] };
  for (const [k, raw] of inputs.entries()) {
    const i = raw as Partial<RequestInput> | null;
    if (
      !i ||
      typeof i.name !== 'string' ||
      typeof i.datatype !== 'string' ||
      !Array.isArray(i.shape) ||
      !Array.isArray(i.data)
    ) {
      problems.push({ input: null, message: `inputs[${k}] needs "name", "datatype", "shape" and "data".` });
      continue;
    }
    if (!i.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      problems.push({ input: i.name, message: `"${i.name}": the shape must be a list of non-negative integers.` });
      continue;
    }
    body.inputs.push({ ...(i as RequestInput), data: (i.data as unknown[]).flat(Infinity) as RequestInput['data'] });
  }
  problems.push(...checkRequest(specs, body));
  return problems.length ? { ok: false, problems } : { ok: true, body };
}

/** Top-k of a classifier's output row (its last dim), highest first. */
export function topK(data: number[], k: number): { index: number; value: number }[] {
  return data
    .map((value, index) => ({ index, value }))
    .sort((a, b) => b.value - a.value)
    .slice(0, k);
}
