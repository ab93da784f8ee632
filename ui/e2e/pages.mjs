// Visits every page of the app at desktop and phone width as a signed-in user of a team with
// data: saves a full-page screenshot of each, runs an axe WCAG 2.1 A/AA scan, and collects
// console errors. Exit status 0 only when no page has a violation or an error.
//   node e2e/pages.mjs BASE_URL OUT_DIR   (the e2e flow has run first and left its data)
import AxeBuilder from '@axe-core/playwright';
import fs from 'node:fs';
import path from 'node:path';
import { launch } from './browser.mjs';

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
  return [
    ['dashboard', '/'],
    ['inbox', '/tasks'],
    ['task', await firstLink('/tasks?status=', '/tasks/')],
    ['playbooks', '/playbooks'],
    ['playbook', await firstLink('/playbooks', '/playbooks/')],
    ['monitor', '/processes'],
    ['instance', await firstLink('/processes', '/processes/')],
    ['proposals', '/proposals'],
    ['proposal', await firstLink('/proposals', '/proposals/')],
    ['analytics', '/analytics'],
    ['audit', '/audit'],
    ['profile', '/settings/profile'],
    ['team-settings', '/settings/team'],
    ['new-team', '/teams/new'],
    ['not-found', '/processes/nowhere/else'],
  ];
}

const scan = async (page, errors, label, name) => {
  // (never 'networkidle': the live event stream stays open)
  await page.waitForLoadState('load');
  // data loaded: no loading message left (the graph and lazy pages included)
  await page.waitForFunction(() => !/Loading…|Drawing the graph…/.test(document.body.innerText), null, { timeout: 15000 });
  await page.screenshot({ path: path.join(outDir, `${label}-${name}.png`), fullPage: true });
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const found = axe.violations.map((v) => `${v.id}(${v.impact}) x${v.nodes.length}: ${v.nodes[0]?.target.join(' ')}`);
  const width = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (width > 0) found.push(`the page scrolls sideways by ${width}px`);
  console.log(`${label} ${name}: ${found.length} problem(s)${found.length ? `\n  ${found.join('\n  ')}` : ''}; ${errors.length} console error(s) ${errors.join(' | ')}`);
  if (found.length || errors.length) problems++;
  errors.length = 0;
};

/** The first route's weight (JavaScript as sent, gzipped) and load time, on a fresh profile. */
async function firstLoad() {
  const { page, close } = await launch();
  let scripts = 0;
  page.on('response', async (r) => {
    if (r.request().resourceType() === 'script') scripts += Number((await r.headerValue('content-length')) ?? 0);
  });
  await page.goto(`${base}/login`, { waitUntil: 'load' });
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  const timing = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    return { load: Math.round(nav.loadEventEnd), interactive: Math.round(performance.now()) };
  });
  await close();
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
  for (const [name, route] of await pages(page)) {
    await page.goto(base + route);
    await page.waitForSelector('main h1');
    await scan(page, errors, label, name);
  }
  await close();
}
console.log(`pages: ${problems} page(s) with problems; screenshots in ${outDir}`);
process.exit(problems ? 1 : 0);
