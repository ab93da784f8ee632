// Starts Debian's Chromium through playwright-core as ../shared/acceptance/browser/launch.mjs
// shows: no browser download, only loopback reachable, a fresh profile each time.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export async function launch({ width = 1280, height = 800 } = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'orgata-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: { width, height },
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1',
    ],
  });
  const errors = [];
  context.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  context.on('weberror', (e) => errors.push(String(e.error())));
  const page = context.pages()[0] ?? (await context.newPage());
  const close = async () => {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  };
  return { context, page, errors, close };
}

/** Fails the run with a message. */
export function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}
