import assert from 'node:assert/strict';
import {
  auc,
  compareMetric,
  compareOutputs,
  decide,
  defaultCandidates,
  parseCpuFlags,
  tolerance,
  type CpuInfo,
} from '../../../src/core/optimize';

const agreement = (top1: number | null, relRms: number | null = null) => ({
  rows: 100,
  columns: top1 === null ? 1 : 3,
  maxAbsDiff: 0.01,
  meanAbsDiff: 0.001,
  maxRelError: 0.01,
  top1Agreement: top1,
  relativeRmsDiff: relRms,
});

describe('quantize verdict rule', () => {
  const rule = { minSpeedup: 1.1 };

  it('keeps a candidate faster by the minimum with top-1 agreement >= 99%', () => {
    const v = decide(
      {
        optimization: 'int8-x',
        speedup: 2.5,
        servingBatch: 32,
        tolerance: tolerance(agreement(0.995), undefined, rule),
      },
      rule,
    );
    assert.equal(v.keep, true);
    assert.match(v.sentence, /^Worth it: int8-x is 2\.50x faster at batch 32 with top-1 agreement 99\.5%/);
  });

  it('refuses one that is not fast enough, or too inaccurate, and says which', () => {
    const slow = decide(
      { optimization: 'int8-x', speedup: 0.9, servingBatch: 32, tolerance: tolerance(agreement(1), undefined, rule) },
      rule,
    );
    assert.equal(slow.keep, false);
    assert.match(slow.sentence, /0\.90x at batch 32 is below the required 1\.1x/);
    const wrong = decide(
      { optimization: 'int8-x', speedup: 3, servingBatch: 8, tolerance: tolerance(agreement(0.98), undefined, rule) },
      rule,
    );
    assert.equal(wrong.keep, false);
    assert.match(wrong.sentence, /accuracy out of tolerance: top-1 agreement 98\.0% \(needs >= 99\.0%\)/);
    assert.equal(decide(undefined, rule).keep, false);
  });

  it('uses the metric when labels give one (default drop 0.005), and the user can move both limits', () => {
    const metric = { name: 'accuracy' as const, source: 0.9, candidate: 0.894, drop: 0.006 };
    assert.equal(tolerance(agreement(0.9), metric, rule).ok, false, '0.006 > 0.005');
    assert.equal(tolerance(agreement(0.9), metric, { minSpeedup: 1.1, maxAccuracyDrop: 0.01 }).ok, true);
    assert.equal(tolerance(agreement(0.98), undefined, { minSpeedup: 1, maxAccuracyDrop: 0.05 }).ok, true);
    const rmse = { name: 'rmse' as const, source: 1, candidate: 1.004, drop: 0.004 };
    assert.equal(tolerance(agreement(null, 0.5), rmse, rule).ok, true, 'RMSE rising by 0.004');
    assert.equal(tolerance(agreement(null, 0.02), undefined, rule).ok, false, 'regression without labels: RMS diff 2%');
    const fast = {
      optimization: 'o',
      speedup: 1.05,
      servingBatch: 1,
      tolerance: tolerance(agreement(1), undefined, rule),
    };
    assert.equal(decide(fast, { minSpeedup: 1 }).keep, true);
    assert.equal(decide(fast, rule).keep, false);
  });
});

describe('quantize accuracy measures', () => {
  it('output differences, top-1 agreement and relative RMS', () => {
    const a = [0.1, 0.9, 0.8, 0.2, 0.5, 0.4];
    const b = [0.2, 0.8, 0.3, 0.7, 0.5, 0.41];
    const c = compareOutputs(a, b, 3);
    assert.equal(c.columns, 2);
    assert.ok(Math.abs(c.maxAbsDiff - 0.5) < 1e-12);
    assert.ok(Math.abs(c.maxRelError - 0.5 / 0.9) < 1e-12);
    assert.equal(c.top1Agreement, 2 / 3, 'row 2 flips');
    const r = compareOutputs([1, 2, 3], [1, 2, 3], 3);
    assert.equal(r.top1Agreement, null);
    assert.equal(r.relativeRmsDiff, 0);
  });

  it('AUC (ties counted half), accuracy and RMSE deltas', () => {
    assert.equal(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
    assert.equal(auc([0.5, 0.5], [0, 1]), 0.5);
    const labels = Float64Array.of(1, 0, 1);
    const m = compareMetric([0.2, 0.8, 0.9, 0.1, 0.3, 0.7], [0.2, 0.8, 0.1, 0.9, 0.3, 0.7], 3, labels);
    assert.equal(m.name, 'auc');
    const acc = compareMetric([1, 0, 0, 0, 1, 0, 0, 0, 1], [1, 0, 0, 1, 0, 0, 0, 0, 1], 3, Float64Array.of(0, 1, 2));
    assert.deepEqual([acc.name, acc.source, acc.candidate], ['accuracy', 1, 2 / 3]);
    assert.ok(Math.abs(acc.drop - 1 / 3) < 1e-12);
    const reg = compareMetric([1, 2], [1, 3], 2, Float64Array.of(1, 2));
    assert.equal(reg.name, 'rmse');
    assert.ok(Math.abs(reg.drop - Math.sqrt(0.5)) < 1e-12);
  });
});

describe('CPU flags and the candidates worth trying', () => {
  const cpu = (flags: string): CpuInfo => ({
    model: 'x',
    arch: 'x64',
    cores: 2,
    source: '/proc/cpuinfo',
    ...parseCpuFlags(`processor\t: 0\nflags\t\t: fpu sse2 ${flags}\n`),
  });

  it('reads AVX2, AVX512 and VNNI from /proc/cpuinfo', () => {
    const c = cpu('avx2 avx512f avx512_vnni');
    assert.deepEqual([c.avx2, c.avx512, c.vnni], [true, true, true]);
    assert.equal(cpu('avx2 avx_vnni').vnni, true);
    assert.deepEqual([cpu('avx2').avx512, cpu('avx2').vnni], [false, false]);
  });

  it('tries S8 and U8 with VNNI, U8 and 7-bit S8 without (int16 saturation)', () => {
    const names = (c: CpuInfo) =>
      defaultCandidates('int8', c).map((o) =>
        o.mode === 'int8' ? `${o.weightType}${o.perChannel ? 'c' : 't'}${o.reduceRange ? 'r' : ''}` : 'fp16',
      );
    assert.deepEqual(names(cpu('avx2 avx512f avx512_vnni')), ['s8c', 'u8c', 's8t', 'u8t']);
    assert.deepEqual(names(cpu('avx2 avx512f')), ['u8c', 's8cr', 'u8t', 's8tr']);
    assert.deepEqual(defaultCandidates('fp16', cpu('avx2')), [{ mode: 'fp16' }]);
  });
});
