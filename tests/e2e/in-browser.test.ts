import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createModel, png, signUp } from '../support/fixtures';
import { gql, gqlUpload } from '../support/graphql';
import { startTestServer, type TestServer } from '../support/server';
import { syntheticZip, TRAIN, waitForTask, type SyntheticSet } from '../support/training';
import { ensureClientBuilt, launchChromium, screenshot } from './browser';

// "Run in this browser": the Classify tab loads the model's export with the bundled TensorFlow.js
// and classifies held-out images locally; each answer must be the server's, and no image is sent.
let server: TestServer;
let browser: Browser;
let page: Page;
let data: SyntheticSet;
let owner: Awaited<ReturnType<typeof signUp>>;
let modelId: string;
const pageErrors: string[] = [];

describe('classifying in the browser', () => {
  before(async () => {
    ensureClientBuilt();
    [server, data] = await Promise.all([
      startTestServer({ PERCEPT_LOCAL_RUNNERS: '1' }),
      syntheticZip({ classes: 3, perClass: 20, side: 12, heldOutPerClass: 3 }),
    ]);
    owner = await signUp(server.graphqlUrl);
    modelId = (await createModel(server.graphqlUrl, owner.token, 'shapes', await png(12, 12, 1))).id;
    const upload = await gqlUpload(
      server.graphqlUrl,
      'mutation($m: ID!, $f: Upload!) { importDataset(modelId: $m, file: $f) { id } }',
      { m: modelId, f: null },
      { f: { data: data.zip, filename: 'data.zip', type: 'application/zip' } },
      owner.token,
    );
    await waitForTask(server.graphqlUrl, owner.token, upload.data!.importDataset.id);
    const trained = await gql(
      server.graphqlUrl,
      TRAIN,
      { id: modelId, input: { candidates: 1, maxEpochs: 2 } },
      owner.token,
    );
    await waitForTask(server.graphqlUrl, owner.token, trained.data!.trainModel.id, 'SUCCEEDED', 180_000);

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(30_000);
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Password').fill(owner.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Models' }).waitFor();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('exports from the model page, with the check’s figures and a download link', async () => {
    await page.goto(`${server.url}/models/${modelId}`);
    await page.getByRole('button', { name: 'Export model' }).click();
    const result = page.getByTestId('export-result');
    await result.getByText(/the same top class on every one/).waitFor();
    const href = await result.getByRole('link', { name: /Download zip/ }).getAttribute('href');
    assert.match(href ?? '', /^\/files\/exports\//);
    const zip = await page.evaluate(async (url) => (await fetch(url)).headers.get('content-type'), href!);
    assert.equal(zip, 'application/zip');
    await screenshot(page, 'export-01-model-page');
  });

  it('classifies held-out images in the page, agreeing with the server, without sending them', async () => {
    await page.goto(`${server.url}/models/${modelId}/classify`);
    await page.getByRole('button', { name: 'Run in this browser' }).click();
    await page.getByTestId('local-ready').waitFor({ timeout: 60_000 });
    await page.getByText('Images you choose here never leave your browser').waitFor();

    const sent: string[] = [];
    page.on('request', (r) => sent.push(`${r.method()} ${r.url()}`));
    for (const [i, image] of data.heldOut.entries()) {
      const served = await gql(
        server.graphqlUrl,
        'mutation($m: ID!, $i: ImageInput!) { classify(modelId: $m, image: $i, topK: 1) { predictions { className } } }',
        { m: modelId, i: { base64: image.png.toString('base64') } },
        owner.token,
      );
      const expected = served.data!.classify.predictions[0].className as string;
      await page.getByLabel('Choose an image to classify here').setInputFiles({
        name: `held-out-${i}.png`,
        mimeType: 'image/png',
        buffer: image.png,
      });
      await page.getByTestId('local-answer').getByText(`held-out-${i}.png was classified in this browser`).waitFor();
      const local = (await page.getByTestId('local-top-class').locator('strong').textContent())?.trim();
      assert.equal(local, expected, `held-out image ${i}`);
    }
    assert.deepEqual(sent, [], 'classifying locally sends nothing');
    assert.deepEqual(pageErrors, []);
    await screenshot(page, 'export-02-classify-in-browser');
  });
});
