// Everyday work beyond the main flow: a standalone task from the inbox; raising an exception on an
// instance and completing a running step with its output; a branch's page (compare with main, its
// commits, revert a commit, reset to a commit, delete the branch); archiving a playbook.
export default async function ({ page, base, step, check, run }) {
  page.on('dialog', (d) => d.accept());

  // A standalone task, assigned to nobody, opens on its own page.
  await page.goto(`${base}/tasks`);
  await page.getByRole('button', { name: 'New task' }).click();
  await page.getByLabel('Title').fill(`Order name badges ${run}`);
  await page.getByLabel('Description').fill('For the new starters.');
  await page.getByLabel('Priority').selectOption('high');
  await page.getByRole('button', { name: 'Create task' }).click();
  await page.getByRole('heading', { name: `Order name badges ${run}` }).waitFor();
  await page.reload();
  await page.getByText('For the new starters.').waitFor();
  step('a standalone task is created from the inbox');

  // A new instance of the flow's playbook: its first step is completed from the monitor with an
  // output (50 is not over 100, so the approval is skipped), and an exception is raised by hand.
  await page.goto(`${base}/playbooks`);
  await page.getByRole('link', { name: 'Expense claim' }).first().click();
  await page.getByRole('button', { name: 'Start instance' }).click();
  await page.getByLabel('Name').fill(`Claim ${run}`);
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await page.waitForURL(/\/processes\/[0-9a-f-]{36}/);
  const row = (name) => page.locator('main li', { has: page.getByText(name, { exact: true }) }).first();
  await row('Submit the claim').getByText('running').waitFor();
  await page.getByRole('button', { name: 'Complete Submit the claim' }).click();
  await page.getByLabel('Output (JSON)').fill('{"amount": "fifty"}');
  await page.getByRole('button', { name: 'Complete step' }).click();
  // the server checks the output against the step's form and says so at the field
  await page.getByLabel('Output (JSON)').and(page.locator('[aria-invalid="true"]')).waitFor();
  check((await page.getByLabel('Output (JSON)').inputValue()) === '{"amount": "fifty"}', 'a refused output stays as typed');
  await page.getByLabel('Output (JSON)').fill('{"amount": 50}');
  await page.getByRole('button', { name: 'Complete step' }).click();
  await row('Submit the claim').getByText('completed').waitFor();
  await row('Manager sign-off').or(row('Team lead approval')).getByText('skipped').waitFor();
  step('a running step is completed with its output from the instance page; a bad output is refused and kept');

  await page.getByRole('button', { name: 'Raise an exception' }).click();
  await page.getByLabel('What is wrong').fill(`Receipt missing ${run}`);
  await page.getByLabel('Severity').selectOption('error');
  await page.getByLabel('Step', { exact: true }).selectOption({ label: 'Pay out within 5 days' });
  await page.getByRole('button', { name: 'Raise exception' }).click();
  await page.getByText(`Receipt missing ${run}`).waitFor();
  await page.reload();
  await page.getByText(`Receipt missing ${run}`).waitFor();
  await page.getByRole('button', { name: /^Handle manual override at Pay out/ }).waitFor();
  step('an exception raised by hand is listed with its handling');

  // A branch: created, changed in the designer, compared with main, a commit reverted, deleted.
  const branch = `tidy-${run}`;
  await page.goto(`${base}/proposals`);
  await page.getByLabel('New branch from main').fill(branch);
  await page.getByRole('button', { name: 'Create branch' }).click();
  await page.getByRole('link', { name: branch }).click();
  await page.waitForURL(`${base}/branches/${branch}`);
  await page.getByText(`${branch} has the same library as main.`).waitFor();

  await page.goto(`${base}/playbooks?ref=${branch}`);
  await page.getByRole('link', { name: 'Expense claim' }).first().click();
  await page.getByRole('button', { name: 'Edit in designer' }).click();
  await page.locator('li[data-step="pay_out"] button[aria-pressed]').click();
  const panel = page.locator('section[aria-labelledby="designer-step-heading"]');
  await panel.getByLabel('Name', { exact: true }).first().fill('Pay out the same week');
  await page.getByLabel('Commit message').fill('Pay faster');
  await page.getByRole('button', { name: `Save on ${branch}` }).click();
  await page.getByText(new RegExp(`Saved on ${branch}`)).waitFor();

  await page.goto(`${base}/branches/${branch}`);
  await page.getByText(`${branch} is 1 commit ahead of main and 0 behind.`).waitFor();
  await page.getByText('Pay out the same week — changed').waitFor();
  const commit = page.locator('main li', { has: page.getByText('Pay faster', { exact: true }) }).first();
  await commit.getByRole('button', { name: /^Show changes/ }).click();
  await commit.getByText(/playbook .* modified/).waitFor();
  await commit.getByRole('button', { name: /^Revert/ }).click();
  await page.getByText(/Reverted as commit/).waitFor();
  await page.getByText(`${branch} is 2 commits ahead of main and 0 behind.`).waitFor();
  await page.getByText(`${branch} has the same library as main.`).waitFor();
  step('a branch page compares with main, shows a commit and reverts it');
  await commit.getByRole('button', { name: /^Reset here/ }).click();
  await page.getByText(`${branch} is 1 commit ahead of main and 0 behind.`).waitFor();
  await page.getByText('Pay out the same week — changed').waitFor();
  step('the branch is reset to the reverted commit: the change is back');

  await page.getByRole('button', { name: 'Delete branch' }).click();
  await page.waitForURL(`${base}/proposals`);
  await page.reload();
  await page.getByRole('link', { name: 'faster-payout' }).waitFor(); // the list has loaded
  check((await page.getByRole('link', { name: branch }).count()) === 0, 'the deleted branch is no longer listed');
  step('the branch is deleted');

  // Archiving a playbook stops new instances.
  await page.goto(`${base}/playbooks`);
  await page.getByRole('button', { name: 'New playbook' }).click();
  await page.getByLabel('Name').fill(`Old process ${run}`);
  await page.getByRole('button', { name: 'Create playbook' }).click();
  await page.waitForURL(/\/playbooks\/[0-9a-f-]{36}/);
  await page.getByRole('button', { name: 'Archive' }).click();
  await page.getByText('This playbook is archived: it cannot start instances.').waitFor();
  await page.reload();
  await page.locator('main').getByText('archived', { exact: true }).first().waitFor();
  check(await page.getByRole('button', { name: 'Start instance' }).isDisabled(), 'an archived playbook cannot be started');
  step('a playbook is archived and can start no instance');
}
