import type { QuantizeOptions } from '../onnx/quantize';
import type { MetricComparison, OutputAgreement } from './accuracy';
import type { CpuInfo } from './cpu';
import type { LatencyStats } from './latency';
import type { Tolerance, Verdict } from './verdict';

/** One rewrite of the source, measured against it. */
export interface CandidateReport {
  optimization: string;
  options: QuantizeOptions;
  quantizeMs: number;
  fileBytes: number;
  rewrittenNodes: number;
  skippedNodes: { node: string; opType: string; reason?: string }[];
  latency: { batch1: LatencyStats; serving: LatencyStats };
  /** Source p50 / candidate p50. */
  speedup: { batch1: number; serving: number };
  agreement: OutputAgreement;
  metric?: MetricComparison;
  tolerance: Tolerance;
  notes: string[];
}

/** What `mlops quantize --json` prints. */
export interface QuantizeReport {
  source: { label: string; fileBytes: number; latency: { batch1: LatencyStats; serving: LatencyStats } };
  cpu: CpuInfo;
  mode: 'int8' | 'fp16';
  servingBatch: number;
  data: {
    kind: 'file' | 'generated';
    file?: string;
    rows: number;
    columns?: string[];
    label?: string;
    truncatedFrom?: number;
  };
  /** Which output the comparison reads. */
  output: string;
  candidates: CandidateReport[];
  /** The candidate the verdict is about: the fastest within tolerance, else the most accurate. */
  chosen: string | null;
  verdict: Verdict;
  /** Set once the kept model is registered. */
  registered?: { model: string; version: number; uri: string };
  /** Set when the chosen model was written to a file (--out). */
  written?: string;
}
