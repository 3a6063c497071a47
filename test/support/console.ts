/**
 * What the console browser tests share: the web build (made once per checkout, under a lock so
 * concurrent test files do not build over each other), Debian's Chromium, a page recorder (every
 * request and console error, so a test can assert that all requests went to holdfast and nothing
 * failed) and the admin console login.
 */
import fs from 'node:fs';
import path from 'node:path';
import { after, before } from 'node:test';
import { chromium, type Browser, type LaunchOptions, type Page } from 'playwright-core';
import { ROOT, startHoldfast, tempDir, type RunningHoldfast } from './process.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const STEP_TIMEOUT = 20_000;
export const SCREENSHOTS = path.join(ROOT, 'artifacts/screenshots');

const LAUNCH: LaunchOptions = {
  executablePath: CHROMIUM,
  headless: true,
  timeout: 60_000,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

/** Why browser tests cannot run here, or undefined; under CI=true a missing Chromium is a failure. */
export function chromiumMissing(testName: string): string | undefined {
  const missing = fs.existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (apt-get install chromium)`;
  if (missing && process.env.CI === 'true') throw new Error(`${testName}: ${missing}`);
  return missing;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch(LAUNCH);
}

export interface ConsoleFixture {
  server: RunningHoldfast;
  browser: Browser;
}

/**
 * Registers, for the enclosing describe block, one holdfast on a fresh data directory and one
 * Chromium (after the web build), handed to `started` before the tests, which may seed more; both
 * are stopped after the block.
 */
export function useConsoleFixture(started: (fixture: ConsoleFixture) => void | Promise<void>): void {
  let fixture: Partial<ConsoleFixture> = {};
  before(async () => {
    await ensureWebBuilt();
    fixture = { server: await startHoldfast({ dataDir: tempDir() }) };
    fixture.browser = await launchChromium();
    await started(fixture as ConsoleFixture);
  });
  after(async () => {
    await fixture.browser?.close();
    await fixture.server?.stop();
  });
}

const WEB_DIR = path.join(ROOT, 'dist/web');
const LOCK = path.join(ROOT, 'dist/.web-build-lock');
const APPS = ['admin', 'account'];
/** Every app has its manifest (a checkout built before an app existed lacks that app's). */
const built = () => APPS.every((app) => fs.existsSync(path.join(WEB_DIR, app, 'manifest.json')));

/** Builds the web apps unless `npm test` (or `npm run build`) already did. */
export async function ensureWebBuilt(): Promise<void> {
  if (built()) return;
  fs.mkdirSync(path.dirname(LOCK), { recursive: true });
  for (let attempt = 0; attempt < 600; attempt++) {
    try {
      fs.mkdirSync(LOCK);
    } catch {
      // Another test file is building: wait for it (bounded).
      await new Promise((resolve) => setTimeout(resolve, 200));
      if (built()) return;
      continue;
    }
    try {
      const { buildWeb } = await import('../../scripts/build-web.ts');
      await buildWeb(WEB_DIR);
    } finally {
      fs.rmdirSync(LOCK);
    }
    return;
  }
  throw new Error('the web build lock was held for too long');
}

export interface PageRecord {
  requests: string[];
  errors: string[];
  /** Requests to anything but `origin` (data: URLs are not requests to anywhere). */
  foreign(origin: string): string[];
}

export function recordPage(page: Page): PageRecord {
  const record: PageRecord = {
    requests: [],
    errors: [],
    foreign: (origin) => record.requests.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:')),
  };
  page.on('request', (request) => record.requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') record.errors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => record.errors.push(String(error)));
  return record;
}

/** Opens `/admin/{realm}/console/`, signs in on holdfast's login page and waits for the console. */
export async function consoleLogin(page: Page, baseUrl: string, realm: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/admin/${encodeURIComponent(realm)}/console/`);
  await page.waitForSelector('#kc-form-login', { timeout: STEP_TIMEOUT });
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#kc-login');
  await page.waitForSelector('[data-testid=whoami], [data-testid=refused]', { timeout: STEP_TIMEOUT });
}

/** A password-grant token of master's admin-cli, for setting a test up through the admin API. */
export async function adminToken(baseUrl: string, username = 'admin', password = 'admin'): Promise<string> {
  const response = await fetch(`${baseUrl}/realms/master/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', username, password }),
  });
  if (!response.ok) throw new Error(`admin token: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
