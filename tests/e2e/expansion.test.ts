import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { CREATE_MODEL, png, signUp } from '../support/fixtures';
import { uploadDataset } from '../support/datasets';
import { gql, gqlUpload } from '../support/graphql';
import { startTestServer, type TestServer } from '../support/server';
import { CLASSIFY, syntheticZip, TRAIN, waitForTask, type SyntheticSet } from '../support/training';
import { waitFor } from '../support/wait';
import { ensureClientBuilt, launchChromium, screenshot, SCREENSHOTS } from './browser';

/**
 * Adding classes to an expandable model in real Chromium: the model is trained through the API
 * (three shapes), then everything else happens on its pages — upload two new class folders, watch
 * the head train live on the Heads tab, see the outcome, check the new classes are answered, mark
 * of the Dataset tab, retire the new head — and the admin opens the expansion's task in full.
 */
describe('adding classes to an expandable model in the browser', { timeout: 300_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let token: string;
  let modelId: string;
  let newSet: SyntheticSet;
  const pageErrors: string[] = [];
  const NEW = ['frame', 'square'];

  const api = async (query: string, variables: Record<string, unknown> = {}) => {
    const res = await gql(server.graphqlUrl, query, variables, token);
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    return res.data as Record<string, any>;
  };
  const tab = (name: string) => page.getByRole('navigation', { name: 'Model sections' }).getByRole('link', { name });

  before(async () => {
    ensureClientBuilt();
    server = await startTestServer({ PERCEPT_LOCAL_RUNNERS: '2', PERCEPT_TICK_MS: '500' });
    const common = { classes: 0, perClass: 150, side: 24, heldOutPerClass: 5, seed: 7 };
    const oldSet = await syntheticZip({ ...common, pick: [0, 1, 2] });
    newSet = await syntheticZip({ ...common, pick: [3, 4] });
    const account = await signUp(server.graphqlUrl);
    token = account.token;
    const created = await gqlUpload(
      server.graphqlUrl,
      CREATE_MODEL,
      { input: { name: 'Growing shapes', sampleImage: null, expandable: true, targetAccuracy: 0.8 } },
      { 'input.sampleImage': { data: await png(24, 24, 1), filename: 'sample.png', type: 'image/png' } },
      token,
    );
    assert.ok(created.data, JSON.stringify(created.errors));
    modelId = (created.data as any).createModel.id;
    const imported = await uploadDataset(server, token, modelId, oldSet.zip);
    assert.ok(imported.data, JSON.stringify(imported.errors));
    await waitForTask(server.graphqlUrl, token, imported.data.importDataset.id);
    const trained = await api(TRAIN, { id: modelId, input: { candidates: 1, maxEpochs: 8, roundEpochs: 8 } });
    await waitForTask(server.graphqlUrl, token, trained.trainModel.id, 'SUCCEEDED', 240_000);

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(20_000);
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${server.url}/login`);
    await page.evaluate(`localStorage.setItem('percept.session', ${JSON.stringify(JSON.stringify(account))})`);
    console.log(`screenshots: ${SCREENSHOTS}`);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the first head and explains how to add classes', async () => {
    await page.goto(`${server.url}/models/${modelId}/heads`);
    const head = page.getByTestId('head-0');
    await head.waitFor();
    assert.equal(await head.getAttribute('data-status'), 'ACTIVE');
    assert.equal(await head.getByTestId('head-classes').innerText(), 'horizontal bar, vertical bar, diagonal');
    await page.getByRole('heading', { name: 'Add classes' }).waitFor();
    await page.getByText('Dataset tab', { exact: false }).first().waitFor();
    await page.getByTestId('no-waiting').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Retire head 0' }).count(), 0, 'the only head cannot go');
    await page.locator('.api-info', { hasText: 'API: ExpandModel' }).waitFor();
    await screenshot(page, 'heads-first');
  });

  it('uploads new class folders, and the Heads tab shows the head training live, then its outcome', async () => {
    await tab('Dataset').click();
    await page.getByLabel('Choose a zip or manifest').setInputFiles({
      name: 'more-shapes.zip',
      mimeType: 'application/zip',
      buffer: newSet.zip,
    });
    await page.getByRole('button', { name: 'Upload and import' }).click();
    await page.getByTestId('import-summary').waitFor({ timeout: 60_000 });
    await tab('Heads').click();
    await page.getByTestId('expansion-run').waitFor();
    // Every state the card shows, as it changes: the live phases come before the outcome.
    await page.evaluate(`(() => {
      const seen = (window.__run = []);
      const note = () => {
        const card = document.querySelector('[data-testid=expansion-run]');
        const v = card && card.dataset.outcome + ' ' + (card.querySelector('[data-testid=expansion-phase]')?.textContent ?? '')
          + (card.querySelector('[data-testid=expansion-live]') ? ' (head, epoch, batch shown)' : '');
        if (v && seen.at(-1) !== v) seen.push(v);
      };
      new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
      note();
    })()`);
    const card = page.getByTestId('expansion-run');
    const outcome = await waitFor(
      'the expansion to end',
      async () => {
        const o = await card.getAttribute('data-outcome');
        return o && !['QUEUED', 'TRAINING'].includes(o) ? o : undefined;
      },
      120_000,
    );
    const seen = await page.evaluate<string[]>('window.__run');
    assert.equal(outcome, 'ACTIVATED', `states seen: ${seen.join(' | ')}`);
    assert.ok(
      seen.some((v) => v.startsWith('TRAINING Training heads') && v.endsWith('(head, epoch, batch shown)')),
      `the head's training was shown live: ${seen.join(' | ')}`,
    );
    assert.match(await card.innerText(), /Classes: (square, frame|frame, square)/);
    assert.match(await page.getByTestId('expansion-result').innerText(), /classify now answers/);
    assert.match(await page.getByTestId('expansion-accuracy').innerText(), /target 80\.0 %/);
    // The heads list followed: the first head retired, a copy of it and the new head serve.
    await waitFor('the heads list to follow', async () => (await page.locator('li[data-testid^=head-]').count()) === 3);
    const statuses = await page
      .locator('li[data-testid^=head-]')
      .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-testid')}:${e.getAttribute('data-status')}`));
    assert.deepEqual(statuses.sort(), ['head-0:RETIRED', 'head-1:ACTIVE', 'head-2:ACTIVE']);
    await screenshot(page, 'heads-activated');
    console.log(`states the card showed: ${seen.join(' | ')}`);
  });

  it('the new classes are answered, and the Dataset tab says which head answers each class', async () => {
    let right = 0;
    const answers: string[] = [];
    for (const h of newSet.heldOut) {
      const res = await api(CLASSIFY, { id: modelId, image: { base64: h.png.toString('base64') } });
      answers.push(res.classify.predictions[0].className);
      if (res.classify.predictions[0].className === h.className) right++;
    }
    assert.ok(right / newSet.heldOut.length >= 0.8, `new classes answered as ${answers.join(', ')}`);

    await tab('Dataset').click();
    const square = page.getByTestId('class-square').getByTestId('class-head');
    await square.waitFor();
    assert.equal(await square.getAttribute('data-kind'), 'served');
    assert.match(await square.innerText(), /Answered by head \d/);
    await screenshot(page, 'dataset-heads');
  });

  it('retires the new head after confirming; its classes are no longer predicted', async () => {
    await tab('Heads').click();
    const newHead = page.locator('li[data-testid^=head-]', { hasText: 'square' });
    await newHead.getByRole('button', { name: /^Retire head/ }).click();
    const confirm = newHead.getByRole('group', { name: /^Retire head/ });
    assert.match(await confirm.innerText(), /will no longer be predicted/);
    await confirm.getByRole('button', { name: /^Retire head/ }).click();
    await waitFor('the head to be retired', async () => (await newHead.getAttribute('data-status')) === 'RETIRED');
    const heads = (await api('query($id: ID!) { heads(modelId: $id) { status classNames } }', { id: modelId })).heads;
    assert.equal(heads.find((h: any) => h.classNames.includes('square')).status, 'RETIRED');
    for (const h of newSet.heldOut) {
      const res = await api(CLASSIFY, { id: modelId, image: { base64: h.png.toString('base64') } });
      assert.ok(!NEW.includes(res.classify.predictions[0].className), 'a retired head answers nothing');
    }
    await tab('Dataset').click();
    const square = page.getByTestId('class-square').getByTestId('class-head');
    await waitFor('the mark to follow', async () => (await square.getAttribute('data-kind')) === 'retired');
  });

  it('the admin opens the expansion task in full from the task list', async () => {
    const run = (await api('query($id: ID!) { expansionRun(modelId: $id) { task { id } } }', { id: modelId }))
      .expansionRun;
    await page.goto(`${server.url}/admin/tasks`);
    await page
      .locator(`tbody[data-task-id="${run.task.id}"]`)
      .getByRole('link', { name: /^Details of/ })
      .click();
    await page.getByTestId('task-title').waitFor();
    assert.match(await page.getByTestId('task-title').innerText(), /Add classes task/);
    const facts = await page.getByTestId('task-facts').innerText();
    assert.match(facts, /EXPAND_MODEL/);
    assert.match(facts, new RegExp(modelId));
    assert.match(await page.getByTestId('task-attempts').innerText(), /^1 of at most 5$/);
    const timeline = await page.getByTestId('task-timeline').innerText();
    assert.match(timeline, /Queued[\s\S]*Started[\s\S]*Succeeded/);
    const payload = JSON.parse(await page.getByTestId('task-payload').innerText());
    assert.equal(payload.modelId, modelId);
    assert.equal(payload.trigger, 'import');
    const result = JSON.parse(await page.getByTestId('task-result').innerText());
    assert.equal(result.activated, true);
    await screenshot(page, 'admin-task-detail');
    assert.deepEqual(pageErrors, []);
  });

  it("a runner's row links to its current task, whose detail shows the runner and the lease", async () => {
    const sleeping = (await api('mutation { createDiagnosticTask(sleepMs: 8000) { id } }')).createDiagnosticTask;
    await page.goto(`${server.url}/admin/runners`);
    const link = page.getByTestId('runner-task').filter({ hasText: sleeping.id.slice(0, 8) });
    await link.waitFor();
    assert.match(await link.innerText(), /^Diagnostic/);
    await link.click();
    await page.getByTestId('task-title').waitFor();
    assert.match(await page.getByTestId('task-title').innerText(), /Diagnostic task/);
    assert.match(await page.getByTestId('task-lease').innerText(), /expires .* \(in \d+ s\)/);
    assert.notEqual(await page.getByTestId('task-facts').getByText('Runner').count(), 0);
    await page.locator('.api-info', { hasText: 'API: CancelTask' }).waitFor();
    await screenshot(page, 'admin-task-running');
    await page.getByRole('button', { name: 'Cancel task' }).click();
    await waitFor(
      'the task to be cancelled',
      async () =>
        (await api('query($id: ID!) { task(id: $id) { status } }', { id: sleeping.id })).task.status === 'CANCELLED',
    );
    await page.getByTestId('task-timeline').getByText('Cancelled').waitFor();
    assert.deepEqual(pageErrors, []);
  });
});
