import { readFileSync } from 'node:fs';
import os from 'node:os';

/**
 * The CPU features that decide whether int8 pays off (quantization.md): VNNI (AVX512-VNNI or AVX-VNNI)
 * gives int8 dot products without saturation; AVX2/AVX512 without it use VPMADDUBSW (U8S8 saturates
 * int16, so 7-bit weights or U8U8 are safer); ARM has dot-product instructions of its own.
 */
export interface CpuInfo {
  model: string;
  arch: string;
  cores: number;
  avx2: boolean;
  avx512: boolean;
  /** AVX512-VNNI or AVX-VNNI. */
  vnni: boolean;
  /** Where the flags came from; 'unknown' when /proc/cpuinfo is not readable (macOS, Windows). */
  source: '/proc/cpuinfo' | 'unknown';
}

export function parseCpuFlags(cpuinfo: string): Pick<CpuInfo, 'avx2' | 'avx512' | 'vnni'> {
  const line = cpuinfo.split('\n').find((l) => /^(flags|Features)\s*:/.test(l)) ?? '';
  const flags = new Set(
    line
      .replace(/^[^:]*:/, '')
      .trim()
      .split(/\s+/),
  );
  return {
    avx2: flags.has('avx2'),
    avx512: flags.has('avx512f'),
    vnni: flags.has('avx512_vnni') || flags.has('avx_vnni'),
  };
}

export function cpuInfo(): CpuInfo {
  const base = { model: os.cpus()[0]?.model ?? 'unknown', arch: process.arch, cores: os.availableParallelism() };
  try {
    return { ...base, ...parseCpuFlags(readFileSync('/proc/cpuinfo', 'utf8')), source: '/proc/cpuinfo' };
  } catch {
    return { ...base, avx2: false, avx512: false, vnni: false, source: 'unknown' };
  }
}

/** "AVX2, AVX512, VNNI" / "AVX2, no VNNI": how reports name the flags. */
export function describeCpu(c: CpuInfo): string {
  if (c.source === 'unknown') return `${c.model} (${c.arch}; instruction-set flags unknown)`;
  const f = [c.avx2 && 'AVX2', c.avx512 && 'AVX512', c.vnni ? 'VNNI' : 'no VNNI'].filter(Boolean);
  return `${c.model} (${f.join(', ')})`;
}
