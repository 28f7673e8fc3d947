#!/usr/bin/python3
"""
The same per-feature drift tests as `mlops drift`, written the obvious way with pandas + scipy.

Two uses:
  * bench/drift.bench.ts times it against `mlops drift` on the same generated files;
  * generate_vectors.py calls `drift()` on the committed fixture files to produce the expected results
    that test/unit/drift checks against (so `npm test` needs no Python).

Defaults (the ones Evidently uses), on the non-missing values of each column:
  reference <= 1000 values: numeric with > 5 unique values -> ks_2samp (drift when p <= 0.05);
                            numeric with 3-5 unique and categorical with > 2 -> chisquare (p < 0.05);
                            two values -> two-proportion z-test (p < 0.05).
  reference  > 1000 values: numeric with > 5 unique -> wasserstein_distance / std(reference) (>= 0.1);
                            otherwise jensenshannon over 30 bins / categories (>= 0.1).
  PSI for every feature (30 bins / categories, empty bins -> 0.0001). Dataset drift at share >= 0.5.

Usage: drift_pandas.py REFERENCE.csv CURRENT.csv [--exclude col,col]  (prints JSON on stdout)
"""
import json
import sys

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance

BINS = 30
EPS = 0.0001


def choose(ref, cur, numeric):
    n_values = pd.concat([ref, cur]).nunique()
    if len(ref) <= 1000:
        if numeric and n_values > 5:
            return 'ks'
        return 'chisquare' if n_values > 2 else 'ztest'
    if numeric and n_values > 5:
        return 'wasserstein'
    return 'jensenshannon'


def shares(ref, cur, numeric, fill_zeroes):
    if numeric:
        edges = np.histogram_bin_edges(np.concatenate([ref.values, cur.values]), bins=BINS)
        r = np.histogram(ref.values, edges)[0] / len(ref)
        c = np.histogram(cur.values, edges)[0] / len(cur)
    else:
        keys = sorted(set(ref.unique()) | set(cur.unique()))
        rc = ref.value_counts()
        cc = cur.value_counts()
        r = np.array([rc.get(k, 0) for k in keys]) / len(ref)
        c = np.array([cc.get(k, 0) for k in keys]) / len(cur)
    if fill_zeroes:
        r = np.where(r == 0, EPS, r)
        c = np.where(c == 0, EPS, c)
    return r, c


def feature(name, ref, cur, numeric):
    method = choose(ref, cur, numeric)
    out = {'name': name, 'method': method, 'reference_count': int(len(ref)), 'current_count': int(len(cur)),
           'unique': int(pd.concat([ref, cur]).nunique())}
    if method == 'ks':
        r = stats.ks_2samp(ref.values, cur.values)
        out.update(statistic=float(r.statistic), p_value=float(r.pvalue), drifted=bool(r.pvalue <= 0.05))
    elif method == 'chisquare':
        keys = sorted(set(ref.unique()) | set(cur.unique()))
        rc, cc = ref.value_counts(), cur.value_counts()
        k = len(cur) / len(ref)
        f_exp = [rc.get(x, 0) * k for x in keys]
        f_obs = [cc.get(x, 0) for x in keys]
        r = stats.chisquare(f_obs, f_exp)
        out.update(statistic=float(r.statistic), p_value=float(r.pvalue), drifted=bool(r.pvalue < 0.05))
    elif method == 'ztest':
        keys = sorted(set(ref.unique()) | set(cur.unique()))
        if len(keys) == 1:
            z, p = 0.0, 1.0
        else:
            x1, x2 = int((ref != keys[0]).sum()), int((cur != keys[0]).sum())
            n1, n2 = len(ref), len(cur)
            pooled = (x1 + x2) / (n1 + n2)
            z = (x1 / n1 - x2 / n2) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
            p = min(1.0, 2 * stats.norm.sf(abs(z)))
        out.update(statistic=float(z), p_value=float(p), drifted=bool(p < 0.05))
    elif method == 'wasserstein':
        w = stats.wasserstein_distance(ref.values, cur.values) / max(np.std(ref.values), 0.001)
        out.update(statistic=float(w), p_value=None, drifted=bool(w >= 0.1))
    else:
        r, c = shares(ref, cur, numeric, False)
        js = distance.jensenshannon(r, c)
        out.update(statistic=float(js), p_value=None, drifted=bool(js >= 0.1))
    r, c = shares(ref, cur, numeric, True)
    out['psi'] = float(np.sum((r - c) * np.log(r / c)))
    return out


def drift(reference, current, exclude=()):
    ref_df = pd.read_csv(reference)
    cur_df = pd.read_csv(current)
    features = []
    for name in ref_df.columns:
        if name in exclude:
            continue
        numeric = pd.api.types.is_numeric_dtype(ref_df[name]) and not pd.api.types.is_bool_dtype(ref_df[name])
        ref = ref_df[name].replace([np.inf, -np.inf], np.nan).dropna()
        cur = cur_df[name].replace([np.inf, -np.inf], np.nan).dropna()
        f = feature(name, ref, cur, numeric)
        f['reference_missing'] = int(len(ref_df) - len(ref))
        f['current_missing'] = int(len(cur_df) - len(cur))
        features.append(f)
    drifted = sum(1 for f in features if f['drifted'])
    share = drifted / len(features)
    return {'features': features, 'drifted_count': drifted, 'share': share, 'dataset_drift': share >= 0.5,
            'reference_rows': int(len(ref_df)), 'current_rows': int(len(cur_df))}


if __name__ == '__main__':
    args = sys.argv[1:]
    exclude = ()
    if '--exclude' in args:
        i = args.index('--exclude')
        exclude = tuple(args[i + 1].split(','))
        del args[i:i + 2]
    print(json.dumps(drift(args[0], args[1], exclude)))
