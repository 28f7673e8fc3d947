/**
 * Colours come only from VS Code's theme variables (light, dark, high contrast). Canvas charts cannot
 * use CSS variables directly, so they read the computed values here and are redrawn when VS Code
 * switches the theme class on <body>.
 */
import { themeVariables } from '../shared/themeVar';

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
    foreground: v('--vscode-foreground', '#cccccc'),
    muted: v('--vscode-descriptionForeground', '#9d9d9d'),
    grid: v('--drift-grid', 'rgba(128,128,128,0.35)'),
    font: v('--vscode-font-family', 'sans-serif'),
  };
}

/** Calls `onChange` whenever VS Code changes the theme (class on body, or the style variables). */
export function onThemeChange(onChange: () => void): void {
  const observer = new MutationObserver(() => onChange());
  observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
}

/** A colour with an alpha, for filled bars over each other. */
export function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(color);
  if (hex)
    return `#${hex[1]}${Math.round(alpha * 255)
      .toString(16)
      .padStart(2, '0')}`;
  const rgb = /^rgba?\(([^)]+)\)$/.exec(color);
  if (rgb) {
    const [r, g, b] = rgb[1].split(',').map((s) => s.trim());
    return `rgba(${r}, ${g}, ${b}, ${alpha})`;
  }
  return color;
}
