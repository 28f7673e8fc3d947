import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`); MLOPS_E2E_CHROMIUM points elsewhere. */
export const CHROMIUM = process.env.MLOPS_E2E_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Debian's Chromium driven by playwright-core, as the webview and real-VS-Code tiers both launch it: no
 * sandbox (CI runs as root), no GPU, and none of the background traffic a test machine cannot reach.
 */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      ...extraArgs,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
