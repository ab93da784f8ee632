// The whole flow of a new team, through the UI only, in headless Chromium:
// register (with organization and team) and invite a reviewer; design a 3-step playbook with a
// form and a condition in the designer; start it; complete its tasks from the inbox while a
// second page watches the instance update live; branch the playbook and change a step; open a
// proposal; the reviewer approves it; merge; see the new version on main.
//   node e2e/flow.mjs BASE_URL SCREENSHOT_DIR
import fs from 'node:fs';
import { check, launch } from './browser.mjs';

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
  await a.getByText('Bob Reviewer', { exact: true }).waitFor();
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
    await a.getByRole('button', { name: 'Complete task' }).click();
    await a.getByText(/required/i).first().waitFor(); // checked before sending
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
