#!/usr/bin/python3
"""
Writes the reference vectors the TypeScript statistics are checked against, with Debian's scipy:

    /usr/bin/python3 test/scipy/generate_vectors.py

Outputs (committed, so `npm test` needs no Python):
  test/fixtures/drift/scipy-vectors.json   ks_2samp, kstwo.sf, chisquare, chi2.sf, norm.sf,
                                           wasserstein_distance, jensenshannon, histogram bins, PSI
  test/fixtures/drift/{small,large}_{reference,current}.csv   fixture datasets
  test/fixtures/drift/expected-{small,large}.json             drift_pandas.drift() on those files

Samples are stored as integers with a `scale` divisor: value = int / scale is the same double in Python
and JavaScript, and the JSON stays small.
"""
import json
import os
import sys

import numpy as np
import pandas as pd
import scipy
from scipy import stats
from scipy.spatial import distance

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import drift_pandas  # noqa: E402

OUT = os.path.join(HERE, '..', 'fixtures', 'drift')
rng = np.random.default_rng(20240501)


def ints(x, scale):
    return [int(v) for v in np.round(np.asarray(x) * scale)]


def sample(kind, n, shift=0.0, spread=1.0, scale=1000):
    if kind == 'normal':
        x = rng.normal(shift, spread, n)
    elif kind == 'exp':
        x = rng.exponential(spread, n) + shift
    else:  # coarse values: many ties
        x = np.round(rng.normal(shift, spread, n))
    return ints(x, scale), scale


def values(ints_, scale):
    return np.array(ints_, dtype=np.float64) / scale


def ks_cases():
    out = []
    specs = [
        (5, 7, 'normal', 0.5), (8, 8, 'normal', 1.0), (10, 10, 'ties', 0.0), (20, 35, 'normal', 0.3),
        (50, 50, 'ties', 0.5), (100, 80, 'exp', 0.2), (300, 1000, 'normal', 0.1), (1000, 1000, 'normal', 0.05),
        (1000, 997, 'exp', 0.15), (2000, 1500, 'normal', 0.02), (64, 64, 'normal', 2.0), (400, 600, 'normal', 1.0),
        # asymptotic mode (max size > 10000), through each region of kstwo.sf
        (100, 10100, 'normal', 0.4), (60, 10500, 'normal', 0.05), (1000, 10200, 'normal', 0.08),
        (1000, 10050, 'normal', 0.0), (900, 10001, 'exp', 0.3), (10400, 10300, 'normal', 0.03),
    ]
    for n1, n2, kind, shift in specs:
        a, s = sample(kind, n1, 0.0)
        b, _ = sample(kind, n2, shift)
        r = stats.ks_2samp(values(a, s), values(b, s))
        out.append({'a': a, 'b': b, 'scale': s, 'statistic': float(r.statistic), 'pvalue': float(r.pvalue)})
    return out


def kstwo_cases():
    out = []
    for n in [3, 10, 50, 140, 141, 400, 923, 5000, 100001, 500000]:
        for d in [0.3 / n, 0.7 / n, 1.5 / n, 0.5 / np.sqrt(n), 0.9 / np.sqrt(n), 1.3 / np.sqrt(n), 1.8 / np.sqrt(n),
                  2.5 / np.sqrt(n), 4.0 / np.sqrt(n), 0.6, 1 - 1.5 / n]:
            if 0 < d < 1:
                out.append({'n': n, 'd': float(d), 'sf': float(stats.kstwo.sf(d, n))})
    return out


def chisquare_cases():
    out = []
    for k, n, tilt in [(3, 50, 0.0), (4, 200, 0.2), (6, 1000, 0.05), (10, 5000, 0.5), (25, 100000, 0.3), (50, 300, 0.0),
                       (3, 10, 1.0), (8, 1000000, 0.01)]:
        p = rng.dirichlet(np.ones(k))
        q = p * (1 + tilt * rng.uniform(-1, 1, k))
        q = q / q.sum()
        exp_ = list(p * n)
        obs = [int(v) for v in rng.multinomial(n, q)]
        s = sum(obs) / sum(exp_)
        exp_ = [float(e * s) for e in exp_]
        r = stats.chisquare(obs, exp_)
        out.append({'observed': obs, 'expected': exp_, 'statistic': float(r.statistic), 'pvalue': float(r.pvalue)})
    return out


def chi2_sf_cases():
    return [{'x': x, 'df': df, 'sf': float(stats.chi2.sf(x, df))}
            for df in [1, 2, 3, 5, 10, 49, 200, 2000]
            for x in [0.01, 0.5, 1.0, df * 0.7, float(df), df * 1.3 + 2, df * 3.0 + 10, df * 10.0 + 50]]


def norm_sf_cases():
    return [{'z': z, 'sf': float(stats.norm.sf(z))} for z in [-3.0, -0.5, 0.0, 0.1, 0.5, 1.0, 1.96, 3.0, 5.0, 8.0, 12.0, 20.0, 30.0]]


