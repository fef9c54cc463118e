/**
 * Debian's Chromium, driven headless by playwright-core (no browser is ever downloaded:
 * `.ci/run` installs the `chromium` package). A fresh profile directory per launch, and the
 * switches that keep a headless Chromium from reaching any network of its own.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

const CANDIDATES = [process.env.TACIT_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);

/** The Chromium binary, or undefined when none is installed. */
export const chromiumPath: string | undefined = CANDIDATES.find((p) => existsSync(p));

/** Why the browser tests skip (undefined: they run). */
export const skipReason: string | undefined = chromiumPath
  ? undefined
  : 'SKIPPED: Chromium is not installed (apt-get install -y chromium; .ci/run does it) — the console browser tests did not run';

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(viewport = { width: 1280, height: 900 }): Promise<Browser> {
  if (!chromiumPath) throw new Error(skipReason);
  const profile = mkdtempSync(join(tmpdir(), 'tacit-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
