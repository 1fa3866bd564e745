// SPDX-License-Identifier: MIT
// Shared by the browser specs (run by run.py, which starts the sim and the
// server and passes their addresses in MOELINK_*): the REST API with the
// project key, Chromium with a profile of its own, and a watch on every
// page that records page errors, console errors (CSP violations among
// them) and any alert() a script managed to run.
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const BASE = process.env.MOELINK_BASE;
export const KEY = process.env.MOELINK_API_KEY;
export const SHOTS = process.env.MOELINK_SCREENSHOTS;

export async function api(method, path, body, headers) {
  const r = await fetch(BASE + path, {
    method,
    headers: { Authorization: 'Bearer ' + KEY, 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await r.json();
  assert.ok(r.ok, `${method} ${path}: ${JSON.stringify(data)}`);
  return data;
}

export const problems = [];
export function watch(page, name) {
  page.on('pageerror', (e) => problems.push(`${name}: page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) {
      problems.push(`${name}: console: ${m.text()}`);
    }
  });
  page.on('dialog', (d) => {
    if (d.type() === 'alert') {
      problems.push(`${name}: an alert ran: ${d.message()}`);
    }
    d.accept();
  });
}

export function launch() {
  return chromium.launchPersistentContext(process.env.MOELINK_PROFILE, {
    executablePath: process.env.MOELINK_CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1100, height: 900 },
  });
}

// Run body(context); report, close, and exit 0 or 1.
export async function run(name, body) {
  const context = await launch();
  let failed = false;
  try {
    await body(context);
    assert.deepEqual(problems, []);
    console.log(`${name}: all checks passed; screenshots in`, SHOTS);
  } catch (e) {
    failed = true;
    console.error(`${name} failed:`, e);
    if (problems.length) {
      console.error(problems.join('\n'));
    }
  } finally {
    await context.close();
  }
  process.exit(failed ? 1 : 0);
}
