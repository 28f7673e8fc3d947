/**
 * Colours come only from VS Code's theme variables (light, dark, high contrast). Canvas charts cannot
 * use CSS variables directly, so they read the computed values here and are redrawn when VS Code
 * switches the theme class on <body>.
 */
import { chartBase, themeVariables } from '../shared/themeVar';

export interface ChartTheme {
  reference: string;
  current: string;
  drifted: string;
  foreground: string;
  muted: string;
  grid: string;
  font: string;
}

export function readTheme(): ChartTheme {
  const v = themeVariables();
  return {
    reference: v('--drift-reference', '#3794ff'),
    current: v('--drift-current', '#d18616'),
    drifted: v('--drift-drifted', '#f14c4c'),
    ...chartBase(v, '--drift-grid'),
  };
}
