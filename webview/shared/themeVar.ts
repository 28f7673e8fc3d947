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
