// Team settings: an AI agent member (its token shown once, and working), and branch protection
// of main (protect, change, a bad value refused, unprotect). main is left unprotected: the
// page scans and later parts write to it.
export default async function ({ page, base, step, check, run, dismissed }) {
  const role = `Controller ${run}`;
  const agent = `Triage agent ${run}`;
  const throwaway = `Spare agent ${run}`;
  const accept = () => page.once('dialog', (d) => d.accept());

  await page.goto(`${base}/settings/team`);
  await page.getByRole('heading', { name: 'Team settings' }).waitFor();

  // A business role for the agent and the reviewers.
  await page.getByLabel('Role name').fill(role);
  await page.getByLabel('What it does').fill('Signs off payments');
  await page.getByRole('button', { name: 'Add role', exact: true }).click();
  await page.getByRole('button', { name: `Delete role ${role}` }).waitFor();
  step('a business role is added for the agent and the reviewers');

  // ---- AI agents
  const agents = page.getByRole('list', { name: 'AI agents of the team' });
  const form = async (name, access, withRole) => {
    await page.getByLabel('Agent name').fill(name);
    await page.getByLabel('Agent access role').selectOption(access);
    if (withRole) await page.getByRole('group', { name: 'Business roles of the agent' }).getByLabel(role).check();
    await page.getByRole('button', { name: 'Create agent' }).click();
  };
  // a name of spaces is refused next to the field, and what was chosen stays
  await form('   ', 'editor', true);
  const nameField = page.getByLabel('Agent name');
  await nameField.and(page.locator('[aria-invalid="true"]')).waitFor();
  await page.getByText('Enter a name for the agent.', { exact: true }).waitFor();
  check((await page.getByLabel('Agent access role').inputValue()) === 'editor', 'the access role chosen stayed');
  step('a blank agent name is refused next to the field, keeping the choices');

  await nameField.fill(agent);
  await page.getByRole('button', { name: 'Create agent' }).click();
  const tokenBox = (name) => page.getByRole('region', { name: `Agent “${name}” created: copy its token now` });
  const shown = tokenBox(agent);
  await shown.getByText("You won't see this token again").waitFor();
  check(
    await shown.getByRole('heading', { name: `Agent “${agent}” created: copy its token now` }).evaluate((el) => el === document.activeElement),
    'the box of the token has the focus',
  );
  const token = (await page.locator('#agent-token').textContent()).trim();
  check(token.length > 20, `a token is shown (${token.length} characters)`);
  await shown.getByText(`${new URL(base).origin}/mcp`).waitFor();
  await shown.getByText('Authorization: Bearer').waitFor();
  step('the agent is created and its token shown once, with how to use it at /mcp');

  // the copy button puts the token on the clipboard
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(base).origin });
  await shown.getByRole('button', { name: 'Copy token' }).click();
  await shown.getByText('Copied to the clipboard.').waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  check(copied === token, 'the clipboard holds the token');
  step('the copy button copies the token');

  // the token works: the API knows it as the agent, an editor of the team (the test plays the agent)
  const me = await fetch(`${base}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
  check(me.ok, `GET /v1/me with the agent's token answers ${me.status}`);
  const who = (await me.json()).data;
  check(who.kind === 'agent' && who.display_name === agent, `the token is the agent's (${who.kind}, ${who.display_name})`);
  check(who.memberships.length === 1 && who.memberships[0].access_role === 'editor', 'the agent is an editor of the team');
  check(who.memberships[0].roles.length === 1, 'the agent holds the business role');
  step('the token authenticates as the agent, an editor with its role');

  await shown.getByRole('button', { name: 'I have stored it' }).click();
  check((await page.locator('#agent-token').count()) === 0, 'the token is gone once stored');
  check(await page.getByLabel('Agent name').evaluate((e) => e === document.activeElement), 'the form is back, focused');
  await page.reload();
  const row = agents.getByRole('listitem').filter({ hasText: agent });
  await row.filter({ hasText: role }).waitFor(); // once the roles have loaded too
  const text = await row.textContent();
  check(/AI agent/.test(text) && /editor/.test(text) && text.includes(role), `the agent is listed with its role: ${text}`);
  check((await page.locator('#agent-token').count()) === 0, 'the token is not shown again after reload');
  step('after reload the agent is listed as an editor with its business role, and no token is shown');

  // removal is the member removal, after a confirmation
  await form(throwaway, 'member', false);
  await tokenBox(throwaway).waitFor();
  await agents.getByRole('listitem').filter({ hasText: throwaway }).waitFor();
  await dismissed(() => page.getByRole('button', { name: `Remove agent ${throwaway}` }).click(), 'the agent');
  await page.reload();
  await agents.getByRole('listitem').filter({ hasText: throwaway }).waitFor();
  accept();
  await page.getByRole('button', { name: `Remove agent ${throwaway}` }).click();
  await agents.getByRole('listitem').filter({ hasText: throwaway }).waitFor({ state: 'detached' });
  await page.reload();
  await agents.getByRole('listitem').filter({ hasText: agent }).waitFor();
  check((await agents.getByRole('listitem').filter({ hasText: throwaway }).count()) === 0, 'the removed agent stays gone after reload');
  step('an agent is removed after a confirmation');

  // ---- branch protection of main
  const branches = page.getByRole('list', { name: 'Branches and their protection' });
  const main = branches.getByRole('listitem').filter({ has: page.locator('span.font-medium', { hasText: /^main$/ }) });
  await main.waitFor();
  // a run that failed half-way may have left main protected
  if ((await main.getByText('not protected', { exact: true }).count()) === 0) {
    accept();
    await main.getByRole('button', { name: 'Unprotect main' }).click();
    await main.getByText('not protected', { exact: true }).waitFor();
  }
  const rules = () => main.locator('p.text-slate-700').textContent();

  await main.getByRole('button', { name: 'Protect main', exact: true }).click();
  const approvals = main.getByLabel('Required approvals');
  check((await approvals.inputValue()) === '1', 'a new protection starts at the default of 1 approval');
  check(await main.getByLabel('Dismiss stale approvals').isChecked(), 'dismissing stale approvals is on by default');
  await approvals.fill('2');
  await main.getByRole('group', { name: 'Required reviewer roles' }).getByLabel(role).check();
  await main.getByRole('button', { name: 'Protect main', exact: true }).click();
  await main.getByText('protected', { exact: true }).waitFor();
  await page.reload();
  await main.getByText('protected', { exact: true }).waitFor();
  await main.getByText('2 approvals').waitFor();
  check((await rules()).includes(`approved by holders of ${role}`), `main's rules name the reviewer role: ${await rules()}`);
  step('main is protected with 2 approvals and a reviewer role, as seen after reload');

  // a value out of range is refused next to the field, and what was typed stays
  await main.getByRole('button', { name: 'Edit rules of main' }).click();
  check((await approvals.inputValue()) === '2', 'the form starts from the saved rules');
  await approvals.fill('21');
  await main.getByRole('button', { name: 'Save rules' }).click();
  await main.getByText('Enter a whole number from 0 to 20.', { exact: true }).waitFor();
  check((await approvals.getAttribute('aria-invalid')) === 'true', 'the approvals field is marked invalid');
  check((await approvals.inputValue()) === '21', 'the typed value stays');
  await main.getByRole('button', { name: 'Cancel' }).click();
  await main.getByRole('button', { name: 'Edit rules of main' }).and(page.locator(':focus')).waitFor();
  await page.reload();
  await main.getByText('2 approvals').waitFor();
  step('an out-of-range number of approvals gets a clear error next to the field, and nothing is saved; Cancel gives focus back');

  // change the rules
  await main.getByRole('button', { name: 'Edit rules of main' }).click();
  await approvals.fill('3');
  await main.getByLabel('Require resolved discussions').check();
  await main.getByLabel('Dismiss stale approvals').uncheck();
  await main.getByRole('button', { name: 'Save rules' }).click();
  await main.getByText('3 approvals').waitFor();
  await page.reload();
  await main.getByText('3 approvals').waitFor();
  const changed = await rules();
  check(
    changed.includes('discussions must be resolved') && changed.includes('approvals survive new commits') && changed.includes(role),
    `main's changed rules after reload: ${changed}`,
  );
  step('the rules of main are changed, as seen after reload');

  // unprotect, after a confirmation; focus goes to the branch's Protect button
  await dismissed(() => main.getByRole('button', { name: 'Unprotect main' }).click(), 'the protection');
  await page.reload();
  await main.getByText('3 approvals').waitFor();
  accept();
  await main.getByRole('button', { name: 'Unprotect main' }).click();
  await main.getByText('not protected', { exact: true }).waitFor();
  await main.getByRole('button', { name: 'Protect main', exact: true }).and(page.locator(':focus')).waitFor();
  await page.getByRole('status').filter({ hasText: 'main is no longer protected.' }).waitFor();
  await page.reload();
  await main.getByText('not protected', { exact: true }).waitFor();
  await main.getByRole('button', { name: 'Protect main', exact: true }).waitFor();
  step('main is unprotected after a confirmation (a dismissed one sends nothing), focus on its Protect button, as seen after reload');
}
