import path from 'node:path';
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import { DATATYPES, type InferRequestBody, type TensorDatatype, type TensorSpec } from '../../shared/servingProtocol';
import type { Endpoint } from './endpoints';
import { loadServingCore } from './loadServingCore';

export interface EndpointSignature {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  example: InferRequestBody;
  exampleSource: string;
}

const asSpecs = (meta: { name: string; datatype: string; shape: number[] }[]): TensorSpec[] =>
  meta
    .filter((t) => (DATATYPES as readonly string[]).includes(t.datatype))
    .map((t) => ({
      name: t.name,
      datatype: t.datatype as TensorDatatype,
      shape: t.shape.map((d) => (d >= 0 ? d : null)),
    }));

/** Relative `reference_data` paths are relative to the workspace root (as Show Drift reads them). */
function resolveData(p: string): string {
  const root = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
  return path.isAbsolute(p) || !root ? p : path.join(root, p);
}

/**
 * The served version's signature as the panel's form needs it, and a valid example request: the first
 * row of the version's `reference_data` when it has one and the model takes one [rows, features] input,
 * otherwise values generated from the signature.
 */
export async function endpointSignature(e: Endpoint): Promise<EndpointSignature> {
  const core = await loadServingCore();
  const info = e.server.models.get(e.model)?.primary.live?.info;
  const meta = core.signatureMetadata(info?.signature ?? null);
  const inputs = asSpecs(meta.inputs);
  const outputs = asSpecs(meta.outputs);
  const ref = info?.tags.reference_data;
  const matrix = inputs.length === 1 && inputs[0].shape.length === 2 && !['BYTES', 'BOOL'].includes(inputs[0].datatype);
  if (ref && matrix) {
    try {
      const rows = await core.readDataRows(resolveData(ref), {
        width: inputs[0].shape[1],
        displayName: path.basename(ref),
      });
      if (rows.rows.length > 0) {
        const row = rows.rows[0];
        return {
          inputs,
          outputs,
          example: {
            inputs: [{ name: inputs[0].name, datatype: inputs[0].datatype, shape: [1, row.length], data: row }],
          },
          exampleSource: `first row of ${path.basename(ref)}`,
        };
      }
    } catch (err) {
      // A missing or unreadable reference file falls back to a generated example, and says why.
      const generated = core.exampleRequest(inputs, 1) as InferRequestBody;
      return {
        inputs,
        outputs,
        example: generated,
        exampleSource: `generated (${path.basename(ref)}: ${errorMessage(err)})`,
      };
    }
  }
  return {
    inputs,
    outputs,
    example: core.exampleRequest(inputs, 1) as InferRequestBody,
    exampleSource: 'generated from the signature',
  };
}
