// Visits every page of the app at desktop and phone width as a signed-in user of a team with
// data: saves a full-page screenshot of each, runs an axe WCAG 2.1 A/AA scan, and collects
// console errors. Exit status 0 only when no page has a violation or an error.
//   node e2e/pages.mjs BASE_URL OUT_DIR   (the e2e flow has run first and left its data)
import fs from 'node:fs';
import path from 'node:path';
import { inspect, launch } from './browser.mjs';

const [base, outDir] = process.argv.slice(2);
const email = process.env.E2E_EMAIL ?? 'ada@example.com';
const password = process.env.E2E_PASSWORD ?? 'correct horse battery staple';
fs.mkdirSync(outDir, { recursive: true });

/** Pages to visit: [name, path or function of the page that finds it]. */
async function pages(page) {
  const firstLink = async (from, prefix) => {
    await page.goto(base + from);
    const link = page.locator(`main a[href^="${prefix}"]:visible`).first();
    await link.waitFor();
    return link.getAttribute('href');
  };
  // a document the admin parts saved on a branch of their own (`library-…`)
  const aDocument = async () => {
    await page.goto(`${base}/library`);
    const options = page.locator('main select').first().locator('option[value^="library-"]');
    await options.first().waitFor({ state: 'attached' });
    await page.goto(`${base}/library?ref=${await options.last().getAttribute('value')}`);
    const link = page.locator('main a[href^="/library/documents/"]:not([href^="/library/documents/new"]):visible').first();
    await link.waitFor();
    return link.getAttribute('href');
  };
  return [
    ['dashboard', '/'],
    ['inbox', '/tasks'],
    ['task', await firstLink('/tasks?status=', '/tasks/')],
    ['playbooks', '/playbooks'],
    ['playbook', await firstLink('/playbooks', '/playbooks/')],
    ['designer', await firstLink('/playbooks', '/playbooks/'), 'Edit in designer'],
    ['monitor', '/processes'],
    ['instance', await firstLink('/processes', '/processes/')],
    ['proposals', '/proposals'],
    ['proposal', await firstLink('/proposals', '/proposals/')],
    ['branch', '/branches/faster-payout'],
    ['library', '/library'],
    ['library-rules', '/library?tab=rules'],
    ['library-document', await aDocument()],
    ['library-new-document', '/library/documents/new'],
    ['library-new-rule', '/library/rules/new'],
    ...['overview', 'dashboards', 'bottlenecks', 'trends', 'anomalies', 'predictions', 'recommendations', 'reports', 'data'].map(
      (tab) => [`analytics-${tab}`, `/analytics?tab=${tab}`],
    ),
    ['analytics-dashboard-new', '/analytics?tab=dashboards', 'New dashboard'],
    ['analytics-report-new', '/analytics?tab=reports', 'New report'],
    ['integrations', '/integrations'],
    ['integrations-secrets', '/integrations?tab=secrets'],
    ['webhook', await firstLink('/integrations', '/integrations/webhooks/')],
    ['audit', '/audit'],
    ['profile', '/settings/profile'],
    ['team-settings', '/settings/team'],
    ['new-team', '/teams/new'],
    ['not-found', '/processes/nowhere/else'],
  ];
}

const scan = async (page, errors, label, name) => {
  const { found, shift } = await inspect(page, path.join(outDir, `${label}-${name}.png`));
  console.log(
    `${label} ${name}: ${found.length} problem(s)${found.length ? `\n  ${found.join('\n  ')}` : ''}; ${errors.length} console error(s) ${errors.join(' | ')}; layout shift ${shift.toFixed(3)}`,
  );
  if (found.length || errors.length) problems++;
  errors.length = 0;
};

/** The first route's weight (JavaScript as sent, gzipped) and load time, on a fresh profile. */
async function firstLoad() {
  const { page, close } = await launch();
  await page.goto(`${base}/login`, { waitUntil: 'load' });
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  // the bytes each script came over the wire as (gzipped), as the browser counted them
  const { scripts, timing } = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const scripts = performance
      .getEntriesByType('resource')
      .filter((r) => r.initiatorType === 'script' || r.name.endsWith('.js'))
      .reduce((n, r) => n + r.encodedBodySize, 0);
    return { scripts, timing: { load: Math.round(nav.loadEventEnd), interactive: Math.round(performance.now()) } };
  });
  await close();
  if (!scripts) {
    console.log('first load: no script was counted');
    problems++;
  }
  console.log(`first load: ${(scripts / 1024).toFixed(1)} KB of JavaScript gzipped; load event at ${timing.load} ms, sign-in form shown by ${timing.interactive} ms`);
  if (scripts > 300 * 1024) {
    console.log('the first route is over 300 KB of gzipped JavaScript');
    problems++;
  }
}

let problems = 0;
await firstLoad();
for (const [label, size] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 375, height: 812 }]]) {
  const { page, errors, close } = await launch(size);
  for (const [name, route] of [['sign-in', '/login'], ['register', '/register']]) {
    await page.goto(base + route);
    await scan(page, errors, label, name);
  }
  await page.goto(`${base}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/`);
  try {
    for (const [name, route, open] of await pages(page)) {
      await page.goto(base + route);
      await page.waitForSelector('main h1');
      if (open) await page.getByRole('button', { name: open }).click();
      await scan(page, errors, label, name);
    }
  } catch (e) {
    await page.screenshot({ path: path.join(outDir, `failure-${label}.png`), fullPage: true }).catch(() => {});
    throw e;
  } finally {
    await close();
  }
}
console.log(`pages: ${problems} page(s) with problems; screenshots in ${outDir}`);
process.exit(problems ? 1 : 0);
