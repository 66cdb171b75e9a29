import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ZipWriter as JSZip } from '../support/zip-writer';
import type { Browser, Page } from 'playwright-core';
import { gql } from '../support/graphql';
import { startTestServer, type TestServer } from '../support/server';
import { syntheticZip, type SyntheticSet } from '../support/training';
import { waitFor } from '../support/wait';
import {
  ensureClientBuilt,
  greyPng,
  HAS_CURL,
  launchChromium,
  runCurl,
  screenshot,
  SCREENSHOTS,
  sessionToken,
} from './browser';

/**
 * The seed's workflow in real Chromium against a real server with two local runners: sign up, create
 * a model, upload a zip of three classes, train while watching, read the evaluation, classify.
 * Steps share one page and run in order.
 */
describe('the model workflow in the browser', { timeout: 240_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let data: SyntheticSet;
  let modelUrl = '';
  /** Held-out images the batch classified right, for the single-image steps. */
  const answeredRight: SyntheticSet['heldOut'] = [];
  const pageErrors: string[] = [];
  const CLASSES = ['horizontal bar', 'vertical bar', 'diagonal'];

  const tab = (name: string) => page.getByRole('navigation', { name: 'Model sections' }).getByRole('link', { name });
  /** Records what an element shows each time the DOM changes: fast changes are caught, not only those a poll sees. */
  const record = (key: string, script: string) =>
    page.evaluate(`(() => {
      const seen = (window[${JSON.stringify(key)}] = []);
      const note = () => { const v = (${script})(); if (v && seen.at(-1) !== v) seen.push(v); };
      new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
      note();
    })()`);
  const recorded = (key: string) => page.evaluate<string[]>(`window[${JSON.stringify(key)}]`);

  before(async () => {
    ensureClientBuilt();
    [server, data] = await Promise.all([
      startTestServer({ PERCEPT_LOCAL_RUNNERS: '2' }),
      syntheticZip({ classes: 3, perClass: 150, side: 24, heldOutPerClass: 5 }),
    ]);
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    console.log(`screenshots: ${SCREENSHOTS}`);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('signs up and creates a model from a 24×24 greyscale image', async () => {
    await page.goto(`${server.url}/signup`);
    await page.getByLabel('Email').fill('maker@example.com');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('link', { name: 'Create your first model' }).click();
    await page.getByLabel('Name').fill('Shapes');
    // A high target: the networks train for most of their epochs, so the curves grow and the answers are sure.
    await page.getByLabel('Target accuracy (%)').fill('99');
    await page.getByLabel('Sample image').setInputFiles({
      name: 'sample.png',
      mimeType: 'image/png',
      buffer: await greyPng(24, 24),
    });
    await page.getByTestId('input-shape').getByText('24 × 24 × 1').waitFor();
    await page.getByRole('button', { name: 'Create model' }).click();
    await page.getByRole('heading', { level: 1, name: 'Shapes' }).waitFor();
    modelUrl = page.url();

    // No data yet: the model tab offers the upload, with instructions for the zip.
    const next = page.getByTestId('next-step');
    await next.getByRole('heading', { name: 'Add training data' }).waitFor();
    assert.equal(await next.getAttribute('data-step'), 'upload');
    await next.getByText('Make one folder per class').waitFor();
    await screenshot(page, 'workflow-01-model-no-data');
  });

  it('explains why training cannot start without data', async () => {
    await tab('Training').click();
    await page.getByRole('button', { name: 'Start training' }).click();
    const alert = page.getByRole('alert');
    await alert.getByText('Training cannot start').waitFor();
    await alert.getByText(/no data yet/).waitFor();
  });

  it('uploads the zip and shows the import live, then the classes with their counts', async () => {
    await tab('Dataset').click();
    await page.getByRole('heading', { name: 'Add training data' }).waitFor();
    await page.getByLabel('Choose a zip or manifest').setInputFiles({
      name: 'shapes.zip',
      mimeType: 'application/zip',
      buffer: data.zip,
    });
    await page.getByTestId('dataset-file-chosen').getByText('shapes.zip').waitFor();
    const api = page.locator('.api-info', { hasText: 'API: ImportDataset' });
    await api.locator('summary').click();
    const curl = await api.locator('pre').last().innerText();
    assert.match(curl, /apollo-require-preflight: true/);
    assert.match(curl, /-F '0=@shapes\.zip'/);
    assert.match(curl, new RegExp(`curl -sS ${server.graphqlUrl}`));

    await page.evaluate('window.__noReload = true');
    await record(
      '__import',
      `() => { const p = document.querySelector('[data-testid=import-progress]');
        return p && p.dataset.status + ' ' + (p.querySelector('[data-testid=files-seen]')?.textContent ?? ''); }`,
    );
    await page.getByRole('button', { name: 'Upload and import' }).click();
    const summary = page.getByTestId('import-summary');
    await summary.getByText('Imported 450 images into 3 classes').waitFor({ timeout: 60_000 });
    await summary.getByText('Nothing was skipped.').waitFor();
    const seen = await recorded('__import');
    console.log(`import progress seen: ${seen.join(' | ')}`);
    assert.ok(seen.length > 0, 'the import was followed live before its report');

    for (const name of CLASSES) {
      assert.equal(await page.getByTestId(`class-${name}`).getByTestId('class-count').innerText(), '150 images');
    }
    await page.getByTestId('dataset-summary').getByText('450 images').waitFor();
    assert.equal(await page.evaluate('window.__noReload'), true, 'the counts came without a reload');

    // Thumbnails of a class, served over HTTP with signed URLs.
    const diagonal = page.getByTestId('class-diagonal');
    await diagonal.getByRole('button', { name: 'Show images of diagonal' }).click();
    const thumbs = diagonal.locator('.thumbs img');
    await thumbs.first().waitFor();
    assert.equal(await thumbs.count(), 24);
    // Thumbnails load lazily: bring them into view, then every one must have decoded.
    await diagonal.locator('.thumbs').scrollIntoViewIfNeeded();
    await waitFor('thumbnails decoded', async () =>
      (
        await page.evaluate<number[]>(
          `[...document.querySelectorAll('[data-testid="class-diagonal"] .thumbs img')].map((i) => (i.complete ? i.naturalWidth : 0))`,
        )
      ).every((width) => width > 0),
    );
    await diagonal.getByText('Page 1 of 7').waitFor();
    await screenshot(page, 'workflow-02-dataset');

    // Deleting an image asks first, then the counts follow.
    await diagonal.locator('.thumbs input[type=checkbox]').first().check();
    await diagonal.getByRole('button', { name: 'Delete 1 selected image…' }).click();
    await diagonal.getByRole('button', { name: 'Delete 1 image' }).click();
    await diagonal.getByTestId('class-count').getByText('149 images').waitFor();
  });

  it('trains two networks, showing their progress live', async () => {
    await waitFor('two runners ready', async () => server.percept.pool!.idle().length === 2, 60_000);
    await tab('Training').click();
    await page.getByLabel('Networks to try').fill('2');
    await page.getByLabel('Rounds of practice (epochs)').fill('20');
    // The form says what ends a run, and changes its words with the choice.
    const hint = page.getByTestId('stop-at-target-hint');
    await hint.getByText(/goes on until the networks stop improving/).waitFor();
    await page.getByLabel(/Stop as soon as a network reaches 99 %/).check();
    await hint.getByText(/Quicker: the first network to reach the target/).waitFor();
    await screenshot(page, 'workflow-03a-train-form');
    await page.getByLabel(/Stop as soon as a network reaches 99 %/).uncheck();
    await record(
      '__epochs',
      `() => [...document.querySelectorAll('[data-testid=candidate] .epoch')].map((e) => e.textContent.trim()).join(' / ')`,
    );
    await record(
      '__curve',
      `() => String(Math.max(0, ...[...document.querySelectorAll('[data-testid=candidate] path.line.train')].map((p) => p.getAttribute('d').split('L').length)))`,
    );
    await page.getByRole('button', { name: 'Start training' }).click();

    const summary = page.getByTestId('run-summary');
    await summary.waitFor();
    assert.equal(await page.getByTestId('candidate').count(), 2);
    await waitFor(
      'the epoch and batch counters to move',
      async () => new Set((await recorded('__epochs')).filter((t) => /batch \d+ of \d+/.test(t))).size >= 3,
      60_000,
    );
    await screenshot(page, 'workflow-03-training-live');

    // The model tab sums the run up while it lasts, and leads back here.
    await tab('Model').click();
    const next = page.getByTestId('next-step');
    if ((await next.getAttribute('data-step')) === 'training') {
      await next.getByTestId('run-summary').waitFor();
      await screenshot(page, 'workflow-04-model-training');
    }
    await tab('Training').click();

    await page.locator('.title-row .badge', { hasText: 'Ready' }).waitFor({ timeout: 150_000 });
    assert.equal(await page.evaluate('window.__noReload'), true, 'training was followed without a reload');
    const epochs = await recorded('__epochs');
    const curve = (await recorded('__curve')).map(Number);
    console.log(`epoch texts seen: ${epochs.length}; longest curve: ${Math.max(...curve)} points`);
    assert.ok(Math.max(...curve) > Math.min(...curve), 'a training curve grew on screen');
  });

  it('shows the evaluation: test accuracy, per-class table and confusion matrix', async () => {
    const evaluation = page.getByTestId('evaluation');
    await evaluation.waitFor();
    const accuracy = Number.parseFloat(await evaluation.getByTestId('test-accuracy').innerText());
    console.log(`test accuracy ${accuracy} %`);
    assert.ok(accuracy >= 80, `test accuracy ${accuracy} %`);
    const perClass = evaluation.getByTestId('per-class');
    for (const name of CLASSES) await perClass.getByRole('rowheader', { name }).waitFor();
    const matrix = evaluation.getByTestId('confusion-matrix');
    assert.equal(await matrix.locator('tbody tr').count(), 3);
    assert.equal(await matrix.locator('tbody td').count(), 9);
    assert.equal(await page.locator('[data-testid=candidate][data-status=PROMOTED]').count(), 1);
    // Why this network, and how sure: its validation figure with the room chance leaves it.
    await page
      .getByTestId('selection')
      .getByText(/chosen: \d+\.\d% ± \d+\.\d% on \d+ validation images/)
      .waitFor();
    await page
      .getByTestId('run-ends')
      .getByText(/stop improving/)
      .waitFor();
    await screenshot(page, 'workflow-05-training-done');
  });

  it('classifies a zip of held-out images as a batch, with a results table and a CSV', async () => {
    await tab('Classify').click();
    const zip = new JSZip();
    data.heldOut.forEach((h, i) => zip.file(`batch/${i}-${h.className}.png`, h.png));
    zip.file('batch/notes.txt', 'not an image');
    await page.getByLabel('Choose a zip of images').setInputFiles({
      name: 'batch.zip',
      mimeType: 'application/zip',
      buffer: await zip.generateAsync({ type: 'nodebuffer' }),
    });
    await page.getByRole('button', { name: 'Classify all' }).click();
    const results = page.getByTestId('batch-results');
    await results.waitFor({ timeout: 60_000 });
    assert.equal(await results.locator('tbody').count(), data.heldOut.length + 1);
    await results.getByText(/Not classified: .*not an image/).waitFor();

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      results.getByRole('link', { name: 'Download CSV' }).click(),
    ]);
    const csv = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split('\r\n');
    assert.match(csv[0]!, /^file,class_1,probability_1,/);
    assert.equal(csv.length, data.heldOut.length + 2);
    for (const line of csv.slice(1)) {
      const [file, top] = line.split(',');
      const i = /^batch\/(\d+)-/.exec(file!)?.[1];
      if (i !== undefined && data.heldOut[Number(i)]!.className === top) answeredRight.push(data.heldOut[Number(i)]!);
    }
    const right = answeredRight.length;
    assert.ok(right >= 0.8 * data.heldOut.length, `${right} of ${data.heldOut.length} right in the CSV`);
    await screenshot(page, 'workflow-06-classify-batch');
  });

  it('classifies one held-out image of each class with its class on top', async () => {
    await page.getByText('Percept forgets the images you classify').waitFor();
    // The network is not right about every image (tests/training.test.ts measures how often): this
    // step takes images the batch answered right, and the page must show the same answer for each.
    for (const name of CLASSES) {
      const held = answeredRight.find((h) => h.className === name);
      assert.ok(held, `the batch got some ${name} image right`);
      await page.getByLabel('Choose an image').setInputFiles({
        name: `${name}.png`,
        mimeType: 'image/png',
        buffer: held.png,
      });
      // "Most likely <name>", or "Unsure perhaps <name>" below its class's threshold (tests/e2e/review.test.ts).
      await page.getByTestId('top-class').getByText(name, { exact: true }).waitFor();
    }
    // Kept only when asked.
    await page.getByLabel('Keep this image').check();
    await page.getByLabel('Choose an image').setInputFiles({
      name: 'kept.png',
      mimeType: 'image/png',
      buffer: data.heldOut[0]!.png,
    });
    await page.getByText("Kept with the model's data as image").waitFor();
    await screenshot(page, 'workflow-07-classify');
  });

  it(
    'gives a curl line beside classify that uploads the image',
    { skip: !HAS_CURL && 'curl is not installed' },
    async () => {
      await page.getByLabel('Keep this image').uncheck();
      const held = answeredRight.find((h) => h.className === 'vertical bar')!;
      await page
        .getByLabel('Choose an image')
        .setInputFiles({ name: 'mine.png', mimeType: 'image/png', buffer: held.png });
      await page.getByTestId('top-class').waitFor();
      const api = page.locator('.api-info').filter({ has: page.locator('summary', { hasText: /API: Classify$/ }) });
      await api.locator('summary').click();
      const curl = await api.locator('pre').last().innerText();
      assert.match(curl, /-F '0=@mine\.png'/);
      const answer = await runCurl(curl, (await sessionToken(page))!, { 'mine.png': held.png });
      assert.equal(answer.data?.classify.predictions[0].className, 'vertical bar', JSON.stringify(answer));
      assert.equal(answer.data?.classify.keptImageId, null);
    },
  );

  it(
    'gives a plain HTTP curl line on the API tab that classifies the image sent as the body',
    { skip: !HAS_CURL && 'curl is not installed' },
    async () => {
      const held = answeredRight.find((h) => h.className === 'vertical bar')!;
      await tab('API').click();
      const curl = await page.getByTestId('rest-classify').locator('pre').innerText();
      const answer = await runCurl(curl, (await sessionToken(page))!, { 'photo.jpg': held.png });
      assert.equal(answer.predictions?.[0]?.className, 'vertical bar', JSON.stringify(answer));
      assert.equal(answer.keptImageId, null);
    },
  );

  it('offers classification on the model tab once ready, and the list shows the status', async () => {
    await tab('Model').click();
    const next = page.getByTestId('next-step');
    await next.getByRole('heading', { name: /Try it|Below the target/ }).waitFor();
    await screenshot(page, 'workflow-08-model-ready');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Models' }).click();
    await page.locator('.card', { hasText: 'Shapes' }).getByText('Ready').waitFor();
  });

  it('explains a network promoted below the target, and offers to train more', async () => {
    // A target no network reaches in one epoch: the budget runs out first.
    const token = (await sessionToken(page))!;
    const id = modelUrl.split('/').pop();
    const raised = await gql(
      server.graphqlUrl,
      'mutation($id: ID!) { updateModel(id: $id, input: { targetAccuracy: 1 }) { targetAccuracy } }',
      { id },
      token,
    );
    assert.equal(raised.data?.updateModel.targetAccuracy, 1, JSON.stringify(raised.errors));
    await page.goto(`${modelUrl}/training`);
    await page.getByLabel('Networks to try').fill('1');
    await page.getByLabel('Rounds of practice (epochs)').fill('1');
    await page.getByRole('button', { name: 'Train again' }).click();
    await page.getByTestId('run-summary').and(page.locator('[data-status=RUNNING]')).waitFor({ timeout: 30_000 });

    const under = page.getByTestId('under-target');
    await under.waitFor({ timeout: 90_000 });
    await under.getByText('short of the 100 % you asked for').waitFor();
    // Train more: as many networks, twice the rounds, no time limit.
    assert.equal(await under.getByLabel('Networks to try').inputValue(), '1');
    assert.equal(await under.getByLabel('Rounds of practice (epochs)').inputValue(), '2');
    assert.equal(await under.getByLabel('Time limit (minutes)').inputValue(), '');
    await under.getByRole('button', { name: 'Train more' }).waitFor();
    await screenshot(page, 'workflow-09-under-target');

    await tab('Model').click();
    await page.getByTestId('next-step').getByRole('button', { name: 'Train more' }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Models' }).click();
    await page.locator('.card', { hasText: 'Shapes' }).getByText('Below target').waitFor();
  });

  it('reads well at phone width', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    for (const [path, name] of [
      ['/dataset', 'workflow-10-phone-dataset'],
      ['/training', 'workflow-11-phone-training'],
      ['/classify', 'workflow-12-phone-classify'],
    ]) {
      await page.goto(`${modelUrl}${path}`);
      await page.locator('main h2').first().waitFor();
      assert.ok((await page.evaluate<number>('document.documentElement.scrollWidth')) <= 375, `${path} fits 375px`);
      await screenshot(page, name);
    }
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  });
});
