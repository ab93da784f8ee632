// The team's administration and library through the UI only, in headless Chromium: documents and
// business rules, webhooks (with their deliveries) and team secrets, AI agent members, branch
// protection, and editing analytics dashboards and reports. Each part is a module in e2e/admin/
// (run in name order) exporting `default async ({ page, base, step, check, run, dismissed })`;
// `run` is a suffix unique to this run, so the parts can run again on the same server.
//   node e2e/admin.mjs BASE_URL SCREENSHOT_DIR [PART…]   (after flow.mjs: signs in as its owner)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, launch } from './browser.mjs';

const [base, shots, ...only] = process.argv.slice(2);
fs.mkdirSync(shots, { recursive: true });
const email = process.env.E2E_EMAIL ?? 'ada@example.com';
const password = process.env.E2E_PASSWORD ?? 'correct horse battery staple';
const step = (text) => console.log(`ok   ${text}`);
const run = Date.now().toString(36);

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'admin');
const parts = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.mjs') && (!only.length || only.some((o) => f.includes(o))))
  .sort();
check(parts.length > 0, `no admin part matches ${only.join(', ')}`);

const { page, errors, close } = await launch();

/** Does `act`, dismisses the confirmation it asks for, and checks no DELETE was sent for `what`. */
async function dismissed(act, what) {
  const deletes = [];
  const record = (r) => r.method() === 'DELETE' && deletes.push(r.url());
  page.on('request', record);
  const asked = new Promise((resolve) =>
    page.once('dialog', (d) => {
      void d.dismiss();
      resolve();
    }),
  );
  await act();
  await asked;
  await page.waitForTimeout(300);
  page.off('request', record);
  check(deletes.length === 0, `${what}: a dismissed confirmation sends no delete (${deletes.join(', ')})`);
}
page.setDefaultTimeout(15000);
let current = 'sign-in';
try {
  await page.goto(`${base}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/`);
  for (const part of parts) {
    current = part;
    console.log(`---- ${part}`);
    const { default: drive } = await import(path.join(dir, part));
    await drive({ page, base, step, check, run, dismissed });
    page.removeAllListeners('dialog'); // each part answers confirmations its own way
    // refusals the parts provoke on purpose (4xx) show in the page; anything else is a fault
    const faults = errors.filter((e) => !/the server responded with a status of 4\d\d/.test(e));
    check(faults.length === 0, `no console errors in ${part}: ${faults.join(' | ')}`);
    errors.length = 0;
  }
} catch (e) {
  await page.screenshot({ path: path.join(shots, `failure-admin-${current}.png`), fullPage: true }).catch(() => {});
  throw e;
} finally {
  await close();
}
console.log(`admin: ${parts.length} part(s) passed`);
