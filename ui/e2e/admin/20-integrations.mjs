// Integrations: a webhook registered through the UI to a receiver in this process (its first
// answer 500, then 200), its secret shown once, a delivery caused by adding a secret, retried
// and replayed, its signature checked; editing and deactivating it; team secrets added (a bad
// name refused as typed, a taken one refused by the server), replaced and deleted; a second
// webhook, for every event, deleted. Where a control goes away, focus is checked to land on a
// sensible one.
import crypto from 'node:crypto';
import http from 'node:http';

export default async function ({ page, base, step, check, run, dismissed }) {
  // the outside party: records each request, answers 500 the first time, then 200
  const received = [];
  const receiver = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = received.length === 1 ? 500 : 200;
      res.end(received.length === 1 ? 'try again' : 'thanks');
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${receiver.address().port}/hooks/${run}`;
  const secretName = `E2E_TOKEN_${run}`.toUpperCase();
  try {
    // ---- register a webhook
    await page.goto(`${base}/integrations`);
    await page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();
    check((await page.getByRole('tab', { name: 'Webhooks' }).getAttribute('aria-selected')) === 'true', 'the Webhooks tab is shown first');
    const focused = (locator) => locator.and(page.locator(':focus')).waitFor();
    const newWebhook = page.getByRole('button', { name: 'New webhook' });
    // the form's Cancel gives focus back to the button that opened it
    await newWebhook.click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await focused(newWebhook);
    await newWebhook.click();
    await page.getByLabel('Endpoint URL').fill('not a url');
    await page.getByRole('button', { name: 'Register webhook' }).click();
    await page.getByText('Enter a full URL').waitFor();
    await page.getByText('Choose at least one event type.').waitFor();
    step('a bad URL and no event type are refused before sending');

    await page.getByLabel('Endpoint URL').fill(url);
    await page.getByLabel('Description (optional)').fill(`e2e receiver ${run}`);
    await page.getByText('Team administration').click();
    await page.getByRole('checkbox', { name: 'secret.* (all)' }).check();
    check(await page.getByRole('checkbox', { name: 'secret.created' }).isDisabled(), 'secret.* covers secret.created');
    await page.getByLabel('Other types or patterns').fill('task.completed');
    await page.getByText('Listens to: secret.*, task.completed').waitFor();
    await page.getByRole('button', { name: 'Register webhook' }).click();
    await page.getByRole('heading', { name: 'Webhook registered: copy its signing secret now' }).waitFor();
    await page.getByText("You won't see this secret again").waitFor();
    const secret = (await page.locator('#webhook-secret').innerText()).trim();
    check(/^whsec_\S+$/.test(secret), `the signing secret is shown (${secret.slice(0, 8)}…)`);
    check(
      await page.getByRole('heading', { name: 'Webhook registered: copy its signing secret now' }).evaluate((el) => el === document.activeElement),
      'the box of the secret has the focus',
    );
    await page.getByRole('button', { name: 'Copy secret' }).click();
    await page.getByText(/Copied to the clipboard\.|Could not copy: the secret is selected, press Ctrl\+C/).waitFor();
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await focused(newWebhook);
    const row = page.locator('li', { hasText: url });
    await row.waitFor();
    await page.reload();
    await row.waitFor();
    await row.getByText('active', { exact: true }).waitFor();
    check((await row.innerText()).includes('secret.*, task.completed'), 'the list shows the endpoint, active, with its events');
    check(!(await page.content()).includes(secret), 'the secret is not shown again');
    step('webhook registered; its secret shown once with a copy button; focus back on New webhook after it and after Cancel');

    // ---- cause an event it listens to: a new team secret (a bad name refused as typed)
    await page.getByRole('tab', { name: 'Secrets' }).click();
    await page.waitForURL(/tab=secrets/);
    await page.getByLabel('Name', { exact: true }).fill('1bad-name');
    await page.getByText('Use letters, digits and _ only').waitFor();
    check((await page.getByLabel('Name', { exact: true }).getAttribute('aria-invalid')) === 'true', 'the bad name is marked invalid');
    await page.getByRole('button', { name: 'Add secret' }).click();
    await page.getByText('Enter the value.').waitFor();
    step('a bad secret name is refused inline');
    await page.getByLabel('Name', { exact: true }).fill(secretName);
    check(!(await page.getByText('Use letters, digits and _ only').isVisible()), 'a good name clears the problem');
    check((await page.getByLabel('Value', { exact: true }).getAttribute('type')) === 'password', 'the value is typed into a password field');
    await page.getByLabel('Value', { exact: true }).fill('first-value');
    await page.getByRole('button', { name: 'Add secret' }).click();
    await page.getByText(`Stored the secret ${secretName}.`).waitFor();
    await page.reload();
    const secretRow = page.locator('li', { hasText: secretName });
    await secretRow.waitFor();
    check(!(await page.content()).includes('first-value'), 'the value is never shown');
    step('secret added; listed by name after reload');
    // the same name again: the server's refusal is at the name, which gets the focus
    const nameField = page.getByLabel('Name', { exact: true });
    await nameField.fill(secretName);
    await page.getByLabel('Value', { exact: true }).fill('other-value');
    await page.getByRole('button', { name: 'Add secret' }).click();
    await page.getByText('The team already has a secret with this name').waitFor();
    await focused(nameField.and(page.locator('[aria-invalid="true"]')));
    check((await page.getByLabel('Value', { exact: true }).inputValue()) === 'other-value', 'the value typed stays');
    await nameField.fill('');
    await page.getByLabel('Value', { exact: true }).fill('');
    step('a name already taken is refused by the server at the name, which gets the focus');

    // ---- the delivery: first answered 500, retried, then replayed
    await page.getByRole('tab', { name: 'Webhooks' }).click();
    await page.getByRole('link', { name: url, exact: true }).click();
    await page.getByRole('heading', { name: 'Webhook', level: 1 }).waitFor();
    const delivery = page.locator('li', { hasText: 'secret.created' });
    for (let i = 0; i < 30 && !(await delivery.isVisible()); i++) {
      await page.waitForTimeout(1000);
      await page.reload();
      await page.getByRole('heading', { name: 'Endpoint' }).waitFor();
      await page.waitForFunction(() => !document.body.innerText.includes('Loading…'));
    }
    check(await delivery.isVisible(), 'the delivery of secret.created is listed');
    const field = (name) => delivery.locator('dt', { hasText: name }).locator('xpath=following-sibling::dd[1]');
    await delivery.getByText('the endpoint answered 500').or(delivery.getByText('delivered', { exact: true })).waitFor();
    step('the delivery appears on the webhook page');
    // retried after 10 s on its own (the page looks again while it is queued)
    await delivery.getByText('delivered', { exact: true }).waitFor({ timeout: 40000 });
    check((await field('Attempts').innerText()) === '2', `two attempts: a 500 and a 200 (${await field('Attempts').innerText()})`);
    check((await field('Answer').innerText()) === '200', 'the last answer was 200');
    step('the failed attempt was retried and delivered');
    await delivery.getByRole('button', { name: /^Replay/ }).click();
    await page.getByRole('status').filter({ hasText: /The delivery of event #\d+ is queued to be sent again\./ }).waitFor();
    await focused(delivery.getByRole('button', { name: /^(Queued|Replay) delivery/ }));
    await page.waitForFunction(
      () => [...document.querySelectorAll('li')].some((li) => li.innerText.includes('secret.created') && /Attempts\s*3/.test(li.innerText) && li.innerText.includes('delivered')),
      null,
      { timeout: 30000 },
    );
    step('replayed (announced, focus kept on its button): a third attempt, delivered');

    const ours = received.filter((r) => r.headers['orgata-event'] === 'secret.created');
    check(ours.length === 3, `the receiver got the event three times (${ours.length})`);
    for (const r of ours) {
      const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(r.headers['orgata-signature'] ?? '');
      check(!!m, `an Orgata-Signature header (${r.headers['orgata-signature']})`);
      const expected = crypto.createHmac('sha256', secret).update(`${m[1]}.${r.body}`).digest('hex');
      check(m[2] === expected, 'the signature verifies with the secret shown once');
      check(JSON.parse(r.body).data?.name === secretName, 'the body is the event of the new secret');
    }
    check(new Set(ours.map((r) => r.headers['orgata-delivery'])).size === 1, 'all three carry the same delivery id');
    step('the receiver got signed requests that verify with the secret');

    // ---- edit and deactivate
    await page.getByRole('button', { name: 'Edit settings' }).click();
    await page.getByLabel('Other types or patterns').fill('task.completed bad type!');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Not an event type or pattern: type!').waitFor();
    step('a bad event pattern is refused inline');
    await page.getByLabel('Other types or patterns').fill('task.completed, proposal.*');
    await page.getByLabel('Description (optional)').fill(`e2e receiver ${run}, edited`);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('button', { name: 'Edit settings' }).waitFor();
    await page.reload();
    await page.getByText(`e2e receiver ${run}, edited`).waitFor();
    await page.getByText('secret.*, task.completed, proposal.*').waitFor();
    step('webhook edited; the change is there after reload');
    await page.getByRole('button', { name: 'Deactivate' }).click();
    await page.getByText('Nothing is sent while it is inactive.').waitFor();
    await page.reload();
    await page.getByText('Nothing is sent while it is inactive.').waitFor();
    await page.getByRole('link', { name: 'All webhooks' }).click();
    await row.waitFor();
    await row.getByText('inactive', { exact: true }).waitFor();
    await row.getByRole('button', { name: /^Activate/ }).waitFor();
    step('webhook deactivated');

    // ---- replace the secret's value, delete it
    await page.getByRole('tab', { name: 'Secrets' }).click();
    const replace = secretRow.getByRole('button', { name: /^Replace value/ });
    await replace.click();
    await secretRow.getByRole('button', { name: 'Cancel' }).click();
    await focused(replace);
    await replace.click();
    await secretRow.getByLabel(`New value of ${secretName}`).fill('second-value');
    await secretRow.getByRole('button', { name: 'Save value' }).click();
    await page.getByText(`Replaced the value of ${secretName}.`).waitFor();
    await focused(replace);
    step('secret value replaced; Cancel and Save value give focus back to Replace value');
    await dismissed(() => secretRow.getByRole('button', { name: /^Delete/ }).click(), 'the secret');
    await page.reload();
    await secretRow.waitFor();
    page.once('dialog', (d) => void d.accept());
    await secretRow.getByRole('button', { name: /^Delete/ }).click();
    await page.getByText(`Deleted the secret ${secretName}.`).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: /^Secrets/ }).waitFor();
    await page.waitForFunction(() => !document.body.innerText.includes('Loading…'));
    check(!(await secretRow.isVisible()), 'the secret is gone after reload');
    step('secret deleted after confirmation');

    // ---- delete a webhook (a second one, for every event: the first stays, deactivated, for the
    // page scans)
    await page.getByRole('tab', { name: 'Webhooks' }).click();
    await page.getByRole('button', { name: 'New webhook' }).click();
    await page.getByLabel('Endpoint URL').fill(`${url}/gone`);
    await page.getByRole('checkbox', { name: /^Every event/ }).check();
    await page.getByRole('button', { name: 'Register webhook' }).click();
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await focused(newWebhook);
    const gone = page.locator('li', { hasText: `${url}/gone` });
    await gone.waitFor();
    await gone.getByText('*', { exact: true }).waitFor();
    await dismissed(() => gone.getByRole('button', { name: /^Delete/ }).click(), 'the webhook');
    await page.reload();
    await gone.waitFor();
    page.once('dialog', (d) => void d.accept());
    await gone.getByRole('button', { name: /^Delete/ }).click();
    await gone.waitFor({ state: 'detached' });
    await page.reload();
    await row.waitFor();
    check(!(await gone.isVisible()), 'the webhook is gone after reload');
    step('webhook deleted after confirmation');
  } finally {
    receiver.close();
  }
}
