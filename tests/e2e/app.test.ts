import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { gql } from '../support/graphql';
import { startTestServer, type TestServer } from '../support/server';
import {
  colourPng,
  ensureClientBuilt,
  greyPng,
  HAS_CURL,
  launchChromium,
  noisePng,
  runCurl,
  screenshot,
  SCREENSHOTS,
  sessionToken,
} from './browser';

// One story through the SPA in real Chromium against a real server; the steps share one admin session.
describe('web client', { timeout: 180_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let admin: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const ADMIN = { email: 'admin@example.com', password: 'correct horse battery' };
  const UPLOAD_LIMIT = 200_000;
  let modelUrl = '';

  before(async () => {
    ensureClientBuilt();
    // A small upload limit, so that refusing a large sample image can be seen.
    server = await startTestServer({ PERCEPT_MAX_UPLOAD_BYTES: String(UPLOAD_LIMIT) });
    browser = await launchChromium();
    admin = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await admin.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    // Fail a step in seconds rather than the default 30 s: every wait here is for a local server.
    admin.setDefaultTimeout(10_000);
    page = await admin.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // The Content-Security-Policy must not block anything the app itself does.
    page.on('console', (m) => void (/Content Security Policy/.test(m.text()) && pageErrors.push(m.text())));
    console.log(`screenshots: ${SCREENSHOTS}`);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('sends a visitor to log in, and the first account to sign up becomes admin', async () => {
    await page.goto(`${server.url}/models`);
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    assert.match(page.url(), /\/login\?next=%2Fmodels$/);
    await screenshot(page, '01-log-in');

    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await screenshot(page, '02-sign-up');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Models' }).waitFor();
    await page.getByText('You have no models yet.').waitFor();
    assert.equal(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).count(), 1);
    assert.ok(await sessionToken(page), 'the session token is kept in localStorage');
  });

  it('previews the input shape the server will compute, and creates a model', async () => {
    await page.getByRole('link', { name: 'New model' }).click();
    await page.getByLabel('Name').fill('Cats and dogs');
    const picker = page.getByLabel('Sample image');
    await picker.setInputFiles({ name: 'tall-grey.png', mimeType: 'image/png', buffer: await greyPng(100, 300) });
    await page.getByTestId('input-shape').getByText('85 × 256 × 1').waitFor();
    await page.getByLabel('Expandable').check();
    await page.getByLabel('Target accuracy (%)').fill('85');

    const large = await noisePng(400, 300);
    assert.ok(large.length > UPLOAD_LIMIT);
    await picker.setInputFiles({ name: 'large.png', mimeType: 'image/png', buffer: large });
    await page.getByRole('button', { name: 'Create model' }).click();
    await page
      .getByRole('alert')
      .getByText(/The sample image is (too large|larger than)/)
      .waitFor();
    await picker.setInputFiles({ name: 'wide.png', mimeType: 'image/png', buffer: await colourPng(640, 400) });
    await page.getByTestId('input-shape').getByText('256 × 160 × 3').waitFor();
    // The complaint about the previous image does not stay beside the new one.
    await page.getByRole('alert').waitFor({ state: 'hidden' });

    const api = page.locator('.api-info', { hasText: 'API: CreateModel' });
    await api.locator('summary').click();
    const curl = await api.locator('pre').last().innerText();
    assert.match(curl, new RegExp(`curl -sS ${server.graphqlUrl}`));
    assert.match(curl, /apollo-require-preflight: true/);
    assert.match(curl, /\$PERCEPT_TOKEN/);
    assert.match(curl, /-F '0=@wide\.png'/);
    assert.match(curl, /"name":"Cats and dogs"/);
    await screenshot(page, '03-create-model');

    await page.getByRole('button', { name: 'Create model' }).click();
    await page.getByRole('heading', { level: 1, name: 'Cats and dogs' }).waitFor();
    modelUrl = page.url();
    assert.match(modelUrl, /\/models\/[0-9a-f-]{36}$/);
    assert.match(await page.getByTestId('model-input-shape').innerText(), /^256 × 160 × 3/);
    await page.getByText('No trained network yet').waitFor();
    await page.getByText('85 %').waitFor();
  });

  it('lists the model', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Models' }).click();
    const card = page.locator('.card', { hasText: 'Cats and dogs' });
    await card.waitFor();
    assert.match(await card.innerText(), /Not trained[\s\S]*256 × 160 × 3/);
    await page.getByText('Page 1 of 1 · 1 model').waitFor();
    await screenshot(page, '04-models');
  });

  it('renames the model, and shows a rename made elsewhere without reloading', async () => {
    // Wait for the page's subscription to reach the server before changing the model behind its back.
    const subscribed = page
      .waitForEvent('websocket')
      .then(
        (ws) =>
          new Promise<void>((resolve) =>
            ws.on('framesent', (f) => String(f.payload).includes('"subscribe"') && resolve()),
          ),
      );
    await page.getByRole('link', { name: 'Cats and dogs' }).click();
    await subscribed;

    await page.getByLabel('New name').fill('Pets');
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByRole('heading', { level: 1, name: 'Pets' }).waitFor();
    await page.getByRole('status').getByText('Renamed.').waitFor();

    await page.evaluate('window.__noReload = true');
    const token = await sessionToken(page);
    const id = modelUrl.split('/').pop();
    const rename = 'mutation($id: ID!, $name: String!) { updateModel(id: $id, input: { name: $name }) { name } }';
    // The server registers the subscription just after receiving it; a second try covers that instant.
    for (let attempt = 1; ; attempt++) {
      const name = `Pets via API ${attempt}`;
      const res = await gql(server.graphqlUrl, rename, { id, name }, token!);
      assert.equal(res.data?.updateModel.name, name);
      try {
        await page.getByRole('heading', { level: 1, name }).waitFor({ timeout: 3000 });
        break;
      } catch (e) {
        if (attempt === 2) throw e;
      }
    }
    assert.equal(await page.evaluate('window.__noReload'), true, 'the page was not reloaded');
    await screenshot(page, '05-model');
  });

  it('shows the GraphQL operations and curl lines for the model on its API tab', async () => {
    await page.getByRole('navigation', { name: 'Model sections' }).getByRole('link', { name: 'API' }).click();
    await page.getByRole('heading', { name: 'Use this model from your own code' }).waitFor();
    assert.equal(await page.getByTestId('endpoint').innerText(), server.graphqlUrl);
    const id = modelUrl.split('/').pop()!;
    const text = await page.locator('main').innerText();
    assert.match(text, /query Model\(\$id: ID!\)/);
    assert.match(text, /subscription ModelUpdated/);
    assert.match(text, new RegExp(`"variables":\\{"id":"${id}"\\}`));
    assert.match(text, /ws:\/\/127\.0\.0\.1:\d+\/graphql/);
    const rest = await page.getByTestId('rest-classify').locator('pre').innerText();
    assert.match(rest, new RegExp(`curl -sS '${server.url}/v1/models/${id}/classify\\?topK=5'`));
    assert.match(rest, /--data-binary '@photo\.jpg'/);
    await screenshot(page, '06-model-api');
  });

  it('gives curl lines that do what the page does', { skip: !HAS_CURL && 'curl is not installed' }, async () => {
    const token = (await sessionToken(page))!;
    const rename = page.locator('.api-entry', { hasText: 'Rename or change the target' }).locator('pre').last();
    const renamed = await runCurl(await rename.innerText(), token);
    assert.match(renamed.data?.updateModel?.name, /^Pets via API \d$/);

    await page.goto(`${server.url}/models/new`);
    await page.getByLabel('Name').fill('From curl');
    const png = await greyPng(100, 300);
    await page.getByLabel('Sample image').setInputFiles({ name: 'tall grey.png', mimeType: 'image/png', buffer: png });
    const api = page.locator('.api-info', { hasText: 'API: CreateModel' });
    await api.locator('summary').click();
    const created = await runCurl(await api.locator('pre').last().innerText(), token, { 'tall grey.png': png });
    const model = created.data?.createModel;
    assert.deepEqual(
      [model?.name, model?.inputWidth, model?.inputHeight, model?.inputChannels],
      ['From curl', 85, 256, 1],
    );
    await gql(server.graphqlUrl, 'mutation($id: ID!) { deleteModel(id: $id) }', { id: model.id }, token);
    await page.goto(modelUrl);
  });

  it('creates an API token, shows its secret once, and the secret works', async () => {
    await page.getByRole('link', { name: 'API tokens' }).click();
    await page.getByLabel('Name').fill('inventory script');
    await page.getByLabel('Classify only').check();
    await page.getByLabel('Expires after (days)').fill('30');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = await page.getByTestId('secret').innerText();
    assert.ok(secret.length >= 20, `a secret is shown: ${secret}`);
    await page.getByRole('button', { name: 'Copy secret' }).click();
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), secret);
    const card = page.locator('.card', { hasText: 'inventory script' });
    await card.getByText('Classify only').waitFor();
    await screenshot(page, '07-api-tokens');

    // A classify-only token reaches classify and its limits, not the account.
    const limits = await gql(server.graphqlUrl, '{ limits { classifyPerMinute } }', {}, secret);
    assert.ok(limits.data?.limits.classifyPerMinute > 0, JSON.stringify(limits));
    assert.equal(
      (await gql(server.graphqlUrl, '{ me { email } }', {}, secret)).errors?.[0]?.extensions?.code,
      'FORBIDDEN',
    );

    await page.reload();
    await card.waitFor();
    assert.equal(await page.getByTestId('secret').count(), 0, 'the secret is not shown again');
    await card.getByRole('button', { name: 'Revoke “inventory script”' }).click();
    await card.getByRole('button', { name: 'Revoke now' }).click();
    await page.getByText('No tokens yet.').waitFor();
    assert.equal(
      (await gql(server.graphqlUrl, '{ me { email } }', {}, secret)).errors?.[0]?.extensions?.code,
      'UNAUTHENTICATED',
    );
  });

  it('lets the admin create a runner token', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('heading', { name: 'Tasks' }).waitFor();
    await page.getByRole('link', { name: 'Runner tokens' }).click();
    await page.getByLabel('Name').fill('gpu-box-1');
    await page.getByRole('button', { name: 'Create runner token' }).click();
    await page.getByTestId('secret').waitFor();
    await page.locator('.card', { hasText: 'gpu-box-1' }).waitFor();
    await screenshot(page, '08-admin-runner-tokens');
  });

  it('keeps admin pages from a second user, until an admin promotes them', async () => {
    const other = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
    try {
      other.setDefaultTimeout(10_000);
      const page2 = await other.newPage();
      page2.on('pageerror', (e) => pageErrors.push(e.message));
      await page2.goto(`${server.url}/signup`);
      await page2.getByLabel('Email').fill(ADMIN.email);
      await page2.getByLabel('Password').fill('another password');
      await page2.getByRole('button', { name: 'Sign up' }).click();
      // Signing up with a taken email answers as logging in would: it does not say the account exists.
      await page2.getByRole('alert').getByText('Wrong email or password.').waitFor();

      await page2.getByLabel('Email').fill('user@example.com');
      await page2.getByRole('button', { name: 'Sign up' }).click();
      await page2.getByRole('heading', { name: 'Models' }).waitFor();
      const nav = page2.getByRole('navigation', { name: 'Main' });
      assert.equal(await nav.getByRole('link', { name: 'Admin' }).count(), 0, 'no admin link for a user');
      await page2.goto(`${server.url}/admin/users`);
      await page2.getByRole('heading', { name: 'Admins only' }).waitFor();
      await screenshot(page2, '09-admins-only');

      await page2.goto(modelUrl);
      await page2.getByRole('alert').getByText('No such model').waitFor();

      await page.getByRole('link', { name: 'Users' }).click();
      await page.getByLabel('Role of user@example.com').selectOption('ADMIN');
      await page.getByRole('status').getByText('user@example.com is now an admin.').waitFor();
      await screenshot(page, '10-admin-users');
      await page2.goto(`${server.url}/models`);
      await nav.getByRole('link', { name: 'Admin' }).waitFor();

      // A session revoked elsewhere sends the page back to log in.
      await gql(server.graphqlUrl, 'mutation { logOut }', {}, (await sessionToken(page2))!);
      await page2.reload();
      await page2.getByText('Your session has ended. Log in again.').waitFor();
      assert.equal(await sessionToken(page2), null);
    } finally {
      await other.close();
    }
  });

  it('reads well at phone width', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    for (const [path, name] of [
      ['/models', '11-phone-models'],
      [new URL(modelUrl).pathname, '12-phone-model'],
    ]) {
      await page.goto(`${server.url}${path}`);
      await page.locator('main h1').waitFor();
      assert.ok((await page.evaluate<number>('document.documentElement.scrollWidth')) <= 375, `${path} fits 375px`);
      await screenshot(page, name);
    }
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('link', { name: 'API tokens' }).waitFor();
    await screenshot(page, '13-phone-menu');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('deletes the model after confirmation, and logs out', async () => {
    await page.goto(modelUrl);
    await page.getByRole('button', { name: 'Delete model…' }).click();
    await page.getByRole('button', { name: /^Delete “Pets via API \d” for good$/ }).click();
    await page.getByText('You have no models yet.').waitFor();

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.getByText('You have logged out.').waitFor();
    assert.equal(await sessionToken(page), null);

    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').getByText('Wrong email or password.').waitFor();
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  });

  it('runs no script injected into the page (Content-Security-Policy)', async () => {
    await page.goto(`${server.url}/login`);
    const ran = await page.evaluate(`new Promise((resolve) => {
      window.__injected = 0;
      document.body.insertAdjacentHTML('beforeend', '<img src="data:," onerror="window.__injected = 1">');
      const s = document.createElement('script');
      s.textContent = 'window.__injected = 2';
      document.body.append(s);
      setTimeout(() => resolve(window.__injected), 300);
    })`);
    assert.equal(ran, 0);
  });
});
