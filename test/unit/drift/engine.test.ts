import assert from 'node:assert/strict';
import { applyDriftConfig, defaultSettings } from '../../../src/core/drift/config';
import type { DriftResult } from '../../../src/core/drift/result';
import { runDrift } from '../../../src/core/drift/run';
import { assertClose, fixture, readJson, tempFiles } from './fixtures';

interface Expected {
  features: {
    name: string;
    method: string;
    statistic: number;
    p_value: number | null;
    drifted: boolean;
    psi: number;
    reference_missing: number;
    current_missing: number;
  }[];
  drifted_count: number;
  share: number;
  dataset_drift: boolean;
}

const run = (
  ref: string,
  cur: string,
  settings = defaultSettings(),
  extra: Partial<Parameters<typeof runDrift>[0]> = {},
) => runDrift({ reference: ref, current: cur, settings, ...extra });

describe('drift engine vs pandas + scipy on the fixture files', () => {
  for (const size of ['small', 'large'] as const) {
    it(`${size}: same method, statistic, p-value, PSI and verdict per feature (test/scipy/drift_pandas.py)`, async () => {
      const expected = readJson<Expected>(`expected-${size}.json`);
      for (const threads of ['all', 'current', 'none'] as const) {
        const r = await run(fixture(`${size}_reference.csv`), fixture(`${size}_current.csv`), defaultSettings(), {
          threads,
        });
        assert.equal(r.features.length, expected.features.length);
        for (const e of expected.features) {
          const f = r.features.find((x) => x.name === e.name)!;
          assert.equal(f.method, e.method, `${e.name} method`);
          assertClose(f.statistic!, e.statistic, 1e-6, `${e.name} statistic`);
          if (e.p_value !== null) assertClose(f.pValue!, e.p_value, 1e-6, `${e.name} p-value`);
          assertClose(f.psi!, e.psi, 1e-6, `${e.name} PSI`);
          assert.equal(f.drifted, e.drifted, `${e.name} verdict`);
          assert.equal(f.reference.missing, e.reference_missing);
          assert.equal(f.current.missing, e.current_missing);
        }
        assert.equal(r.dataset.driftedFeatures, expected.drifted_count);
        assert.equal(r.dataset.drifted, expected.dataset_drift);
        assert.deepEqual(
          r.skipped.map((s) => s.name),
          ['event_time'],
        );
      }
    });
  }

  it('a result is plain JSON with histograms for both datasets', async () => {
    const r = await run(fixture('small_reference.csv'), fixture('small_current.csv'));
    const back = JSON.parse(JSON.stringify(r)) as DriftResult;
    assert.deepEqual(back, r);
    const age = r.features.find((f) => f.name === 'age')!;
    assert.equal(age.histogram?.kind, 'numeric');
    assert.equal(age.histogram!.reference.length, 30);
    const country = r.features.find((f) => f.name === 'country')!;
    assert.equal(country.histogram?.kind, 'categorical');
    assertClose(
      country.histogram!.current.reduce((a, b) => a + b, 0),
      1,
      1e-12,
      'shares sum to 1',
    );
  });

  it('overrides per feature and per method (mlops.yaml drift section)', async () => {
    const s = applyDriftConfig(
      defaultSettings(),
      {
        drift_share: 0.3,
        thresholds: { ks: 1e-12 },
        features: { country: { method: 'psi', threshold: 0.5 }, income: { ignore: true } },
      },
      'mlops.yaml: drift',
    );
    const r = await run(fixture('small_reference.csv'), fixture('small_current.csv'), s);
    const country = r.features.find((f) => f.name === 'country')!;
    assert.equal(country.method, 'psi');
    assert.equal(country.drifted, false, 'PSI 0.28 < 0.5');
    assert.match(country.methodReason, /set in the configuration/);
    assert.equal(r.features.find((f) => f.name === 'age')!.threshold, 1e-12);
    assert.ok(r.skipped.some((x) => x.name === 'income' && /ignored/.test(x.reason)));
    assert.equal(r.dataset.threshold, 0.3);
    assert.throws(
      () => applyDriftConfig(defaultSettings(), { features: { a: { methd: 'ks' } } }, 'mlops.yaml: drift'),
      /mlops\.yaml: drift\.features\.a: unknown key "methd"/,
    );
  });

  it('windows over the timestamp and over rows, and the staleness check', async () => {
    const s = defaultSettings();
    s.timestamp = 'event_time';
    s.window = { by: 'time', ms: 86_400_000 * 7, label: '1w' };
    s.ttl = { ms: 86_400_000, label: '24h' };
    const newest = Date.UTC(2024, 2, 21, 19);
    const r = await run(fixture('small_reference.csv'), fixture('small_current.csv'), s, { now: newest + 3_600_000 });
    assert.equal(r.windows!.windows.length, 4);
    assert.deepEqual(
      r.windows!.windows.map((w) => w.rows),
      [72, 168, 168, 92],
    );
    assert.equal(r.windows!.windows[0].start, '2024-02-26T00:00:00.000Z', 'weeks start on Monday');
    const age = r.windows!.features.find((f) => f.name === 'age')!;
    assert.equal(age.scores.length, 4);
    assert.equal(r.staleness!.stale, false);
    const late = await run(fixture('small_reference.csv'), fixture('small_current.csv'), s, {
      now: newest + 2 * 86_400_000,
    });
    assert.equal(late.staleness!.stale, true);
    const rows = defaultSettings();
    rows.window = { by: 'rows', rows: 200, label: '200 rows' };
    const byRows = await run(fixture('small_reference.csv'), fixture('small_current.csv'), rows);
    assert.deepEqual(
      byRows.windows!.windows.map((w) => w.label),
      ['rows 1–200', 'rows 201–400', 'rows 401–500'],
    );
  });

  it('a window holding every current row scores each feature as the whole comparison does (the scipy-checked path)', async () => {
    const s = defaultSettings();
    s.window = { by: 'rows', rows: 1_000_000, label: 'all rows' };
    const r = await run(fixture('large_reference.csv'), fixture('large_current.csv'), s);
    const wasserstein = r.windows!.features.filter((f) => f.method === 'wasserstein');
    assert.ok(wasserstein.length >= 2, 'the large fixture has Wasserstein features (their windows use prefix sums)');
    for (const w of r.windows!.features) {
      const f = r.features.find((x) => x.name === w.name)!;
      assert.equal(w.scores.length, 1);
      assertClose(w.scores[0]!, f.score!, 1e-9, `${w.name} (${w.method}) window score`);
    }
  });

  it('a column present in one dataset and not the other names both files', async () => {
    const t = tempFiles({ 'ref.csv': 'a,b,c\n1,2,3\n', 'cur.csv': 'a,c\n1,3\n' });
    try {
      await assert.rejects(
        run(t.file('ref.csv'), t.file('cur.csv'), defaultSettings(), {
          referenceName: 'ref.csv',
          currentName: 'cur.csv',
        }),
        /cur\.csv, line 1: there is no column "b", which ref\.csv has \(column 2 of its header, line 1\)/,
      );
      const ok = await run(t.file('ref.csv'), t.file('cur.csv'), { ...defaultSettings(), columns: ['a', 'c'] });
      assert.deepEqual(
        ok.features.map((f) => f.name),
        ['a', 'c'],
      );
    } finally {
      t.cleanup();
    }
  });
});
