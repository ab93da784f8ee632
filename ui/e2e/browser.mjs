// Starts Debian's Chromium through playwright-core as ../shared/acceptance/browser/launch.mjs
// shows: no browser download, only loopback reachable, a fresh profile each time.
import AxeBuilder from '@axe-core/playwright';
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

/**
 * Waits for a page's data, saves a full-page screenshot to `file`, and answers its problems (axe
 * WCAG 2.1 A/AA violations, sideways scrolling) and its cumulative layout shift, a figure to
 * print (0.1 is the usual bound for "good").
 */
export async function inspect(page, file) {
  // (never 'networkidle': the live event stream stays open)
  await page.waitForLoadState('load');
  // data loaded: no loading message left (the graph and lazy pages included)
  await page.waitForFunction(() => !/Loading…|Drawing the graph…/.test(document.body.innerText), null, { timeout: 15000 });
  await page.screenshot({ path: file, fullPage: true });
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const found = axe.violations.map((v) => `${v.id}(${v.impact}) x${v.nodes.length}: ${v.nodes[0]?.target.join(' ')}`);
  const width = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (width > 0) found.push(`the page scrolls sideways by ${width}px`);
  const shift = await page.evaluate(
    () =>
      new Promise((resolve) => {
        let total = 0;
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) if (!e.hadRecentInput) total += e.value;
        }).observe({ type: 'layout-shift', buffered: true });
        setTimeout(() => resolve(total), 200);
      }),
  );
  return { found, shift };
}
