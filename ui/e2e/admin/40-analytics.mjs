// Analytics dashboards and reports: a dashboard created and edited in the one editor (renamed, a
// widget added and moved, another removed; a widget the server refuses, its refusal moving with
// it; an empty name refused keeping the edits), read back after reload in order, then deleted
// after a confirmation (a dismissed one sends nothing); a report created, edited (name, format,
// schedule, a bad schedule refused by the server) and read back after reload, then deleted.

export default async function ({ page, base, step, check, run, dismissed }) {
  const invalid = page.locator('[aria-invalid="true"]');
  const focused = page.locator(':focus');
  const board = `Ops board ${run}`;
  const renamed = `Weekly ops ${run}`;
  const report = `Payout report ${run}`;
  const reportRenamed = `Payout digest ${run}`;
  const accept = () => page.once('dialog', (d) => d.accept());

  // ---- dashboards
  await page.goto(`${base}/analytics?tab=dashboards`);
  await page.getByRole('button', { name: 'New dashboard' }).click();
  const editor = page.locator('form').filter({ has: page.getByRole('button', { name: 'Create dashboard' }) });
  await editor.getByLabel('Name', { exact: true }).fill(board);
  await editor.getByLabel('Description (optional)').fill('Made by the admin e2e');
  // the editor starts with Performance and Trends; a third widget shows SLA breaches
  await editor.getByRole('button', { name: 'Add widget' }).click();
  const third = editor.getByRole('listitem').nth(2);
  check(await third.getByLabel('Title').evaluate((el) => el === document.activeElement), 'the added widget’s title has focus');
  await third.getByLabel('Shows').selectOption({ label: 'SLA breaches' });
  check((await third.getByLabel('Title').inputValue()) === 'SLA breaches', 'the default title follows the source');
  await editor.getByRole('button', { name: 'Create dashboard' }).click();
  const heading = (name) => page.getByRole('heading', { level: 2, name, exact: true });
  await heading(board).waitFor();
  step('a dashboard is created with three widgets in the editor');

  const view = page.locator('section[aria-labelledby^="dashboard-"]');
  const titles = () => view.locator('section h2').allTextContents();
  const wantTitles = async (want, what) => {
    await page.waitForFunction(
      (want) =>
        JSON.stringify([...document.querySelectorAll('section[aria-labelledby^="dashboard-"] section h2')].map((h) => h.textContent)) ===
        JSON.stringify(want),
      want,
    );
    check(JSON.stringify(await titles()) === JSON.stringify(want), `${what}: ${await titles()}`);
  };
  await wantTitles(['Performance', 'Trends', 'SLA breaches'], 'the new dashboard shows its widgets in order');

  // edit: rename, add People and move it up twice, remove Trends
  await page.getByRole('button', { name: 'Edit dashboard' }).click();
  const edit = page.locator('form').filter({ has: page.getByRole('button', { name: 'Save dashboard' }) });
  const name = edit.getByLabel('Name', { exact: true });
  check(await name.evaluate((el) => el === document.activeElement), 'the name has focus when the editor opens');
  await name.fill(renamed);
  await edit.getByRole('button', { name: 'Add widget' }).click();
  const added = edit.getByRole('listitem').nth(3);
  await added.getByLabel('Shows').selectOption({ label: 'People' });
  await added.getByLabel('Width on wide screens').selectOption({ label: 'The whole width' });
  await edit.getByRole('button', { name: 'Move People up' }).click();
  // the moved widget's button keeps the focus, so the keyboard can move it on
  check(
    await edit.getByRole('button', { name: 'Move People up' }).evaluate((el) => el === document.activeElement),
    'focus stays on the moved widget’s button',
  );
  await page.keyboard.press('Enter');
  await page.getByRole('status').filter({ hasText: 'Moved People to position 2 of 4.' }).waitFor();
  await edit.getByRole('button', { name: 'Remove Trends' }).click();
  const order = () => edit.getByRole('listitem').locator('h3').allTextContents();
  check(JSON.stringify(await order()) === JSON.stringify(['1. Performance', '2. People', '3. SLA breaches']), `the editor's order: ${await order()}`);
  step('in the editor: renamed, People added and moved up with the keyboard, Trends removed');

  // days out of range on a widget: the server's refusal is at that widget's field (focused), and
  // stays with the widget when it moves
  const sla = edit.getByRole('listitem', { name: /SLA breaches$/ });
  const people = edit.getByRole('listitem', { name: /People$/ });
  await sla.getByLabel('Days covered').fill('500');
  await edit.getByRole('button', { name: 'Save dashboard' }).click();
  await sla.getByLabel('Days covered').and(invalid).waitFor();
  await sla.getByLabel('Days covered').and(focused).waitFor();
  check((await people.getByLabel('Days covered').getAttribute('aria-invalid')) !== 'true', 'the other widgets have no refusal');
  await edit.getByRole('button', { name: 'Move SLA breaches up' }).click();
  check(JSON.stringify(await order()) === JSON.stringify(['1. Performance', '2. SLA breaches', '3. People']), `moved up: ${await order()}`);
  check((await sla.getByLabel('Days covered').getAttribute('aria-invalid')) === 'true', 'the refusal moved with its widget');
  check((await people.getByLabel('Days covered').getAttribute('aria-invalid')) !== 'true', 'the widget now at its old place has no refusal');
  await edit.getByRole('button', { name: 'Move SLA breaches down' }).click();
  await sla.getByLabel('Days covered').fill('30');
  step("a widget's days out of range are refused by the server at that widget, and the refusal moves with it");

  // an empty name is refused next to the field, and the edits stay
  await name.fill('');
  await edit.getByRole('button', { name: 'Save dashboard' }).click();
  await name.and(page.locator('[aria-invalid="true"]')).waitFor();
  check(await name.evaluate((el) => el === document.activeElement), 'the refused name gets the focus');
  const nameError = await name.getAttribute('aria-describedby');
  check(
    !!nameError && (await page.locator(`[id="${nameError}"]`).textContent()) === 'Give the dashboard a name.',
    'the name’s error is shown by the field and tied to it',
  );
  await edit.getByText('Give the dashboard a name.').waitFor();
  check(JSON.stringify(await order()) === JSON.stringify(['1. Performance', '2. People', '3. SLA breaches']), 'the widget edits stay after the refusal');
  step('an empty name is refused with an error by the field, and the edits stay');

  await name.fill(renamed);
  await edit.getByRole('button', { name: 'Save dashboard' }).click();
  await heading(renamed).waitFor();
  await wantTitles(['Performance', 'People', 'SLA breaches'], 'the saved dashboard shows the new order');
  await page.reload();
  await page.getByLabel('Dashboard', { exact: true }).selectOption({ label: renamed });
  await heading(renamed).waitFor();
  await wantTitles(['Performance', 'People', 'SLA breaches'], 'after reload the dashboard shows its widgets in order');
  step('after reload the dashboard has its new name and widgets in the new order');

  // delete: a dismissed confirmation sends nothing and keeps it; an accepted one removes it
  await dismissed(() => page.getByRole('button', { name: 'Delete dashboard' }).click(), 'the dashboard');
  await page.reload();
  await page.getByLabel('Dashboard', { exact: true }).selectOption({ label: renamed });
  await heading(renamed).waitFor();
  accept();
  await page.getByRole('button', { name: 'Delete dashboard' }).click();
  await heading(renamed).waitFor({ state: 'detached' });
  await page.reload();
  await page.getByRole('tab', { name: 'Dashboards' }).waitFor();
  await page.waitForFunction(() => !/Loading…/.test(document.body.innerText));
  // the dashboard picker (none when no dashboard is left)
  const picker = page.getByLabel('Dashboard', { exact: true });
  const empty = page.getByText('The team has no dashboard yet.');
  await picker.or(empty).waitFor();
  const options = (await picker.count()) ? await picker.locator('option').allTextContents() : [];
  check(!options.includes(renamed), `the deleted dashboard is no longer listed after reload: ${options.join(', ')}`);
  step('deleting a dashboard asks first; once confirmed it is gone, also after reload');

  // ---- reports
  await page.goto(`${base}/analytics?tab=reports`);
  await page.getByRole('button', { name: 'New report' }).click();
  await page.getByLabel('Name', { exact: true }).fill(report);
  await page.getByLabel('Format').selectOption('pdf');
  await page.getByRole('button', { name: 'Create report' }).click();
  const row = page.getByRole('listitem').filter({ has: page.getByRole('heading', { level: 3, name: report, exact: true }) });
  await row.waitFor();
  step('a report is created');

  await row.getByRole('button', { name: `Edit ${report}` }).click();
  const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Save report' }) });
  check((await form.getByLabel('Name', { exact: true }).inputValue()) === report, 'the edit form holds the report’s name');
  check((await form.getByLabel('Format').inputValue()) === 'pdf', 'the edit form holds the report’s format');
  await form.getByLabel('Name', { exact: true }).fill(reportRenamed);
  await form.getByLabel('Format').selectOption('csv');
  // a schedule that is not a cron expression: the server's refusal is at the field, focused
  const schedule = form.getByLabel('Schedule (optional)');
  await schedule.fill('every monday');
  await form.getByRole('button', { name: 'Save report' }).click();
  await schedule.and(invalid).waitFor();
  await schedule.and(focused).waitFor();
  check((await form.getByLabel('Name', { exact: true }).inputValue()) === reportRenamed, 'the name typed stays');
  step('a schedule that is not a cron expression is refused by the server at the field');
  await schedule.fill('0 8 * * 1');
  await form.getByRole('button', { name: 'Save report' }).click();
  await form.waitFor({ state: 'detached' });
  await page.reload();
  const saved = page.getByRole('listitem').filter({ has: page.getByRole('heading', { level: 3, name: reportRenamed, exact: true }) });
  await saved.waitFor();
  const text = await saved.textContent();
  check(/CSV/.test(text) && text.includes('0 8 * * 1') && /next run/.test(text), `after reload the report shows its format and schedule: ${text}`);
  check((await page.getByRole('heading', { level: 3, name: report, exact: true }).count()) === 0, 'the old name is gone');
  step('after reload the report shows its new name, CSV and its schedule');

  await dismissed(() => saved.getByRole('button', { name: 'Delete' }).click(), 'the report');
  await page.reload();
  await saved.waitFor();
  accept();
  await saved.getByRole('button', { name: 'Delete' }).click();
  await saved.waitFor({ state: 'detached' });
  await page.reload();
  await page.getByRole('button', { name: 'New report' }).waitFor();
  await page.waitForFunction(() => !/Loading…/.test(document.body.innerText));
  check((await saved.count()) === 0, 'the deleted report stays gone after reload');
  step('the report is deleted after a confirmation (a dismissed one sends nothing), also after reload');
}
