// Team settings beyond members: withdrawing a pending invitation, editing a business role, and an
// owner deleting a team (a scratch team made for it, so the others are left as they were).
export default async function ({ page, base, step, check, run }) {
  page.on('dialog', (d) => d.accept());
  await page.goto(`${base}/settings/team`);

  // An invitation to someone with no account yet stays pending until withdrawn.
  const email = `carol-${run}@example.com`;
  await page.getByLabel('Invite by email').fill(email);
  await page.getByLabel('Access role', { exact: true }).selectOption('member');
  await page.getByRole('button', { name: 'Invite' }).click();
  const withdraw = page.getByRole('button', { name: `Withdraw the invitation to ${email}` });
  await withdraw.click();
  await withdraw.waitFor({ state: 'detached' });
  // invited again and reloaded: the one pending invitation listed is the new one
  const other = `dan-${run}@example.com`;
  await page.getByLabel('Invite by email').fill(other);
  await page.getByRole('button', { name: 'Invite' }).click();
  await page.getByRole('list', { name: 'Pending invitations' }).getByText(other, { exact: true }).waitFor();
  await page.reload();
  await page.getByRole('list', { name: 'Pending invitations' }).getByText(other, { exact: true }).waitFor();
  check((await page.getByText(email).count()) === 0, 'the withdrawn invitation is gone after a reload');
  await page.getByRole('button', { name: `Withdraw the invitation to ${other}` }).click();
  await page.getByRole('button', { name: `Withdraw the invitation to ${other}` }).waitFor({ state: 'detached' });
  step('a pending invitation is withdrawn');

  // A business role: made, then given a level, an hourly cost and a superior role.
  const [lead, clerk] = [`Lead ${run}`, `Clerk ${run}`];
  for (const name of [lead, clerk]) {
    await page.getByLabel('Role name').fill(name);
    await page.getByRole('button', { name: 'Add role', exact: true }).click();
    await page.getByRole('button', { name: `Edit role ${name}` }).waitFor();
  }
  await page.getByRole('button', { name: `Edit role ${clerk}` }).click();
  const form = page.getByRole('form', { name: `Edit role ${clerk}` });
  await form.getByLabel('Level').fill('101');
  await form.getByRole('button', { name: 'Save role' }).click();
  // the browser's own check of the field's range holds the form back
  check(await form.getByLabel('Level').evaluate((el) => !el.validity.valid), 'a level over 100 is invalid');
  check(await form.isVisible(), 'the form stays open with what was typed');
  await form.getByLabel('Level').fill('5');
  await form.getByLabel('Hourly cost (optional)').fill('80');
  await form.getByLabel('Reports to').selectOption({ label: lead });
  await form.getByRole('button', { name: 'Save role' }).click();
  await form.waitFor({ state: 'detached' });
  await page.reload();
  await page.getByText(`Level 5 · reports to ${lead} · 80 an hour`).waitFor();
  step('a business role is edited: an out-of-range level is refused, then level, cost and superior saved');

  // A scratch team, deleted by its owner once its name is typed.
  const scratch = `Scratch ${run}`;
  await page.goto(`${base}/teams/new`);
  await page.getByLabel('Team name').fill(scratch);
  await page.getByRole('button', { name: 'Create team' }).click();
  await page.waitForURL(`${base}/`);
  await page.goto(`${base}/settings/team`);
  await page.getByRole('heading', { name: 'Delete this team' }).waitFor();
  const shown = await page.locator('header select').evaluate((select) => select.selectedOptions[0]?.text);
  check(shown === scratch, `the scratch team is the one shown (${shown})`);
  const confirm = page.getByLabel(/Type the team's name/);
  await confirm.fill('not the name');
  check(await page.getByRole('button', { name: 'Delete team' }).isDisabled(), 'a wrong name does not delete');
  await confirm.fill(scratch);
  await page.getByRole('button', { name: 'Delete team' }).click();
  await page.waitForURL(`${base}/`);
  await page.reload();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  await page.locator('header select option', { hasText: 'Operations' }).waitFor({ state: 'attached' }); // the teams have loaded
  const teams = await page.locator('header select option').allInnerTexts();
  check(!teams.includes(scratch), `the deleted team is no longer offered: ${teams.join(', ')}`);
  step('an owner deletes a team after typing its name');
}
