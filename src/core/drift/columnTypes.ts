import type { PreparedCategorical, PreparedColumn, PreparedDataset } from './prepare';
import { classifyText } from './read/tokens';
import type { ColumnType } from './types';

/**
 * A column's type decided from both files together. Each reader infers types from its own file, so a
 * column can come out numeric in one and text in the other (one stray "n/a?" cell), or boolean in one
 * and text in the other. Comparing such a pair as it stands would turn numbers into strings ("1.0"
 * becomes "1" and matches nothing), so the side(s) read with the wrong type are read again with the
 * decided one:
 * - numbers against text that is almost all numbers (at most 1% odd cells, at least one): numeric; the
 *   odd cells are reported as invalid values with their line;
 * - otherwise: categorical, and the numeric (or boolean) side is read again as text, keeping each
 *   value as it is written in the file.
 */
export interface TypeDecision {
  name: string;
  type: 'numeric' | 'categorical';
  /** The sides to read again with `type`. */
  reread: ('reference' | 'current')[];
  note: string;
}

/** Share of odd (non-number) cells up to which a text column next to a numeric one is numeric. */
export const ODD_CELL_SHARE = 0.01;

const isText = (c: PreparedColumn): c is PreparedCategorical => c.type === 'categorical' || c.type === 'boolean';

export function decideColumnTypes(
  ref: PreparedDataset,
  cur: PreparedDataset,
  forced: Readonly<Record<string, ColumnType>>,
): TypeDecision[] {
  const curByName = new Map(cur.columns.map((c) => [c.name, c]));
  const out: TypeDecision[] = [];
  for (const r of ref.columns) {
    const c = curByName.get(r.name);
    if (!c || forced[r.name] || r.type === c.type) continue;
    if (r.type === 'timestamp' || c.type === 'timestamp') continue; // timestamps are not compared
    if (r.type === 'numeric' || c.type === 'numeric') {
      const [textSide, text] = r.type === 'numeric' ? (['current', c] as const) : (['reference', r] as const);
      const numSide = textSide === 'current' ? 'reference' : 'current';
      if (!isText(text)) continue;
      const { numbers, odd, example } = oddCells(text);
      if (numbers > 0 && odd <= Math.max(1, ODD_CELL_SHARE * (numbers + odd))) {
        out.push({
          name: r.name,
          type: 'numeric',
          reread: [textSide],
          note: `numeric in the ${numSide} data; ${odd} ${textSide} value${odd === 1 ? ' is' : 's are'} not a number (e.g. "${example}"): compared as numbers`,
        });
      } else {
        out.push({
          name: r.name,
          type: 'categorical',
          reread: [numSide],
          note: `numbers in the ${numSide} data but text in the ${textSide} data (e.g. "${example}"): compared as categories, values as written`,
        });
      }
    } else {
      // boolean in one file, other text in the other: both as text, as written.
      const side = r.type === 'boolean' ? 'reference' : 'current';
      out.push({
        name: r.name,
        type: 'categorical',
        reread: [side],
        note: `true/false in the ${side} data but other values in the ${side === 'reference' ? 'current' : 'reference'} data: compared as categories, values as written`,
      });
    }
  }
  return out;
}

function oddCells(c: PreparedCategorical): { numbers: number; odd: number; example: string } {
  let numbers = 0;
  let odd = 0;
  let example = '';
  c.dictionary.forEach((text, code) => {
    const n = c.counts[code];
    if (n === 0) return;
    if (classifyText(text) === 'number') numbers += n;
    else {
      odd += n;
      if (!example) example = text.slice(0, 80);
    }
  });
  return { numbers, odd, example };
}

/** `ds` with the columns of `fresh` (read again with their decided type) in place of its own. */
export function replaceColumns(ds: PreparedDataset, fresh: PreparedDataset): PreparedDataset {
  const byName = new Map(fresh.columns.map((c) => [c.name, c]));
  return { ...ds, columns: ds.columns.map((c) => byName.get(c.name) ?? c) };
}
