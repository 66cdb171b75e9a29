import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createModel, png, signUp } from '../support/fixtures';
import { gql, gqlUpload } from '../support/graphql';
import { startTestServer, type TestServer } from '../support/server';
import { syntheticZip, TRAIN, waitForTask, type SyntheticSet } from '../support/training';
import { ensureClientBuilt, launchChromium, screenshot, SCREENSHOTS } from './browser';

/**
 * Closing the loop in real Chromium: an unsure answer shows as unsure on the Classify tab and is
 * kept; the Review tab shows it with its prediction, labels with a key, skips, discards, counts, and
 * starts a new training run with the new labels. The model is trained through the API first.
 */
describe('reviewing unsure answers in the browser', { timeout: 300_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let data: SyntheticSet;
  let user: Awaited<ReturnType<typeof signUp>>;
  let modelId = '';
  let classes: { id: string; name: string; index: number }[] = [];
  const pageErrors: string[] = [];

  const tab = (name: string) => page.getByRole('navigation', { name: 'Model sections' }).getByRole('link', { name });
  const api = <T = Record<string, unknown>>(query: string, variables: Record<string, unknown>) =>
    gql<T>(server.graphqlUrl, query, variables, user.token);
  const waiting = async (): Promise<{ id: string; classId: string | null }[]> =>
    server.percept.db.query(`SELECT id, "classId" FROM images WHERE "modelId" = $1 AND source = 'CLASSIFIED'`, [
      modelId,
    ]);

  before(async () => {
    ensureClientBuilt();
    [server, data] = await Promise.all([
      startTestServer({ PERCEPT_LOCAL_RUNNERS: '1' }),
      syntheticZip({ classes: 3, perClass: 30, side: 16, heldOutPerClass: 2 }),
    ]);
    user = await signUp(server.graphqlUrl);
    modelId = (await createModel(server.graphqlUrl, user.token, 'Shapes', await png(16, 16, 1))).id;
    const imported = await gqlUpload(
      server.graphqlUrl,
      'mutation($m: ID!, $f: Upload!) { importDataset(modelId: $m, file: $f) { id } }',
      { m: modelId, f: null },
      { f: { data: data.zip, filename: 'data.zip', type: 'application/zip' } },
      user.token,
    );
    await waitForTask(server.graphqlUrl, user.token, imported.data!.importDataset.id);
    const trained = await api<{ trainModel: { id: string } }>(TRAIN, {
      id: modelId,
      input: { candidates: 1, maxEpochs: 2 },
    });
    await waitForTask(server.graphqlUrl, user.token, trained.data!.trainModel.id, 'SUCCEEDED', 180_000);
    classes = (
      await api<{ dataset: { classes: typeof classes } }>(
        'query($m: ID!) { dataset(modelId: $m) { classes { id name index } } }',
        {
          m: modelId,
        },
      )
    ).data!.dataset.classes.sort((a, b) => a.index - b.index);
    // Every answer below 1 is unsure: the test does not depend on how sure the tiny network is.
    for (const c of classes)
      await api('mutation($c: ID!) { setClassThreshold(classId: $c, threshold: 1) { threshold } }', { c: c.id });

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Models' }).waitFor();
    console.log(`screenshots: ${SCREENSHOTS}`);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('turns on collecting unsure images on the Review tab, with its API call beside it', async () => {
    await page.goto(`${server.url}/models/${modelId}/review`);
    await page.getByTestId('review-empty').waitFor();
    await page.getByText('0 images waiting for a label').waitFor();
    await page.getByLabel('Keep images the model is unsure about').check();
    await page.getByLabel('At most this many waiting').fill('50');
    const info = page.locator('.api-info', { hasText: 'API: SetKeepUncertain' });
    await info.locator('summary').click();
    assert.match(await info.locator('pre').last().innerText(), /"keepUncertain":true,"cap":50,"retentionDays":30/);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    const m = await api<{ model: { keepUncertain: boolean; keepUncertainCap: number } }>(
      'query($m: ID!) { model(id: $m) { keepUncertain keepUncertainCap } }',
      { m: modelId },
    );
    assert.deepEqual(m.data!.model, { keepUncertain: true, keepUncertainCap: 50 });
  });

  it('shows an unsure answer as unsure on the Classify tab, and keeps the image', async () => {
    await tab('Classify').click();
    for (let i = 0; i < 4; i++) {
      await page.getByLabel('Choose an image').setInputFiles({
        name: `held-${i}.png`,
        mimeType: 'image/png',
        buffer: data.heldOut[i]!.png,
      });
      await page.getByText(`Classifying held-${i}.png`).waitFor({ state: 'detached' });
      await page.getByTestId('unsure').waitFor();
    }
    await page.getByTestId('unsure-why').getByText("below this class's threshold of 100.0 %").waitFor();
    await page.getByText("Kept with the model's data as image").waitFor();
    await screenshot(page, 'review-01-classify-unsure');
    assert.equal((await waiting()).length, 4);
  });

  it('reviews one image at a time: its prediction, a key per class, skip and discard, and the counts', async () => {
    await tab('Review').click();
    const counts = page.getByTestId('review-counts');
    await counts.getByText('4 images').waitFor();
    await counts.getByText('0 new labels').waitFor();
    const card = page.getByTestId('review-card');
    await card.getByText('The model said').waitFor();
    // The first shown is the most uncertain kept image: the queue's head, with its answer.
    const queue = await api<{
      reviewQueue: { items: { image: { id: string }; prediction: { className: string }[] }[] };
    }>('query($m: ID!) { reviewQueue(modelId: $m) { items { image { id } prediction { className } } } }', {
      m: modelId,
    });
    const head = queue.data!.reviewQueue.items[0]!;
    await page.getByTestId('review-prediction').getByText(head.prediction[0]!.className, { exact: true }).waitFor();
    for (const [i, c] of classes.entries())
      await page
        .getByRole('group', { name: 'Label as' })
        .getByRole('button', { name: `${i + 1} ${c.name}` })
        .waitFor();
    const labelInfo = page.locator('.api-info', { hasText: 'API: LabelImages' });
    await labelInfo.locator('summary').click();
    assert.match(await labelInfo.locator('pre').first().innerText(), /labelImages\(ids: \$ids, classId: \$classId\)/);
    assert.ok((await labelInfo.locator('pre').last().innerText()).includes(head.image.id));
    await screenshot(page, 'review-02-queue');

    // Key 2 labels the shown image with the second class.
    await page.keyboard.press('2');
    await counts.getByText('3 images').waitFor();
    await counts.getByText('1 new label').waitFor();
    const labelled = (await waiting()).find((w) => w.id === head.image.id)!;
    assert.equal(labelled.classId, classes[1]!.id);

    // S skips (nothing changes on the server), D discards (the image is deleted).
    await page.keyboard.press('s');
    await counts.getByText('1 skipped').waitFor();
    assert.equal((await waiting()).length, 4);
    await page.keyboard.press('d');
    await counts.getByText('2 images').waitFor();
    assert.equal((await waiting()).length, 3);
    // The last one by its button.
    await page
      .getByRole('group', { name: 'Label as' })
      .getByRole('button', { name: `1 ${classes[0]!.name}` })
      .click();
    await page.getByTestId('review-done').waitFor();
    await counts.getByText('2 new labels').waitFor();
    await screenshot(page, 'review-03-done');

    // The labelled images are in the dataset's counts.
    await tab('Dataset').click();
    await page
      .getByTestId('dataset-summary')
      .getByText(`${30 * 3 + 2} images`)
      .waitFor();
  });

  it('trains again with the new labels', async () => {
    await tab('Review').click();
    const train = page.getByTestId('train-again');
    await train.getByText('Train again with 2 new labels').waitFor();
    const info = page.locator('.api-info', { hasText: 'API: TrainModel' });
    await info.locator('summary').click();
    assert.match(await info.locator('pre').last().innerText(), /trainModel/);
    await train.click();
    await page.waitForURL(/\/training$/);
    const runs = await server.percept.db.query(
      `SELECT count(*)::int AS n FROM tasks WHERE "modelId" = $1 AND type = 'TRAIN_MODEL'`,
      [modelId],
    );
    assert.equal(runs[0].n, 2, 'a second training run was queued');
    await screenshot(page, 'review-04-training');
    assert.deepEqual(pageErrors, []);
  });
});