def wasserstein_cases():
    out = []
    for n1, n2, kind, shift in [(5, 9, 'normal', 0.5), (100, 100, 'ties', 0.0), (1000, 700, 'exp', 0.3), (6000, 5000, 'normal', 0.05)]:
        a, s = sample(kind, n1, 0.0)
        b, _ = sample(kind, n2, shift)
        u, v = values(a, s), values(b, s)
        w = stats.wasserstein_distance(u, v)
        out.append({'a': a, 'b': b, 'scale': s, 'distance': float(w), 'normed': float(w / max(np.std(u), 0.001))})
    return out


def js_cases():
    out = []
    for p, q in [([1, 2, 3], [3, 2, 1]), ([0.5, 0.5, 0.0], [0.0, 0.1, 0.9]), ([10, 0, 5, 5], [10, 0, 5, 6]),
                 (list(rng.integers(0, 50, 30)), list(rng.integers(0, 50, 30)))]:
        out.append({'p': [float(x) for x in p], 'q': [float(x) for x in q], 'distance': float(distance.jensenshannon(p, q))})
    return out


def histogram_cases():
    out = []
    for n1, n2, kind, shift in [(500, 400, 'normal', 0.3), (300, 300, 'ties', 0.0), (50, 60, 'exp', 1.0)]:
        a, s = sample(kind, n1, 0.0)
        b, _ = sample(kind, n2, shift)
        u, v = values(a, s), values(b, s)
        edges = np.histogram_bin_edges(np.concatenate([u, v]), bins=30)
        ru = np.histogram(u, edges)[0] / len(u)
        rv = np.histogram(v, edges)[0] / len(v)
        fz = lambda x: np.where(x == 0, 0.0001, x)  # noqa: E731
        psi = float(np.sum((fz(ru) - fz(rv)) * np.log(fz(ru) / fz(rv))))
        out.append({'a': a, 'b': b, 'scale': s, 'edges': [float(e) for e in edges],
                    'countsA': [int(c) for c in np.histogram(u, edges)[0]], 'countsB': [int(c) for c in np.histogram(v, edges)[0]],
                    'psi': psi, 'js': float(distance.jensenshannon(ru, rv))})
    # constant sample: numpy widens the range by 0.5 on each side
    edges = np.histogram_bin_edges(np.array([2.0, 2.0, 2.0]), bins=30)
    out.append({'a': [2, 2, 2], 'b': [], 'scale': 1, 'edges': [float(e) for e in edges], 'countsA': [int(c) for c in np.histogram([2.0, 2.0, 2.0], edges)[0]],
                'countsB': [0] * 30, 'psi': None, 'js': None})
    return out


def fixtures():
    """Fixture datasets: small (reference <= 1000 rows) and large (> 1000) with drift in some features."""
    def frame(n, drift, start):
        countries = ['DE', 'FR', 'US', 'IN', 'BR', 'JP']
        p = np.array([0.3, 0.2, 0.2, 0.15, 0.1, 0.05])
        if drift:
            p = np.array([0.15, 0.2, 0.35, 0.15, 0.1, 0.05])
        income = np.round(rng.lognormal(10, 0.5, n), 2)
        income[rng.uniform(size=n) < 0.05] = np.nan
        df = pd.DataFrame({
            'age': np.round(rng.normal(42 + (6 if drift else 0), 12, n)).astype(int),
            'income': income,
            'score': np.round(rng.normal(0.3 if drift else 0.0, 1.0, n), 4),
            'rooms': rng.integers(1, 5, n),
            'is_member': (rng.uniform(size=n) < (0.3 if drift else 0.5)).astype(int),
            'country': rng.choice(countries, n, p=p),
            'device': rng.choice(['mobile', 'desktop'], n, p=[0.6, 0.4]),
            'active': rng.uniform(size=n) < 0.7,
            'latency_ms': np.round(rng.exponential(20, n), 3),
            'event_time': pd.date_range(start, periods=n, freq='H').strftime('%Y-%m-%dT%H:%M:%SZ'),
        })
        return df
    out = {}
    for name, (nr, nc) in {'small': (400, 500), 'large': (3000, 2500)}.items():
        ref = frame(nr, False, '2024-01-01')
        cur = frame(nc, True, '2024-03-01')
        rp = os.path.join(OUT, f'{name}_reference.csv')
        cp = os.path.join(OUT, f'{name}_current.csv')
        ref.to_csv(rp, index=False)
        cur.to_csv(cp, index=False)
        expected = drift_pandas.drift(rp, cp, exclude=('event_time',))
        with open(os.path.join(OUT, f'expected-{name}.json'), 'w') as f:
            json.dump(expected, f, indent=1)
        out[name] = expected
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    vectors = {
        'generated_by': f'test/scipy/generate_vectors.py with scipy {scipy.__version__}, numpy {np.__version__}, pandas {pd.__version__}',
        'ks_2samp': ks_cases(),
        'kstwo_sf': kstwo_cases(),
        'chisquare': chisquare_cases(),
        'chi2_sf': chi2_sf_cases(),
        'norm_sf': norm_sf_cases(),
        'wasserstein': wasserstein_cases(),
        'jensenshannon': js_cases(),
        'histogram': histogram_cases(),
    }
    with open(os.path.join(OUT, 'scipy-vectors.json'), 'w') as f:
        json.dump(vectors, f, separators=(',', ':'))
    fixtures()
    print('wrote', OUT)


if __name__ == '__main__':
    main()
