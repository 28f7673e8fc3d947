/**
 * The model's vocabulary: what an ONNX file takes and gives (tensor specs, signature) and what it says
 * about itself. It sits below registry/, onnx/, serving/ and monitor/ (DESIGN.md "Layers"), which all use
 * it, so none of them reaches into another for it.
 */

/** Element type of a tensor, as onnxruntime names it ('float32', 'int64', 'string', ...). */
export type ElementType = string;

/** One dimension: a fixed size, a symbolic name ('batch'), or null when the graph leaves it open. */
export type Dim = number | string | null;

export interface TensorSpec {
  name: string;
  elemType: ElementType;
  /** null when the graph does not declare a shape (unknown rank). */
  shape: Dim[] | null;
}

export interface ModelSignature {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

export interface OpsetImport {
  domain: string;
  version: number;
}

/** What the ONNX file says about itself, read at push time. */
export interface OnnxSummary {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  graphName: string;
  opsets: OpsetImport[];
  /** Number of scalar values held in the graph's initializers. */
  paramCount: number;
  nodeCount: number;
}
