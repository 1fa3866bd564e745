// SPDX-License-Identifier: MIT
// The delivery part of the Accounts page in headless Chromium (run by
// run.py after hub.spec.mjs; run.py makes the sim refuse the next Bulk
// Import request of WS_IN03 with a 400 whose message is
// MOELINK_DEAD_MESSAGE, markup included).
//
// 1. A refused customer becomes a dead letter; 120 events are delivered.
// 2. The account's row shows queued, delivered, retried, dead-lettered and
//    the last error, and its chart has bars that add up to the delivered
//    events, scaled to the chart's height.
// 3. Write keys: created and shown once, accepted by the Segment API,
//    revoked (then refused); the key leaves the page with its dialog.
// 4. Dead letters: MoEngage's reason and detail; "Replay" delivers it.
// Markup in a MoEngage message or a customer id stays text.
import assert from 'node:assert/strict';
import { BASE, SHOTS, api, run, watch } from './common.mjs';

const DEAD_MESSAGE = process.env.MOELINK_DEAD_MESSAGE;
const CID = 'refused <b>1</b>';

// Poll fn() until it returns a true value (progress polling, not timing).
async function until(what, fn, ms = 30000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) {
      return last;
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

async function stats(id) {
  return (await api('GET', '/events/stats?account_id=' + id)).data[0];
}

async function counts(row) {
  return Object.fromEntries(await row.locator('.counts > div').evaluateAll((ds) =>
    ds.map((d) => [d.querySelector('dt').textContent, d.querySelector('dd').textContent])));
}

async function segmentTrack(key) {
  const r = await fetch(BASE + '/v1/track', {
    method: 'POST',
    headers: { Authorization: 'Basic ' + Buffer.from(key + ':').toString('base64'),
      'Content-Type': 'application/json' },
    body: JSON.stringify({ userId: 'seg-1', event: 'Signed Up', properties: { plan: 'pro' } }),
  });
  return r.status;
}

await run('delivery', async (context) => {
  // ---- 1. traffic --------------------------------------------------------
  const acc = await api('POST', '/accounts', {
    origin_owner_id: 'in-team', origin_owner_name: 'India team', label: 'Acme India',
    workspace_id: 'WS_IN03', data_center: '03',
    data_key: 'data-key-in03-secret', general_key: 'gen-key-in03-secret',
  });
  const to = { 'x-account-id': acc.id };
  await api('POST', '/events', [{ type: 'customer', customer_id: CID, attributes: { plan: 'pro' } }], to);
  await until('the dead letter', async () => (await stats(acc.id)).dead_letters === 1);
  const events = [];
  for (let i = 0; i < 120; i++) {
    events.push({ type: 'event', customer_id: 'u' + (i % 12), actions: [{ action: 'Viewed', attributes: { i } }] });
  }
  await api('POST', '/events', events, to);
  const st = await until('120 delivered', async () => {
    const s = await stats(acc.id);
    return s.delivered === 120 && s.queued === 0 ? s : null;
  });

  // ---- 2. the row --------------------------------------------------------
  const dash = await context.newPage();
  watch(dash, 'dashboard');
  await dash.goto(BASE + '/dashboard');
  await dash.getByLabel('Project API key').fill(process.env.MOELINK_API_KEY);
  await dash.getByRole('button', { name: 'Sign in' }).click();
  const row = dash.locator(`#acc-rows tr.delivery[data-account="${acc.id}"]`);
  await row.waitFor({ timeout: 20000 });
  assert.deepEqual(await counts(row), { Queued: '0', Delivered: '120', Retried: '0', 'Dead-lettered': '1' });
  const lastError = await row.locator('.last-error .msg').textContent();
  assert.equal(lastError, st.last_error);
  assert.ok(lastError.includes(DEAD_MESSAGE), lastError);
  assert.equal(await row.locator('.last-error img').count(), 0);

  const chart = row.locator('svg.chart');
  const box = await chart.boundingBox();
  assert.ok(box.width >= 150 && box.height >= 30, JSON.stringify(box));
  const bars = await chart.locator('rect.bar').evaluateAll((rs) => rs.map((r) => ({
    v: Number(r.getAttribute('data-value')), h: Number(r.getAttribute('height')),
    title: r.querySelector('title').textContent,
  })));
  const minutes = st.delivered_per_minute.filter((v) => v > 0);
  assert.equal(bars.length, minutes.length);
  assert.equal(bars.reduce((t, b) => t + b.v, 0), 120);
  assert.equal(Math.max(...bars.map((b) => b.h)), 40);
  assert.ok(bars.every((b) => b.h >= 1 && /delivered$/.test(b.title)), JSON.stringify(bars));
  assert.match(await chart.getAttribute('aria-label'), /120 in all/);
  await dash.screenshot({ path: `${SHOTS}/08-delivery.png`, fullPage: true });

  // ---- 3. write keys -----------------------------------------------------
  await row.getByRole('button', { name: 'Write keys' }).click();
  const dlgKey = dash.locator('#dlg-key');
  await dlgKey.getByRole('button', { name: 'Create write key' }).click();
  await dash.locator('#key-new').waitFor({ state: 'visible' });
  const key = await dash.inputValue('#key-value');
  assert.match(key, /^mlw_[A-Za-z0-9_-]{20,}$/);
  const item = dlgKey.locator('#key-list li');
  await item.first().waitFor();
  assert.equal(await item.count(), 1);
  assert.ok(key.startsWith((await item.locator('code').textContent()).replace('…', '')));
  assert.equal(await segmentTrack(key), 200);
  await dash.screenshot({ path: `${SHOTS}/09-write-key.png` });
  await item.getByRole('button', { name: 'Revoke' }).click();
  await dlgKey.locator('#key-list li.revoked').waitFor();
  assert.equal(await segmentTrack(key), 401);
  await dlgKey.getByRole('button', { name: 'Done' }).click();
  // The dialog's close event (queued after the click) clears the key.
  await dlgKey.waitFor({ state: 'hidden' });
  await dash.waitForFunction(() => document.getElementById('key-value').value === '');
  await until('the Segment event delivered', async () => (await stats(acc.id)).delivered === 121);

  // ---- 4. dead letters and replay ----------------------------------------
  await row.getByRole('button', { name: 'Dead letters (1)' }).click();
  const dead = dash.locator('#dead-rows tr');
  await dead.first().waitFor();
  assert.equal(await dead.count(), 1);
  const why = await dead.locator('td.why').textContent();
  assert.ok(why.includes(DEAD_MESSAGE) && why.includes('HTTP 400'), why);
  assert.equal(await dead.locator('.cid').textContent(), CID);
  assert.equal(await dead.locator('b, img').count(), 0);
  await dead.getByText('Payload').click();
  assert.equal(JSON.parse(await dead.locator('pre.payload').textContent()).customer_id, CID);
  await dash.screenshot({ path: `${SHOTS}/10-dead-letters.png` });
  await dead.getByRole('button', { name: 'Replay' }).click();
  await dash.locator('#dead-flash', { hasText: 'Replayed 1 element' }).waitFor();
  await dash.locator('#dead-empty').waitFor({ state: 'visible' });
  assert.equal(await dash.isDisabled('#dead-replay-all'), true);
  await dash.getByRole('button', { name: 'Done' }).click();
  await until('the replayed customer delivered', async () => {
    const s = await stats(acc.id);
    return s.delivered === 122 && s.dead_letters === 0;
  });
  await dash.reload();
  await row.waitFor();
  assert.deepEqual(await counts(row), { Queued: '0', Delivered: '122', Retried: '0', 'Dead-lettered': '1' });
  assert.equal(await row.getByRole('button', { name: 'Dead letters (0)' }).count(), 1);
  assert.equal(await dash.evaluate(() => window.__pwned), undefined);
  await dash.screenshot({ path: `${SHOTS}/11-after-replay.png`, fullPage: true });
  await dash.setViewportSize({ width: 375, height: 812 });
  await dash.screenshot({ path: `${SHOTS}/12-delivery-phone.png`, fullPage: true });
});
