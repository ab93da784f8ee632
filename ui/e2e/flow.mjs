// The whole flow of a new team, through the UI only, in headless Chromium:
// register (with organization and team) and invite a reviewer; design a 3-step playbook with a
// form and a condition in the designer; start it; complete its tasks from the inbox while a
// second page watches the instance update live; branch the playbook and change a step; open a
// proposal; the reviewer approves it; merge; see the new version on main.
//   node e2e/flow.mjs BASE_URL SCREENSHOT_DIR
import fs from 'node:fs';
import { check, inspect, launch } from './browser.mjs';

const [base, shots] = process.argv.slice(2);
fs.mkdirSync(shots, { recursive: true });
const password = 'correct horse battery staple';
const step = (text) => console.log(`ok   ${text}`);
const timeout = 15000;

const ada = await launch();
const bob = await launch();
try {
  const a = ada.page;
  a.setDefaultTimeout(timeout);
  bob.page.setDefaultTimeout(timeout);

  // The reviewer signs up without a team and is asked to make one.
  await bob.page.goto(`${base}/register`);
  await bob.page.getByLabel('Your name').fill('Bob Reviewer');
  await bob.page.getByLabel('Email').fill('bob@example.com');
  await bob.page.getByLabel('Password').fill(password);
  await bob.page.getByRole('button', { name: 'Create account' }).click();
  await bob.page.waitForURL(`${base}/teams/new`);
  step('a person registers without a team and is offered to create one');

  // A bad registration keeps what was typed and says what to fix.
  await a.goto(`${base}/register`);
  await a.getByLabel('Your name').fill('Ada Lovelace');
  await a.getByLabel('Email').fill('ada@example.com');
  await a.getByLabel('Password').fill('short');
  await a.getByRole('button', { name: 'Create account' }).click();
  await a.getByText('Use at least 12 characters.').waitFor();
  check((await a.getByLabel('Email').inputValue()) === 'ada@example.com', 'the form kept the email');
  await a.getByLabel('Password').fill(password);
  await a.getByLabel('Organization').fill('Acme');
  await a.getByLabel('Team').fill('Operations');
  await a.getByRole('button', { name: 'Create account' }).click();
  await a.waitForURL(`${base}/`);
  await a.getByRole('heading', { name: 'Dashboard' }).waitFor();
  step('registration with organization and team lands on the dashboard');

  // Team settings: invite the reviewer as an editor.
  await a.goto(`${base}/settings/team`);
  await a.getByLabel('Invite by email').fill('bob@example.com');
  await a.getByLabel('Access role', { exact: true }).selectOption('editor');
  await a.getByRole('button', { name: 'Invite' }).click();
  await a.getByRole('button', { name: 'Remove Bob Reviewer' }).waitFor();
  step('the owner adds the reviewer as an editor');

  // A new playbook, designed in the designer: three steps, a form, a condition.
  await a.goto(`${base}/playbooks`);
  await a.getByRole('button', { name: 'New playbook' }).click();
  await a.getByLabel('Name').fill('Expense claim');
  await a.getByRole('button', { name: 'Create playbook' }).click();
  await a.waitForURL(/\/playbooks\/[0-9a-f-]{36}/);
  const playbookUrl = a.url();
  await a.getByRole('button', { name: 'Edit in designer' }).click();
  const panel = a.locator('section[aria-labelledby="designer-step-heading"]');
  const addStep = async (name) => {
    await a.getByRole('button', { name: 'Add step' }).click();
    await panel.getByLabel('Name', { exact: true }).first().fill(name);
  };
  await addStep('Submit the claim');
  await panel.getByRole('button', { name: 'Add field' }).click();
  await panel.getByLabel('Name', { exact: true }).nth(1).fill('amount');
  await panel.getByLabel('Name', { exact: true }).nth(1).blur();
  await panel.getByLabel('Label').fill('Amount in EUR');
  await panel.getByLabel('Type', { exact: true }).selectOption('number');
  await panel.getByLabel('Required').check();
  await addStep('Manager approval');
  await panel.getByLabel('Runs', { exact: true }).selectOption('conditional');
  await panel.getByLabel('Condition (required)').fill('steps.submit_the_claim.output.amount > 100');
  await addStep('Pay out');
  await a.getByLabel('Branch', { exact: true }).selectOption('main');
  await a.getByLabel('Commit message').fill('First version');
  await a.getByRole('button', { name: 'Save on main' }).click();
  await a.getByText(/Saved on main as commit/).waitFor();
  step('the designer saves a 3-step playbook with a form and a condition on main');

  // Start it; a second page watches the instance.
  await a.goto(playbookUrl);
  await a.getByRole('button', { name: 'Start instance' }).click();
  await a.getByLabel('Name').fill('Claim 1: conference travel');
  await a.getByRole('button', { name: 'Start', exact: true }).click();
  await a.waitForURL(/\/processes\/[0-9a-f-]{36}/);
  const instanceUrl = a.url();
  const watcher = await ada.context.newPage();
  watcher.setDefaultTimeout(timeout);
  // the watching page must follow through its one event stream: no reload, no reconnect
  let streams = 0;
  let loads = 0;
  watcher.on('request', (r) => r.url().includes('/events') && streams++);
  watcher.on('load', () => loads++);
  await watcher.goto(instanceUrl);
  await watcher.getByText('● Live').waitFor();
  const stepState = (name) => watcher.locator('main li', { has: watcher.getByText(name, { exact: true }) }).first();
  await stepState('Submit the claim').getByText('running').waitFor();
  step('the instance starts; a second page shows its first step running');

  // Complete the tasks from the inbox; the watching page follows without a reload.
  const completeTask = async (title, fill) => {
    await a.goto(`${base}/tasks`);
    await a.getByRole('link', { name: title }).first().click();
    await a.getByRole('heading', { name: title }).waitFor();
    if (fill) await fill();
    await a.getByRole('button', { name: 'Complete task' }).click();
    await a.getByText(/completed/i).first().waitFor();
  };
  await completeTask('Submit the claim', async () => {
    // an empty required field is caught in the page, before anything is sent
    let sent = 0;
    const count = (r) => r.method() === 'POST' && r.url().endsWith('/complete') && sent++;
    a.on('request', count);
    await a.getByRole('button', { name: 'Complete task' }).click();
    await a.getByText('This field is required.', { exact: true }).waitFor();
    a.off('request', count);
    check(sent === 0, 'an incomplete form is not sent');
    await a.getByLabel(/Amount in EUR/).fill('250');
  });
  await stepState('Submit the claim').getByText('completed').waitFor();
  await stepState('Manager approval').getByText('running').waitFor();
  step('completing the form task moves the watching page on, live');
  await completeTask('Manager approval');
  await completeTask('Pay out');
  await stepState('Pay out').getByText('completed').waitFor();
  // the instance's own status, beside its title
  await watcher.locator('main div:has(> h1)').getByText('completed', { exact: true }).waitFor();
  check(streams === 1 && loads === 1, `the watching page kept one stream and never reloaded (${streams} streams, ${loads} loads)`);
  step('all three tasks completed from the inbox; the monitor shows the instance completed');

  // Branch the playbook and change a step in the designer.
  await a.goto(playbookUrl);
  await a.getByRole('button', { name: 'Edit in designer' }).click();
  await a.locator('li[data-step="pay_out"] button[aria-pressed]').click();
  await panel.getByLabel('Name', { exact: true }).first().fill('Pay out within 5 days');
  await a.getByLabel('Branch', { exact: true }).selectOption({ label: 'New branch…' });
  await a.getByLabel('New branch name').fill('faster-payout');
  await a.getByLabel('Commit message').fill('Promise a payout date');
  await a.getByRole('button', { name: 'Create branch and save' }).click();
  await a.getByText(/Saved on faster-payout/).waitFor();
  step('a step changed in the designer is saved on a new branch');

  // Open a proposal; the reviewer sees the change side by side and approves.
  await a.goto(`${base}/proposals`);
  await a.getByLabel('Title').fill('Promise a payout date');
  await a.getByLabel('Branch with the changes').selectOption('faster-payout');
  await a.getByLabel('Why').fill('People ask when they will be paid.');
  await a.getByRole('button', { name: 'Open proposal' }).click();
  await a.waitForURL(/\/proposals\/[0-9a-f-]{36}/);
  const proposalUrl = a.url();
  await a.getByText('Pay out within 5 days', { exact: true }).first().waitFor();
  step('the proposal shows the changed step side by side');
  await bob.page.goto(proposalUrl);
  await bob.page.getByRole('button', { name: 'Comment on this step' }).first().click();
  await bob.page.getByLabel(/Comment on step/).fill('Five working days?');
  await bob.page.getByRole('button', { name: 'Post comment' }).first().click();
  await bob.page.getByText('Five working days?').waitFor();
  await bob.page.getByLabel('Review comment').fill('Looks right.');
  await bob.page.getByRole('button', { name: 'Approve' }).click();
  await bob.page.getByText('Looks right.').waitFor();
  step('the reviewer comments on the step and approves');

  // The author sees the approval arrive live, merges, and main has the new version.
  await a.getByText('Looks right.').waitFor();
  await a.getByText('Five working days?').waitFor();
  await a.getByRole('button', { name: /^Merge/ }).click();
  await a.locator('main').getByText('merged', { exact: true }).first().waitFor();
  await a.goto(playbookUrl);
  await a.getByText('Pay out within 5 days').first().waitFor();
  await a.getByText('Promise a payout date', { exact: true }).waitFor(); // the merged commit, in the history
  step('merged: main shows the new version and its history');

  // A change on main and a change on a branch to the same step: the proposal shows the conflict,
  // a person takes the branch's side, and the merge uses that resolution.
  const designer = async (ref) => {
    await a.goto(ref ? `${playbookUrl}?ref=${ref}` : playbookUrl);
    await a.getByRole('button', { name: 'Edit in designer' }).click();
    await a.locator('li[data-step="manager_approval"] button[aria-pressed]').click();
  };
  await designer();
  await panel.getByLabel('Name', { exact: true }).first().fill('Team lead approval');
  await a.getByLabel('Branch', { exact: true }).selectOption({ label: 'New branch…' });
  await a.getByLabel('New branch name').fill('lead-approval');
  await a.getByRole('button', { name: 'Create branch and save' }).click();
  await a.getByText(/Saved on lead-approval/).waitFor();
  await designer();
  await panel.getByLabel('Name', { exact: true }).first().fill('Manager sign-off');
  await a.getByLabel('Branch', { exact: true }).selectOption('main');
  await a.getByRole('button', { name: 'Save on main' }).click();
  await a.getByText(/Saved on main as commit/).waitFor();
  await a.goto(`${base}/proposals`);
  await a.getByLabel('Title').fill('Leads approve claims');
  await a.getByLabel('Branch with the changes').selectOption('lead-approval');
  await a.getByRole('button', { name: 'Open proposal' }).click();
  await a.waitForURL(/\/proposals\/[0-9a-f-]{36}/);
  await a.getByRole('button', { name: 'Show the conflicts' }).click();
  await a.getByRole('radio', { name: /Take lead-approval \(theirs\)/ }).check();
  const { found } = await inspect(a, `${shots}/desktop-conflicts.png`);
  check(found.length === 0, `the conflict view passes axe (${found.join('; ')})`);
  await a.getByRole('button', { name: 'Save resolutions' }).click();
  await a.getByText('All resolved: merge above.').waitFor();
  step('a conflict between main and a branch is shown and resolved by taking the branch side');
  await bob.page.goto(a.url());
  await bob.page.getByRole('button', { name: 'Approve' }).click();
  await a.getByRole('button', { name: 'Merge with my resolutions' }).click();
  await a.locator('main div:has(> h1)').getByText('merged', { exact: true }).waitFor();
  await a.goto(playbookUrl);
  await a.getByText('Team lead approval').first().waitFor();
  check((await a.getByText('Manager sign-off').count()) === 0, 'the resolution took the branch side');
  step('approved and merged with the resolution: main has the branch side');

  const errors = [...ada.errors, ...bob.errors];
  check(errors.length === 0, `no console errors (${errors.join(' | ')})`);
  console.log('ui flow passed');
} catch (e) {
  // what each person saw when it failed, beside the page screenshots
  await ada.page.screenshot({ path: `${shots}/failure-ada.png`, fullPage: true }).catch(() => {});
  await bob.page.screenshot({ path: `${shots}/failure-bob.png`, fullPage: true }).catch(() => {});
  console.error(`FAIL ${e.message}\n  at ${ada.page.url()}`);
  process.exitCode = 1;
} finally {
  await ada.close();
  await bob.close();
}
