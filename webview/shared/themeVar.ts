/**
 * A reader of the theme's CSS variables for canvas charts, which cannot use CSS variables directly: the
 * value on <html> (where VS Code puts them), else on <body>, else the fallback. Read it again on every
 * draw so a theme switch is followed.
 */
export function themeVariables(): (name: string, fallback: string) => string {
  const root = getComputedStyle(document.documentElement);
  const body = getComputedStyle(document.body);
  return (name, fallback) => root.getPropertyValue(name).trim() || body.getPropertyValue(name).trim() || fallback;
}

/** The colours every chart takes from the editor: text, secondary text, grid lines (the panel's own variable) and font. */
export function chartBase(
  v: ReturnType<typeof themeVariables>,
  gridVar: string,
): { foreground: string; muted: string; grid: string; font: string } {
  return {
    foreground: v('--vscode-foreground', '#cccccc'),
    muted: v('--vscode-descriptionForeground', '#9d9d9d'),
    grid: v(gridVar, 'rgba(128,128,128,0.35)'),
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
