// The library through the UI: a form document with a field, created on a new branch, listed,
// edited, refused with bad input (kept as typed); a validation rule scoped to a playbook and a
// step, a condition the server refuses, typing during a save kept, turned inactive, deleted
// after a confirmation (a dismissed one sends nothing). Each checked after a reload. Works on
// its own branch, so a protected main does not stop it.
export default async function ({ page, base, step, check, run, dismissed }) {
  const branch = `library-${run}`;
  const docName = `Purchase request ${run}`;
  const ruleName = `Claim limit ${run}`;
  const card = (title) => page.locator('section').filter({ has: page.getByRole('heading', { name: title, exact: true }) });
  const saved = () => page.getByRole('status').filter({ hasText: 'Saved on' }).waitFor();

  // A new form document with one required number field, on a new branch.
  await page.goto(`${base}/library`);
  await page.getByRole('heading', { name: 'Library', exact: true }).waitFor();
  await page.getByRole('link', { name: 'New document' }).click();
  await page.waitForURL(/\/library\/documents\/new/);
  const details = card('Details');
  await details.getByLabel('Name').fill(docName);
  await details.getByLabel('Type').selectOption('form');
  await details.getByLabel('Category').fill('finance');
  await details.getByLabel('Compliance tags').fill('sox, audit');
  const form = card('Form');
  await form.getByRole('button', { name: 'Add field' }).click();
  await form.getByLabel('Name', { exact: true }).fill('amount');
  await form.getByLabel('Name', { exact: true }).press('Tab');
  await form.getByLabel('Label').fill('Amount');
  await form.getByLabel('Type').selectOption('number');
  await form.getByRole('checkbox', { name: 'Required' }).check();
  await card('Preview').getByLabel(/Amount/).waitFor();
  await page.getByLabel('Save on branch').selectOption({ label: 'New branch…' });
  await page.getByLabel('New branch name').fill(branch);
  await page.getByLabel('Commit message').fill('Add the purchase request form');
  await page.getByRole('button', { name: 'Create document on a new branch' }).click();
  await page.waitForURL(/\/library\/documents\/[0-9a-f-]{36}\?ref=/);
  await saved();
  const docUrl = page.url();
  step('a form document with a required field is created on a new branch');

  // Listed on its branch, with its type and field count, after a reload.
  await page.goto(`${base}/library?ref=${branch}`);
  await page.reload();
  const docRow = page.locator('main tr', { has: page.getByRole('link', { name: docName }) });
  await docRow.waitFor();
  check((await docRow.innerText()).includes('1 field'), 'the list shows the form has one field');
  check((await docRow.innerText()).includes('finance'), 'the list shows the category');
  step('the document is listed on its branch with its category and field count');

  // Edited: another category and a second field; kept after a reload.
  await page.getByRole('link', { name: docName }).click();
  await page.waitForURL(docUrl);
  await card('Details').getByLabel('Category').fill('procurement');
  await card('Form').getByRole('button', { name: 'Add field' }).click();
  await card('Form').getByLabel('Name', { exact: true }).nth(1).fill('supplier');
  await card('Form').getByLabel('Name', { exact: true }).nth(1).press('Tab');
  await page.getByRole('button', { name: `Save on ${branch}` }).click();
  await saved();
  await page.reload();
  await card('Details').getByLabel('Category').waitFor();
  check((await card('Details').getByLabel('Category').inputValue()) === 'procurement', 'the edited category is kept');
  await card('Preview').getByLabel(/Supplier/).waitFor();
  step('editing the document saves a commit; the change is there after a reload');

  // Bad input: an empty name is refused next to the field, and what was typed stays.
  await card('Details').getByLabel('Description').fill('Ask before buying anything');
  await card('Details').getByLabel('Name').fill('  ');
  await page.getByRole('button', { name: `Save on ${branch}` }).click();
  await card('Details').getByText('Give the document a name.').waitFor();
  check(await card('Details').getByLabel('Name').evaluate((el) => el === document.activeElement), 'focus moves to the name');
  check((await card('Details').getByLabel('Description').inputValue()) === 'Ask before buying anything', 'the description typed is kept');
  // a form whose JSON Schema is broken is refused before sending, at the form
  await card('Form').getByText('Edit raw JSON Schema').click();
  await card('Form').getByLabel('Form as JSON Schema').fill('{"type": "object", "properties": ');
  await card('Form').getByText('This is not valid JSON').waitFor();
  await card('Details').getByLabel('Name').fill(docName);
  await page.getByRole('button', { name: `Save on ${branch}` }).click();
  await card('Form').getByText(/The raw JSON Schema is not valid/).waitFor();
  // fixed, it saves with the description typed before
  await card('Form')
    .getByLabel('Form as JSON Schema')
    .fill(JSON.stringify({ type: 'object', properties: { amount: { type: 'number', title: 'Amount' } }, required: ['amount'] }));
  // (leaving the editor lays the JSON out again, which moves the button: leave it first)
  await card('Form').getByLabel('Form as JSON Schema').press('Tab');
  await page.getByRole('button', { name: `Save on ${branch}` }).click();
  await saved();
  await page.reload();
  await card('Details').getByLabel('Description').waitFor();
  check((await card('Details').getByLabel('Description').inputValue()) === 'Ask before buying anything', 'the description was saved');
  step('bad input (no name, broken JSON Schema) is shown next to the fields and nothing typed is lost');

  // A validation rule with a CEL condition, scoped to a playbook and one of its steps.
  await page.goto(`${base}/library?tab=rules&ref=${branch}`);
  await page.getByRole('tab', { name: 'Business rules', selected: true }).waitFor();
  await page.getByRole('link', { name: 'New rule' }).click();
  await page.waitForURL(/\/library\/rules\/new/);
  await page.getByLabel('Name', { exact: true }).fill(ruleName);
  await page.getByLabel('Category').selectOption('validation');
  await page.getByLabel('Priority').fill('10');
  await page.getByLabel('Condition (CEL)').fill('output.amount <= 5000');
  await page.getByRole('checkbox', { name: 'Expense claim', exact: true }).first().check();
  await page.getByRole('checkbox', { name: /submit_the_claim/ }).check();
  await page.getByLabel('Message when it does not hold').fill('Claims above 5000 need a second quote.');
  await page.getByRole('button', { name: `Create business rule on ${branch}` }).click();
  await page.waitForURL(/\/library\/rules\/[0-9a-f-]{36}/);
  await saved();
  await page.reload();
  await page.getByLabel('Condition (CEL)').waitFor();
  check((await page.getByLabel('Condition (CEL)').inputValue()) === 'output.amount <= 5000', 'the condition is kept');
  check(await page.getByRole('checkbox', { name: 'Expense claim', exact: true }).first().isChecked(), 'the playbook scope is kept');
  check(await page.getByRole('checkbox', { name: /submit_the_claim/ }).isChecked(), 'the step scope is kept');
  check((await page.getByLabel('Message when it does not hold').inputValue()) === 'Claims above 5000 need a second quote.', 'the message is kept');
  step('a validation rule scoped to a playbook and a step is created and reads back after a reload');

  // A condition the server cannot compile is refused with its message at the condition, which
  // gets the focus; what was typed stays.
  const condition = page.getByLabel('Condition (CEL)');
  await condition.fill('output.amount <= ');
  await page.getByRole('button', { name: `Save on ${branch}` }).click();
  await condition.and(page.locator('[aria-invalid="true"]')).waitFor();
  const described = (await condition.getAttribute('aria-describedby')) ?? '';
  const celError = (await page.locator(`[id="${described.split(' ').pop()}"]`).textContent()) ?? '';
  check(celError.length > 0 && !celError.includes('Write a condition'), `the server's refusal is at the condition: ${celError}`);
  check(await condition.evaluate((el) => el === document.activeElement), 'the refused condition gets the focus');
  check((await condition.inputValue()) === 'output.amount <= ', 'the condition typed stays');
  step("a condition the server cannot compile is refused with the server's message at the field");

  // Typing while a save is on its way is kept: the saved copy does not overwrite it.
  await condition.fill('output.amount <= 5000');
  let release;
  const held = new Promise((resolve) => (release = resolve));
  await page.route('**/v1/teams/*/rules/*', async (route) => {
    if (route.request().method() === 'PUT') await held;
    await route.continue();
  });
  await page.getByRole('button', { name: `Save on ${branch}` }).click();
  await page.getByLabel('Description').fill('Typed while saving');
  release();
  await saved();
  await page.unroute('**/v1/teams/*/rules/*');
  check((await page.getByLabel('Description').inputValue()) === 'Typed while saving', 'what was typed during the save stays');
  await page.getByText('Unsaved changes.', { exact: true }).waitFor();
  await page.getByRole('button', { name: `Save on ${branch}` }).click();
  await page.getByText('No unsaved changes.', { exact: true }).waitFor();
  await page.reload();
  await page.getByLabel('Description').waitFor();
  check((await page.getByLabel('Description').inputValue()) === 'Typed while saving', 'the description typed during a save is saved next');
  step('typing during a save is kept, marked unsaved, and saved next');

  // Turned inactive; the list says so after a reload.
  await page.getByRole('checkbox', { name: 'Active', exact: true }).uncheck();
  await page.getByRole('button', { name: `Save on ${branch}` }).click();
  await saved();
  await page.reload();
  await page.getByRole('checkbox', { name: 'Active', exact: true }).waitFor();
  check(!(await page.getByRole('checkbox', { name: 'Active', exact: true }).isChecked()), 'the rule stays inactive after a reload');
  const ruleUrl = page.url();
  await page.goto(`${base}/library?tab=rules&ref=${branch}`);
  const ruleRow = page.locator('main tr', { has: page.getByRole('link', { name: ruleName }) });
  await ruleRow.waitFor();
  check((await ruleRow.innerText()).includes('inactive'), 'the list shows the rule inactive');
  step('the rule is turned inactive; the list shows it after a reload');

  // Delete asks first: dismissed, nothing is sent and the rule stays; accepted, the rule is gone.
  await page.goto(ruleUrl);
  await page.getByRole('button', { name: 'Delete business rule' }).waitFor();
  await dismissed(() => page.getByRole('button', { name: 'Delete business rule' }).click(), 'the rule');
  await page.reload();
  await page.getByRole('heading', { name: ruleName }).waitFor();
  await page.getByRole('button', { name: 'Delete business rule' }).waitFor();
  page.once('dialog', (d) => {
    check(d.message().includes(ruleName), 'the confirmation names the rule');
    void d.accept();
  });
  await page.getByRole('button', { name: 'Delete business rule' }).click();
  await page.waitForURL(/\/library\?tab=rules/);
  await page.reload();
  await page.getByRole('heading', { name: 'Library', exact: true }).waitFor();
  await page.locator('main').getByText(/Business rules on/).waitFor();
  await page.waitForFunction(() => !/Loading…/.test(document.querySelector('main')?.textContent ?? ''));
  check((await page.getByRole('link', { name: ruleName }).count()) === 0, 'the deleted rule is no longer listed');
  step('deleting the rule asks first; after a reload it is gone');
}
