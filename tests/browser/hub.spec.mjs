// SPDX-License-Identifier: MIT
// The Hub and the dashboard in headless Chromium (run by run.py, which
// starts the sim and the server and passes their addresses in MOELINK_*).
//
// 1. Open an auth link: the seed's fields and guidance are there.
// 2. A wrong key: MoEngage's reason appears beside the Data API Key field.
// 3. The right key: the confirmation shows the workspace's name.
// 4. The dashboard (API key sign-in) lists the account.
// 5. Names with markup render as text; no script from data ever runs.
// 6. "Link account" opens the embedded Hub (hub.js); linking inside the
//    iframe tells the page (postMessage) and the list refreshes.
// Any CSP violation or page error fails the run.
import assert from 'node:assert/strict';
import { BASE, KEY, SHOTS, api, run, watch } from './common.mjs';

await run('browser', async (context) => {
  // ---- 1. the auth link --------------------------------------------------
  const xss = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
  const cs = await api('POST', '/connect_sessions', {
    origin_owner_id: 'acme-1', origin_owner_name: 'Acme Corp ' + xss, expires_in: 3600,
  });
  const hub = await context.newPage();
  watch(hub, 'hub');
  const resp = await hub.goto(cs.auth_link_url);
  assert.equal(resp.status(), 200);
  await hub.getByLabel('Workspace ID').waitFor();
  for (const label of ['Workspace ID', 'Data API Key',
    'Campaign Report / Business Events / Templates / Catalog / Inform API Key', 'Data Center']) {
    assert.ok(await hub.getByLabel(label, { exact: true }).isVisible(), label);
  }
  assert.match(await hub.textContent('body'), /Settings → Account → APIs/);
  assert.match(await hub.textContent('#data_center-help'), /dashboard-0X\.moengage\.com/);
  await hub.locator('#for-owner').waitFor({ state: 'visible' });
  assert.equal(await hub.textContent('#owner-name'), 'Acme Corp ' + xss);
  assert.equal(await hub.locator('#legacy').getAttribute('open'), null);
  await hub.screenshot({ path: `${SHOTS}/01-hub.png`, fullPage: true });

  // ---- 2. a wrong key ----------------------------------------------------
  await hub.getByLabel('Workspace ID').fill('WS_US01');
  await hub.getByLabel('Data API Key').fill('this-is-not-the-key');
  await hub.getByLabel('Data Center').selectOption('01');
  await hub.getByRole('button', { name: 'Connect' }).click();
  const keyError = hub.locator('#data_key-error');
  await keyError.filter({ hasText: 'mismatch' }).waitFor({ timeout: 20000 });
  assert.match(await keyError.textContent(), /did not accept the API key/);
  assert.equal(await hub.getAttribute('#data_key', 'aria-invalid'), 'true');
  assert.equal(await hub.textContent('#workspace_id-error'), '');
  assert.equal(await hub.isVisible('#done'), false);
  await hub.screenshot({ path: `${SHOTS}/02-wrong-key.png`, fullPage: true });

  // ---- 3. the right key --------------------------------------------------
  await hub.getByLabel('Data API Key').fill('data-key-us01-secret');
  await hub.getByRole('button', { name: 'Connect' }).click();
  await hub.locator('#done').waitFor({ state: 'visible', timeout: 20000 });
  assert.equal(await hub.textContent('#done-label'), 'Acme US');
  assert.equal(await hub.textContent('#done-dc'), '01 (US)');
  assert.equal(await hub.inputValue('#data_key'), '');
  await hub.screenshot({ path: `${SHOTS}/03-linked.png`, fullPage: true });

  // A spent link says so.
  await hub.goto(cs.auth_link_url);
  await hub.locator('#page-error').waitFor({ state: 'visible' });
  assert.match(await hub.textContent('#page-error'), /already used/);

  // The Hub on a phone.
  const cs2 = await api('POST', '/connect_sessions', { origin_owner_id: 'm', origin_owner_name: 'Mobile' });
  const phone = await context.newPage();
  watch(phone, 'phone');
  await phone.setViewportSize({ width: 375, height: 812 });
  await phone.goto(cs2.auth_link_url);
  await phone.getByLabel('Workspace ID').waitFor();
  await phone.screenshot({ path: `${SHOTS}/06-hub-phone.png`, fullPage: true });
  await phone.close();

  // ---- 4. the Accounts page ----------------------------------------------
  const dash = await context.newPage();
  watch(dash, 'dashboard');
  await dash.goto(BASE + '/dashboard');
  await dash.getByLabel('Project API key').fill(KEY);
  await dash.getByRole('button', { name: 'Sign in' }).click();
  const row = dash.locator('#acc-rows tr', { hasText: 'WS_US01' });
  await row.waitFor({ timeout: 20000 });
  const cells = await row.locator('td').allTextContents();
  assert.match(cells[0], /^Acme US/);
  assert.equal(cells[1], 'WS_US01');
  assert.equal(cells[2], '01 · US');
  assert.equal(cells[3], 'active');

  // ---- 5. markup stays text ----------------------------------------------
  assert.ok(cells[0].includes(xss), cells[0]);
  assert.equal(await row.locator('img').count(), 0);
  assert.equal(await dash.evaluate(() => window.__pwned), undefined);
  assert.equal(await hub.evaluate(() => window.__pwned), undefined);

  // Edit the label through the dialog, then re-verify.
  await row.getByRole('button', { name: 'Edit' }).click();
  await dash.getByLabel('Label', { exact: true }).fill('Acme US (prod)');
  await dash.getByRole('button', { name: 'Save', exact: true }).click();
  await dash.locator('#acc-rows tr', { hasText: 'Acme US (prod)' }).waitFor();
  const row2 = dash.locator('#acc-rows tr', { hasText: 'WS_US01' });
  await row2.getByRole('button', { name: 'Re-verify' }).click();
  await dash.locator('#flash', { hasText: 'MoEngage accepted its keys' }).waitFor();

  // Deactivate (watch() accepts the confirmation), then activate again.
  await row2.getByRole('button', { name: 'Deactivate' }).click();
  await dash.locator('#flash', { hasText: 'is inactive' }).waitFor();
  await row2.locator('.badge', { hasText: 'inactive' }).waitFor();
  await row2.locator('.reason', { hasText: 'Deactivated from the dashboard' }).waitFor();
  await dash.screenshot({ path: `${SHOTS}/04-deactivated.png`, fullPage: true });
  await row2.getByRole('button', { name: 'Activate' }).click();
  await dash.locator('#flash', { hasText: 'is active again' }).waitFor();
  await row2.locator('.badge', { hasText: /^active$/ }).waitFor();
  await row2.getByRole('button', { name: 'Deactivate' }).waitFor();
  await dash.screenshot({ path: `${SHOTS}/04-accounts.png`, fullPage: true });

  // ---- 6. "Link account": the embedded Hub -------------------------------
  await dash.getByRole('button', { name: 'Link account' }).click();
  await dash.getByLabel('Owner ID').fill('eu-team');
  await dash.getByLabel('Owner name').fill('EU team');
  await dash.getByRole('button', { name: 'Open the Hub' }).click();
  const frame = dash.frameLocator('iframe[title="Connect MoEngage"]');
  await frame.getByLabel('Workspace ID').fill('WS_EU02');
  await frame.getByLabel('Data API Key').fill('multi-key-eu02-secret');
  await frame.getByLabel('Data Center').selectOption('02');
  await dash.screenshot({ path: `${SHOTS}/05-embedded-hub.png` });
  await frame.getByRole('button', { name: 'Connect' }).click();
  await frame.locator('#done').waitFor({ state: 'visible', timeout: 20000 });
  // The page heard "moelink:linked" and refreshed its list.
  await dash.locator('#flash', { hasText: 'Account linked.' }).waitFor();
  await dash.locator('#acc-rows tr', { hasText: 'WS_EU02' }).waitFor();
  await dash.screenshot({ path: `${SHOTS}/05-embedded-linked.png` });
  await dash.getByRole('button', { name: 'Close' }).click();

  // "Create auth link" shows a shareable URL that opens the Hub.
  await dash.getByRole('button', { name: 'Create auth link' }).click();
  await dash.getByLabel('Owner ID').fill('later');
  await dash.getByLabel('Owner name').fill('Later Inc');
  await dash.getByRole('button', { name: 'Create link' }).click();
  // The URL arrives with the API's answer; wait for it, not for a time.
  await dash.waitForFunction(() => document.getElementById('url-value').value !== '');
  const url = await dash.inputValue('#url-value');
  assert.match(url, /\/hub\?token=cst_/);
  await dash.screenshot({ path: `${SHOTS}/07-auth-link.png` });
  const later = await context.newPage();
  watch(later, 'auth-link');
  await later.goto(url);
  // The owner's name is filled in when the session lookup answers.
  await later.locator('#for-owner').waitFor({ state: 'visible' });
  assert.equal(await later.textContent('#owner-name'), 'Later Inc');
  await later.close();
});
