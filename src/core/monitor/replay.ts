import { readDataset } from '../drift/read/index';
import type { ModelSignature } from '../model/types';
import type { PredictionRecord } from '../serving/types';

/** A request to replay: the logged inputs, and the request id when the log had one. */
export type Replay = Pick<PredictionRecord, 'id' | 'inputs'>;

/**
 * Rows of a data file as requests to a model with one 2-D input [batch, features]: the file's numeric
 * columns (timestamps left out), in order, must be as many as the input's features. Anything else
 * cannot be mapped without guessing, so it gives no requests (the comparison says so).
 */
export async function replayFromFile(
  file: string,
  signature: ModelSignature | null,
  max: number,
  signal?: AbortSignal,
): Promise<{ replays: Replay[]; reason?: string }> {
  const input = signature?.inputs.length === 1 ? signature.inputs[0] : undefined;
  const width = input?.shape?.length === 2 ? input.shape[1] : undefined;
  if (!input || typeof width !== 'number')
    return {
      replays: [],
      reason: 'the model does not take one [batch, features] input, so file rows cannot be replayed',
    };
  const ds = await readDataset(file, { signal });
  const cols = ds.columns.filter((c) => c.type === 'numeric');
  if (cols.length !== width)
    return {
      replays: [],
      reason: `the data has ${cols.length} numeric columns and the model's input ${width} features`,
    };
  const rows = Math.min(ds.rows, max);
  const replays: Replay[] = [];
  for (let i = ds.rows - rows; i < ds.rows; i++) {
    const data = cols.map((c) => ('values' in c ? c.values[i] : NaN));
    if (data.some((v) => !Number.isFinite(v))) continue;
    replays.push({ inputs: { [input.name]: { shape: [1, width], data } } });
  }
  return { replays };
}
