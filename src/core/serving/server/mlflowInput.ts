import type { ModelSignature, TensorSpec } from '../../registry/types';
import { featureNamesFromTag } from '../predlog/features';
import type { Datatype, InferRequest, ParameterValue, RequestInput, ResponseOutput } from '../types';
import { oipDatatype } from './datatypes';
import { HttpError } from './httpError';
import { numbersDatatype } from '../runtime/datatypes';

/** The four JSON forms of MLflow 2's scoring protocol. */
export const MLFLOW_KEYS = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'] as const;

/** A version's inputs as the converters need them. */
export interface InputSchema {
  signature: ModelSignature | null;
  tags: Record<string, string>;
}

function bad(message: string): HttpError {
  return new HttpError(400, message);
}

/** The one 2-D input table formats map to; its row width, and the column names when the version has them. */
function tableInput(schema: InputSchema): { spec: TensorSpec; width: number | undefined; names: string[] | undefined } {
  const inputs = schema.signature?.inputs ?? [];
  if (inputs.length !== 1) {
    throw bad(
      `This model has ${inputs.length} inputs; table formats (dataframe_split, dataframe_records, instances, CSV) need exactly one. Send {"inputs": {"<name>": [...], ...}} instead.`,
    );
  }
  const spec = inputs[0];
  if (spec.shape && spec.shape.length !== 2) {
    throw bad(
      `Input "${spec.name}" has ${spec.shape.length} dimensions; table formats need a 2-D input [rows, columns]. Send {"inputs": [...]} with the tensor instead.`,
    );
  }
  const last = spec.shape?.[1];
  return {
    spec,
    width: typeof last === 'number' && last >= 0 ? last : undefined,
    names: featureNamesFromTag(schema.tags),
  };
}

/**
 * For each model column, the index of the source column holding it: by name when the version has a
 * `feature_names` tag and the source names its columns, else position by position.
 */
function columnOrder(given: string[] | undefined, sourceWidth: number, t: ReturnType<typeof tableInput>): number[] {
  if (t.names && given) {
    const at = new Map(given.map((c, i) => [String(c), i]));
    const missing = t.names.filter((n) => !at.has(n));
    if (missing.length > 0)
      throw bad(
        `Missing column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}; the model takes ${t.names.join(', ')}.`,
      );
    return t.names.map((n) => at.get(n) as number);
  }
  const width = t.names?.length ?? t.width ?? sourceWidth;
  if (sourceWidth !== width)
    throw bad(
      `Expected ${width} columns${t.names ? ` (${t.names.join(', ')})` : ''} for input "${t.spec.name}", got ${sourceWidth}.`,
    );
  return Array.from({ length: width }, (_, i) => i);
}

function tableRequest(
  rows: unknown[][],
  given: string[] | undefined,
  t: ReturnType<typeof tableInput>,
  toValue = (v: unknown) => v,
): RequestInput {
  if (rows.length === 0) throw bad('The request holds no rows.');
  const sourceWidth = given?.length ?? rows[0].length;
  const order = columnOrder(given, sourceWidth, t);
  const data: unknown[] = new Array(rows.length * order.length);
  let k = 0;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (!Array.isArray(row) || row.length !== sourceWidth)
      throw bad(`Row ${r} has ${Array.isArray(row) ? row.length : 'no'} values; expected ${sourceWidth}.`);
    for (const c of order) data[k++] = toValue(row[c]);
  }
  return {
    name: t.spec.name,
    datatype: numbersDatatype(oipDatatype(t.spec.elemType) as Datatype),
    shape: [rows.length, order.length],
    data,
  };
}

function recordsRequest(records: unknown[], t: ReturnType<typeof tableInput>): RequestInput {
  if (records.length === 0) throw bad('The request holds no records.');
  const first = records[0];
  if (!first || typeof first !== 'object' || Array.isArray(first))
    throw bad('Each record must be an object {"column": value, ...}.');
  const columns = t.names ?? Object.keys(first);
  const rows = records.map((rec, i) => {
    if (!rec || typeof rec !== 'object' || Array.isArray(rec)) throw bad(`Record ${i} is not an object.`);
    return columns.map((c) => {
      if (!(c in rec)) throw bad(`Record ${i} has no column "${c}".`);
      return (rec as Record<string, unknown>)[c];
    });
  });
  return tableRequest(rows, columns, { ...t, names: t.names ? columns : undefined });
}

/** Shape of a nested array, following first elements (a ragged array is caught by the runtime's count check). */
function shapeOf(v: unknown): number[] {
  const shape: number[] = [];
  let x = v;
  while (Array.isArray(x)) {
    shape.push(x.length);
    x = x[0];
  }
  return shape;
}

/** Deeper nesting than any input's rank is refused before flattening (flat(Infinity) recursed out of stack). */
const MAX_RANK = 32;

function tensorInput(spec: TensorSpec, value: unknown): RequestInput {
  let shape = shapeOf(value);
  const rank = spec.shape?.length ?? MAX_RANK;
  if (shape.length > rank)
    throw bad(
      `Input "${spec.name}" is nested ${shape.length} lists deep; it takes ${spec.shape ? `${rank} dimensions` : `at most ${MAX_RANK}`}.`,
    );
  // A single row given flat ([1, 2, 3]) for a [batch, n] input.
  if (shape.length === 1 && spec.shape?.length === 2) shape = [1, shape[0]];
  const data = Array.isArray(value) ? (value.flat(rank) as unknown[]) : [value];
  return { name: spec.name, datatype: numbersDatatype(oipDatatype(spec.elemType) as Datatype), shape, data };
}

