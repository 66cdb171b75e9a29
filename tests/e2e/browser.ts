import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';

/** Helpers for the browser tests: the built client, Debian's Chromium, screenshots and test images. */
export const ROOT = resolve(__dirname, '..', '..', '..');
export const SCREENSHOTS = join(ROOT, 'tests', 'e2e', 'screenshots');
const CHROMIUM = process.env.PERCEPT_CHROMIUM ?? '/usr/bin/chromium';

/** The server serves client/dist only if it exists when it starts: build it first when missing. */
export function ensureClientBuilt(): void {
  if (['index.html', 'graphiql.html'].every((page) => existsSync(join(ROOT, 'client', 'dist', page)))) return;
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-client.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('node scripts/build-client.mjs failed');
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium`);
  }
  // Playwright gives every launch a fresh temporary profile (user-data dir) and removes it on close.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** A colour PNG with a gradient, so the preview shows something. */
export function colourPng(width: number, height: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      pixels[i] = Math.round((255 * x) / width);
      pixels[i + 1] = Math.round((255 * y) / height);
      pixels[i + 2] = 160;
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** Random pixels do not compress: a PNG about as large as its raw pixels. */
export function noisePng(width: number, height: number): Promise<Buffer> {
  return sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

export function greyPng(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 90, g: 90, b: 90 } } })
    .toColourspace('b-w')
    .png()
    .toBuffer();
}

/** What the page keeps in localStorage: evaluated as a string, so this file needs no DOM types. */
export async function sessionToken(page: Page): Promise<string | null> {
  return page.evaluate<string | null>(`JSON.parse(localStorage.getItem('percept.session') ?? 'null')?.token ?? null`);
}

export const HAS_CURL = spawnSync('curl', ['--version']).status === 0;

/**
 * Runs a curl line from an API panel as a person would paste it, with the files it names beside it.
 * Asynchronous on purpose: the server answering it runs in this same process.
 */
export async function runCurl(
  line: string,
  token: string,
  files: Record<string, Buffer> = {},
): Promise<Record<string, any>> {
  const dir = mkdtempSync(join(tmpdir(), 'percept-curl-'));
  try {
    for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
    const child = spawn('bash', ['-c', `${line} --max-time 20`], {
      cwd: dir,
      env: { ...process.env, PERCEPT_TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (code !== 0) throw new Error(`curl failed (${code}): ${err}`);
    return JSON.parse(out) as Record<string, any>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
