// The keyboard alone, in headless Chromium: no click, no mouse. Each control is reached with Tab
// (or Shift+Tab) from where focus is, and used with Enter, Space, arrows and typing: register with
// organization and team, create a playbook, add two steps in the designer and move one up, choose
// the branch and save, start an instance, and complete its task from the inbox.
//   node e2e/keyboard.mjs BASE_URL SCREENSHOT_DIR
import fs from 'node:fs';
import path from 'node:path';
import { check, launch } from './browser.mjs';

const [base, shots] = process.argv.slice(2);
fs.mkdirSync(shots, { recursive: true });
const step = (text) => console.log(`ok   ${text}`);
const run = Date.now().toString(36);

const { page, errors, close } = await launch();
page.setDefaultTimeout(15000);
const kb = page.keyboard;

/** What has focus: its role-ish tag, its accessible name as the page labels it, and its type. */
const focused = () =>
  page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { tag: 'body', name: '', type: '' };
    const labelled = el.getAttribute('aria-labelledby');
    const name =
      el.getAttribute('aria-label') ??
      (labelled ? labelled.split(' ').map((id) => document.getElementById(id)?.innerText ?? '').join(' ') : null) ??
      (el.labels?.[0]?.innerText ?? null) ??
      el.innerText ??
      '';
    return { tag: el.tagName.toLowerCase(), name: name.replace(/\s+/g, ' ').trim(), type: el.getAttribute('type') ?? '' };
  });

/**
 * Presses Tab (or Shift+Tab) until the focused control's name matches `name` (and its tag `tag`
 * when given), unless it has focus already; fails after `limit` presses: the control is not
 * reachable by keyboard.
 */
async function tabTo(name, { tag, back = false, limit = 80 } = {}) {
  const matches = (f) => (typeof name === 'string' ? f.name.startsWith(name) : name.test(f.name)) && (!tag || f.tag === tag);
  if (matches(await focused())) return;
  for (let i = 0; i < limit; i++) {
    await kb.press(back ? 'Shift+Tab' : 'Tab');
    const f = await focused();
    if (matches(f)) return f;
  }
  throw new Error(`check failed: ${name} is not reachable with ${back ? 'Shift+Tab' : 'Tab'}`);
}
const type = async (name, text, opts) => {
  await tabTo(name, opts);
  await kb.press('ControlOrMeta+A');
  await kb.type(text);
};
/**
 * Waits for an in-app navigation to `url` to finish: the app then moves focus to the new page's
 * heading, and Tab continues from there (tabbing before would race that move).
 */
const arrive = async (url) => {
  await page.waitForURL(url);
  await page.waitForFunction(() => document.activeElement?.tagName === 'H1');
};
const press = async (name, opts) => {
  await tabTo(name, opts);
  await kb.press('Enter');
};

try {
  await page.goto(`${base}/login`);
  await press('Create an account', { tag: 'a' });
  await page.waitForURL(`${base}/register`);
  await type('Your name', 'Kim Keys');
  await type('Email', `kim-${run}@example.com`);
  await type('Password', 'correct horse battery staple');
  await type('Organization', 'Keyboard Co');
  await type('Team', 'Keys');
  await press('Create account', { tag: 'button' });
  await page.waitForURL(`${base}/`); // the app's frame opens here: focus starts at the top
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  step('registered with organization and team, by keyboard');

  // The skip link comes first, then the header and the navigation.
  await press('Playbooks', { tag: 'a' });
  await arrive(`${base}/playbooks`);
  await press('New playbook', { tag: 'button' });
  await type('Name', 'Keyboard onboarding', { tag: 'input' });
  await press('Create playbook', { tag: 'button' });
  await arrive(/\/playbooks\/[0-9a-f-]{36}/);
  const playbookUrl = page.url();
  await press('Edit in designer', { tag: 'button' });
  step('a new playbook opens in the designer');

  for (const name of ['Send the welcome pack', 'Create the accounts']) {
    await press('Add step', { tag: 'button' });
    // the new step is selected and its editor opens with focus in its name field
    check((await focused()).name === 'Name', 'a new step puts focus in its name field');
    await type('Name', name, { tag: 'input' });
  }
  // move the second step up with its keyboard button, from wherever focus is
  await press('Move Create the accounts up', { tag: 'button', back: true, limit: 120 });
  await page.getByText('Moved Create the accounts to position 1 of 2.').waitFor();
  const order = await page.locator('ol[aria-label="Steps in order"] > li').allInnerTexts();
  check(order[0].includes('Create the accounts') && order[1].includes('Send the welcome pack'), `the steps were reordered: ${order.join(' | ')}`);
  step('two steps added and one moved up, by keyboard');

  // choose the branch with the arrow keys, then save
  await tabTo('Branch', { tag: 'select' });
  const options = await page.getByLabel('Branch', { exact: true }).locator('option').allInnerTexts();
  for (let i = 0; i < options.length && (await page.getByLabel('Branch', { exact: true }).inputValue()) !== 'main'; i++) await kb.press('ArrowDown');
  check((await page.getByLabel('Branch', { exact: true }).inputValue()) === 'main', 'main chosen with the arrow keys');
  await type('Commit message', 'First version, typed');
  await press('Save on main', { tag: 'button' });
  await page.getByText(/Saved on main as commit/).waitFor();
  step('saved on main, by keyboard');

  await page.goto(playbookUrl);
  await press('Start instance', { tag: 'button' });
  await type('Name', `Keyboard run ${run}`, { tag: 'input' });
  await press(/^Start$/, { tag: 'button' });
  await arrive(/\/processes\/[0-9a-f-]{36}/);
  step('an instance started, by keyboard');

  await press(/^Inbox$/, { tag: 'a' });
  await arrive(`${base}/tasks`);
  await press('Create the accounts', { tag: 'a' });
  await arrive(/\/tasks\/[0-9a-f-]{36}/);
  await page.getByRole('heading', { name: 'Create the accounts' }).waitFor();
  await press('Complete task', { tag: 'button' });
  await page.getByRole('button', { name: 'Complete task' }).waitFor({ state: 'detached' });
  await page.getByText(/completed/i).first().waitFor();
  step('the first task completed from the inbox, by keyboard');

  check(errors.length === 0, `no console errors: ${errors.join(' | ')}`);
} catch (e) {
  await page.screenshot({ path: path.join(shots, 'failure-keyboard.png'), fullPage: true }).catch(() => {});
  console.log('focus was on', await focused().catch(() => '?'));
  throw e;
} finally {
  await close();
}
console.log('keyboard: passed');