function params(p: unknown): Record<string, ParameterValue> | undefined {
  if (p === undefined) return undefined;
  if (!p || typeof p !== 'object' || Array.isArray(p)) throw bad('"params" must be an object.');
  for (const [k, v] of Object.entries(p))
    if (!['string', 'number', 'boolean'].includes(typeof v))
      throw bad(`Parameter "${k}" must be a string, a number or a boolean.`);
  return p as Record<string, ParameterValue>;
}

/** A JSON body of MLflow's scoring protocol as an inference request for the version's signature. */
export function mlflowJsonToRequest(body: unknown, schema: InputSchema): InferRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw protocolError(Array.isArray(body) ? ['(a list)'] : []);
  const obj = body as Record<string, unknown>;
  const keys = MLFLOW_KEYS.filter((k) => k in obj);
  if (keys.length !== 1) throw protocolError(Object.keys(obj));
  const parameters = params(obj.params);
  const value = obj[keys[0]];
  let inputs: RequestInput[];
  switch (keys[0]) {
    case 'dataframe_split': {
      const split = value as { columns?: unknown; data?: unknown } | null;
      if (!split || typeof split !== 'object' || !Array.isArray(split.data))
        throw bad('"dataframe_split" must be {"columns": [...], "data": [[...], ...]}.');
      if (split.columns !== undefined && !Array.isArray(split.columns))
        throw bad('"dataframe_split.columns" must be a list of names.');
      inputs = [tableRequest(split.data as unknown[][], split.columns as string[] | undefined, tableInput(schema))];
      break;
    }
    case 'dataframe_records':
      if (!Array.isArray(value)) throw bad('"dataframe_records" must be a list of {"column": value} objects.');
      inputs = [recordsRequest(value, tableInput(schema))];
      break;
    case 'instances': {
      if (!Array.isArray(value) || value.length === 0) throw bad('"instances" must be a non-empty list of rows.');
      const t = tableInput(schema);
      if (value[0] && typeof value[0] === 'object' && !Array.isArray(value[0])) inputs = [recordsRequest(value, t)];
      else if (Array.isArray(value[0])) inputs = [tableRequest(value as unknown[][], undefined, t)];
      else
        inputs = [
          tableRequest(
            value.map((v) => [v]),
            undefined,
            t,
          ),
        ];
      break;
    }
    default: {
      const specs = schema.signature?.inputs ?? [];
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        inputs = Object.entries(value).map(([name, v]) => {
          const spec = specs.find((s) => s.name === name);
          if (!spec) throw bad(`The model has no input "${name}"; its inputs: ${specs.map((s) => s.name).join(', ')}.`);
          return tensorInput(spec, v);
        });
      } else {
        if (specs.length !== 1)
          throw bad(`This model has ${specs.length} inputs; send "inputs" as {"<name>": tensor, ...}.`);
        inputs = [tensorInput(specs[0], value)];
      }
    }
  }
  return { inputs, ...(parameters ? { parameters } : {}) };
}

function protocolError(keys: string[]): HttpError {
  return bad(
    `The request must be a JSON object with exactly one of ${MLFLOW_KEYS.join(', ')} (plus optional "params"); it had ${keys.length ? keys.join(', ') : 'none'}. ` +
      'The MLflow scoring protocol changed in MLflow 2.0: wrap the data, e.g. {"dataframe_split": {"columns": [...], "data": [[...]]}} or {"inputs": [[...]]}.',
  );
}

/** RFC 4180 fields of one CSV text (quotes, doubled quotes, CRLF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** A CSV body (header line, then rows) as an inference request, as pandas.read_csv would read it. */
export function csvToRequest(text: string, schema: InputSchema): InferRequest {
  const rows = parseCsv(text.replace(/^\uFEFF/, ''));
  if (rows.length < 2) throw bad('The CSV body needs a header line and at least one row.');
  const t = tableInput(schema);
  const numeric = t.spec.elemType !== 'string';
  const toValue = (v: unknown) => {
    if (!numeric) return v;
    const s = String(v).trim();
    const lower = s.toLowerCase();
    if (lower === 'true' || lower === 'false') return lower === 'true' ? 1 : 0;
    // An empty field is a missing value, as pandas reads it (NaN).
    const n = s === '' ? NaN : Number(s);
    if (Number.isNaN(n) && s !== '' && lower !== 'nan') throw bad(`CSV value "${s}" is not a number.`);
    return n;
  };
  return { inputs: [tableRequest(rows.slice(1), rows[0], t, toValue)] };
}

/** Flat row-major data back into nested lists by shape. */
export function nest(data: readonly unknown[], shape: readonly number[]): unknown {
  if (shape.length <= 1) return Array.isArray(data) ? data : Array.from(data);
  const [, ...rest] = shape;
  const step = rest.reduce((a, b) => a * b, 1);
  const out: unknown[] = new Array(shape[0]);
  for (let i = 0; i < shape[0]; i++) out[i] = nest(data.slice(i * step, (i + 1) * step), rest);
  return out;
}

/** MLflow's `predictions`: the single output as nested lists, or one entry per output. */
export function predictions(outputs: ResponseOutput[]): unknown {
  if (outputs.length === 1) return nest(outputs[0].data, outputs[0].shape);
  return Object.fromEntries(outputs.map((o) => [o.name, nest(o.data, o.shape)]));
}
