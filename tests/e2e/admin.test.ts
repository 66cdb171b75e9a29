import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { gql } from '../support/graphql';
import { startTestServer, type TestServer } from '../support/server';
import { waitFor } from '../support/wait';
import { ensureClientBuilt, launchChromium, screenshot, SCREENSHOTS } from './browser';

interface Account {
  token: string;
  user: { id: string; email: string; role: string; createdAt: string };
}

const SIGN_UP = `mutation($input: CredentialsInput!) { signUp(input: $input) { token user { id email role createdAt } } }`;

// The admin's live views in real Chromium against a real server with one local runner.
describe('admin pages', { timeout: 240_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let admin: Account;
  let user: Account;
  const pageErrors: string[] = [];
  /** Every address the admin's pages asked for: all must be this server (no CDN). */
  const requested: string[] = [];

  const api = async <T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}) => {
    const res = await gql<T>(server.graphqlUrl, query, variables, admin.token);
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    return res.data!;
  };
  const taskRow = (id: string): Locator => page.locator(`tbody[data-task-id="${id}"]`);
  const taskStatus = async (id: string) =>
    (await api<{ task: { status: string } }>('query($id: ID!) { task(id: $id) { status } }', { id })).task.status;

  /** Resolves once the page has sent its first subscription over graphql-ws. */
  const subscribed = (p: Page) =>
    p
      .waitForEvent('websocket')
      .then(
        (ws) =>
          new Promise<void>((resolve) =>
            ws.on('framesent', (f) => String(f.payload).includes('"subscribe"') && resolve()),
          ),
      );

  async function signUp(email: string): Promise<Account> {
    const res = await gql<{ signUp: Account }>(server.graphqlUrl, SIGN_UP, {
      input: { email, password: 'correct horse battery' },
    });
    return res.data!.signUp;
  }

  /** Signs a browser in as the SPA would after logging in: the session in localStorage. */
  async function signIn(p: Page, account: Account): Promise<void> {
    await p.goto(`${server.url}/login`);
    await p.evaluate(`localStorage.setItem('percept.session', ${JSON.stringify(JSON.stringify(account))})`);
  }

  before(async () => {
    ensureClientBuilt();
    server = await startTestServer({ PERCEPT_LOCAL_RUNNERS: '1' });
    admin = await signUp('admin@example.com'); // the first account becomes admin
    user = await signUp('user@example.com');
    assert.deepEqual([admin.user.role, user.user.role], ['ADMIN', 'USER']);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // The Content-Security-Policy must not block anything the app or GraphiQL does.
    page.on('console', (m) => void (/Content Security Policy/.test(m.text()) && pageErrors.push(m.text())));
    page.on('request', (r) => requested.push(r.url()));
    await signIn(page, admin);
    console.log(`screenshots: ${SCREENSHOTS}`);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows a task queued through the API, live, until it succeeds', async () => {
    const live = subscribed(page);
    await page.goto(`${server.url}/admin/tasks`);
    await page.getByRole('heading', { name: 'Tasks' }).waitFor();
    await live;
    await page.evaluate('window.__noReload = true');

    const { createDiagnosticTask: task } = await api<{ createDiagnosticTask: { id: string } }>(
      'mutation { createDiagnosticTask(sleepMs: 3000) { id } }',
    );
    const row = taskRow(task.id);
    await row.getByText('Diagnostic', { exact: true }).waitFor();
    await row.getByText('Running', { exact: true }).waitFor();
    await row.getByRole('progressbar').waitFor();
    await row.getByText(/step \d+ of 30/).waitFor();
    await screenshot(page, 'admin-01-task-running');
    await row.getByText('Succeeded', { exact: true }).waitFor({ timeout: 20_000 });
    assert.match(await row.innerText(), /Attempt 1 of 3/);
    assert.match(await row.innerText(), /step 30 of 30/);
    assert.equal(await page.evaluate('window.__noReload'), true, 'the page was not reloaded');
    // The newest task is on top.
    assert.equal(await page.locator('tbody.task').first().getAttribute('data-task-id'), task.id);
  });

  it('runs a diagnostic task from the page, cancels it, retries it, and changes its priority', async () => {
    await page.getByLabel('Sleep (seconds)').fill('120');
    await page.getByRole('button', { name: 'Run diagnostic task' }).click();
    const queued = await page
      .getByRole('status')
      .getByText(/^Diagnostic task [0-9a-f]{8} queued\.$/)
      .innerText();
    const short = queued.split(' ')[2];
    const row = page.locator(`tbody[data-task-id^="${short}"]`);
    const id = (await row.getAttribute('data-task-id'))!;
    await row.getByText('Running', { exact: true }).waitFor({ timeout: 20_000 });

    await row.getByRole('button', { name: `Cancel Diagnostic task ${short}` }).click();
    await row.getByText('Cancelled', { exact: true }).waitFor({ timeout: 20_000 });
    assert.equal(await taskStatus(id), 'CANCELLED');
    await screenshot(page, 'admin-02-task-cancelled');

    // A refused change is explained beside the task.
    const priority = row.getByLabel(`Priority of Diagnostic task ${short}`, { exact: true });
    await priority.fill('5000000');
    await row.getByRole('button', { name: `Set priority of Diagnostic task ${short}` }).click();
    await row.getByRole('alert').getByText('priority must be a whole number between -1000000 and 1000000.').waitFor();
    assert.equal(await priority.getAttribute('aria-invalid'), 'true');
    await screenshot(page, 'admin-03-bad-priority');
    await priority.fill('7');
    await row.getByRole('button', { name: `Set priority of Diagnostic task ${short}` }).click();
    await row.getByRole('alert').waitFor({ state: 'detached' });
    const priorityOf = async () =>
      (await api<{ task: { priority: number } }>('query($id: ID!) { task(id: $id) { priority } }', { id })).task
        .priority;
    await waitFor('the priority to be 7', async () => (await priorityOf()) === 7);
    // The row follows the server: nothing left to set.
    const set = row.getByRole('button', { name: `Set priority of Diagnostic task ${short}` });
    await waitFor('the Set button to be disabled', () => set.isDisabled());

    await row.getByRole('button', { name: `Retry Diagnostic task ${short}` }).click();
    await row.getByText('Running', { exact: true }).waitFor({ timeout: 20_000 });
    await row.getByRole('button', { name: `Cancel Diagnostic task ${short}` }).click();
    await row.getByText('Cancelled', { exact: true }).waitFor({ timeout: 20_000 });
  });

  it('filters tasks by status and type, in the address', async () => {
    await page.getByLabel('Status').selectOption('CANCELLED');
    await page.waitForURL(/\/admin\/tasks\?status=CANCELLED$/);
    await waitFor('only cancelled tasks', async () => {
      const rows = await page.locator('tbody.task').all();
      const statuses = await Promise.all(rows.map((r) => r.getAttribute('data-status')));
      return statuses.length === 1 && statuses[0] === 'CANCELLED';
    });
    await page.getByLabel('Type').selectOption('TRAIN_MODEL');
    await page.getByText('No task matches these filters.').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForURL(/\/admin\/tasks$/);
    assert.equal(await page.locator('tbody.task').count(), 2);
    await screenshot(page, 'admin-04-tasks');
  });

  it('shows runners live: status, a ticking heartbeat age, disabling and restarting', async () => {
    const live = subscribed(page);
    await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Runners' }).click();
    await page.getByRole('heading', { name: 'Runners', exact: true }).waitFor();
    await live;
    const { runners } = await api<{ runners: { id: string; name: string; kind: string }[] }>(
      '{ runners { id name kind } }',
    );
    assert.equal(runners.length, 1);
    const runner = runners[0];
    assert.equal(runner.kind, 'LOCAL');
    const row = page.locator(`tbody[data-runner-id="${runner.id}"]`);
    await row.getByText('Idle', { exact: true }).waitFor();
    assert.match(await row.innerText(), /Local/);
    assert.match(await row.innerText(), /wasm|cpu|tensorflow/);

    // The age counts up each second in the browser (between heartbeats, which set it back).
    const age = row.locator('time');
    const first = await age.innerText();
    assert.match(first, /^\d+ s ago$/);
    await waitFor('the heartbeat age to tick', async () => (await age.innerText()) !== first, 3000);

    // Disabled through the API: the page shows it without a reload.
    await api('mutation($id: ID!) { setRunnerDisabled(id: $id, disabled: true) { id } }', { id: runner.id });
    await row.getByText('Disabled', { exact: true }).waitFor();
    await screenshot(page, 'admin-05-runner-disabled');
    await row.getByRole('button', { name: `Enable ${runner.name}` }).click();
    await row.getByText('Disabled', { exact: true }).waitFor({ state: 'detached' });
    assert.equal(
      (await api<{ runners: { disabled: boolean }[] }>('{ runners { disabled } }')).runners[0].disabled,
      false,
    );

    await row.getByRole('button', { name: `Restart ${runner.name}` }).click();
    await row.getByRole('button', { name: 'Restart now' }).click();
    // Its process is killed (Failed), started again (Starting), and takes work once ready (Idle).
    await waitFor('the runner to go down', async () => (await row.getAttribute('data-status')) !== 'IDLE', 5000);
    await row.getByText('Idle', { exact: true }).waitFor({ timeout: 30_000 });
    await row.getByRole('button', { name: 'Restart now' }).waitFor({ state: 'detached' });

    assert.equal(
      await page.getByTestId('runner-command').innerText(),
      `npm run runner -- --server ${server.url} --token <runner token>`,
    );
    await page.getByRole('link', { name: 'runner tokens', exact: true }).waitFor();
    await screenshot(page, 'admin-06-runners');
  });

  it('revokes a runner token from the runner-tokens page', async () => {
    await page.getByRole('link', { name: 'runner tokens', exact: true }).click();
    await page.getByLabel('Name').fill('gpu-box-1');
    await page.getByRole('button', { name: 'Create runner token' }).click();
    const secret = await page.getByTestId('secret').innerText();
    const register = 'mutation { registerRunner(name: "gpu-box-1", backend: "cpu", device: "test") { id } }';
    assert.equal((await gql(server.graphqlUrl, register, {}, secret)).errors, undefined);

    const card = page.locator('.card', { hasText: 'gpu-box-1' });
    await card.getByRole('button', { name: 'Revoke “gpu-box-1”' }).click();
    await card.getByRole('button', { name: 'Revoke now' }).click();
    await card.getByText('Revoked').waitFor();
    const refused = await gql(server.graphqlUrl, register, {}, secret);
    assert.equal(refused.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
  });

  it('opens GraphiQL for the admin, bundled: runs a query and a subscription', async () => {
    await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'GraphiQL' }).click();
    await page.waitForURL(`${server.url}/graphiql`);
    // The editors load CodeMirror after the page itself.
    await page.locator('.graphiql-query-editor .CodeMirror').waitFor();
    await page.locator('.graphiql-response .CodeMirror').waitFor();
    const editor = `document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror`;
    const run = async (query: string) => {
      await page.evaluate(`${editor}.setValue(${JSON.stringify(query)})`);
      // GraphiQL parses the query a moment after each edit; it picks HTTP or WebSocket from that parse.
      // Polled from here: waitForFunction evaluates a string with eval, which the page's CSP forbids.
      const parsed = `${editor}.documentAST?.loc?.source.body === ${JSON.stringify(query)}`;
      await waitFor('GraphiQL to parse the query', () => page.evaluate<boolean>(parsed), 10_000);
      await page.getByRole('button', { name: 'Execute query (Ctrl-Enter)' }).click();
    };
    const response = () =>
      page.evaluate<string>(`document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue()`);

    await run('{ me { email } }');
    const answer = await waitFor('the response', async () => {
      const text = await response();
      return text.includes('"email"') && text;
    });
    assert.deepEqual(JSON.parse(answer), { data: { me: { email: admin.user.email } } });
    await screenshot(page, 'admin-07-graphiql');

    // Subscriptions go over graphql-ws with the same session.
    await run('subscription { tasksChanged { id status } }');
    await page.getByRole('button', { name: 'Stop query (Ctrl-Enter)' }).waitFor();
    // The socket opens as the subscription starts: queue tasks until one of their events shows.
    const id = await waitFor('a task event in GraphiQL', async () => {
      const { createDiagnosticTask: task } = await api<{ createDiagnosticTask: { id: string } }>(
        'mutation { createDiagnosticTask(sleepMs: 0) { id } }',
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      return (await response()).includes(task.id) && task.id;
    });
    assert.match(await response(), new RegExp(`"id": "${id}"`));
    await page.getByRole('button', { name: 'Stop query (Ctrl-Enter)' }).click();

    const origin = new URL(server.url).origin;
    const elsewhere = requested.filter((url) => !url.startsWith(`${origin}/`) && !/^(data|blob):/.test(url));
    assert.deepEqual(elsewhere, [], 'every request went to this server');
    assert.ok(
      requested.some((url) => /\/assets\/graphiql-[\w-]+\.css$/.test(url)),
      'GraphiQL CSS is bundled',
    );
  });

  it('keeps tasks, runners and GraphiQL from a user, and sends a visitor to log in', async () => {
    const other = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      other.setDefaultTimeout(10_000);
      const page2 = await other.newPage();
      page2.on('pageerror', (e) => pageErrors.push(e.message));
      await page2.goto(`${server.url}/graphiql`);
      await page2.getByRole('heading', { name: 'Admins only' }).waitFor();
      const logIn = page2.getByRole('link', { name: 'Log in' });
      assert.equal(await logIn.getAttribute('href'), '/login?next=%2Fgraphiql');
      await screenshot(page2, 'admin-08-graphiql-signed-out');

      await signIn(page2, user);
      for (const path of ['/admin/tasks', '/admin/runners']) {
        await page2.goto(`${server.url}${path}`);
        await page2.getByRole('heading', { name: 'Admins only' }).waitFor();
        assert.equal(await page2.locator('table').count(), 0);
      }
      await page2.goto(`${server.url}/graphiql`);
      await page2.getByRole('heading', { name: 'Admins only' }).waitFor();
      await page2.getByText('You are signed in as user@example.com, who is not an admin.').waitFor();
      assert.equal(await page2.locator('.graphiql-container').count(), 0);
      await screenshot(page2, 'admin-09-graphiql-not-admin');

      // Logging out and in as the admin comes back to GraphiQL.
      await page2.getByRole('link', { name: 'Log out and log in as an admin' }).click();
      await page2.getByRole('heading', { name: 'Log in' }).waitFor();
      await page2.getByLabel('Email').fill(admin.user.email);
      await page2.getByLabel('Password').fill('correct horse battery');
      await page2.getByRole('button', { name: 'Log in' }).click();
      await page2.locator('.graphiql-container').waitFor();
      assert.equal(page2.url(), `${server.url}/graphiql`);
      const me = await gql(server.graphqlUrl, '{ me { email } }', {}, user.token);
      assert.equal(me.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED', "the user's session was revoked");
    } finally {
      await other.close();
    }
  });

  it('reads at phone width', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`${server.url}/admin/tasks`);
    await page.locator('tbody.task').first().waitFor();
    await screenshot(page, 'admin-10-phone-tasks');
    await page.goto(`${server.url}/admin/runners`);
    await page.locator('tbody.runner').first().waitFor();
    await screenshot(page, 'admin-11-phone-runners');
    // Wide tables scroll inside their frame; the page itself does not.
    assert.ok((await page.evaluate<number>('document.documentElement.scrollWidth')) <= 375, 'the page fits 375px');
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the pages');
  });
});
