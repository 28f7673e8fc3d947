import type { QuantizeOptions } from '../onnx/quantize';
import type { CpuInfo } from './cpu';

/**
 * The weight types worth trying on this CPU (quantization.md): with VNNI (or on ARM) int8 dot products do
 * not saturate, so S8 and U8 are tried per channel and per tensor; on x86 without VNNI, U8S8 kernels
 * saturate int16, so U8 weights and 7-bit (reduce-range) S8 weights are tried instead.
 */
export function defaultCandidates(mode: 'int8' | 'fp16', cpu: CpuInfo): QuantizeOptions[] {
  if (mode === 'fp16') return [{ mode: 'fp16' }];
  const saturates = cpu.arch === 'x64' && !cpu.vnni;
  const out: QuantizeOptions[] = [];
  for (const perChannel of [true, false]) {
    if (saturates) {
      out.push({ mode: 'int8', weightType: 'u8', perChannel, reduceRange: false });
      out.push({ mode: 'int8', weightType: 's8', perChannel, reduceRange: true });
    } else {
      out.push({ mode: 'int8', weightType: 's8', perChannel, reduceRange: false });
      out.push({ mode: 'int8', weightType: 'u8', perChannel, reduceRange: false });
    }
  }
  return out;
}
