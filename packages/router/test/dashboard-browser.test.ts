import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Hydra, WorkQueue } from '@hydra-nest/core';
import { useTopology } from '../../../test/harness/topology.js';
import { sleep } from '../../../test/harness/wait.js';
import { createDashboard, type Dashboard } from '../src/index.js';
import { Instances, startReader, serveDashboard } from './dashboard-support.js';

/** Debian's `chromium` package; never a browser download (`.ci/run` installs it when missing). */
const CHROMIUM = '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CORE_DIST = join(ROOT, 'packages/core/dist/index.js');
/** The test artifact; `UPDATE_DOCS_SCREENSHOT=1` also writes the README's docs/dashboard.png. */
const SCREENSHOT = join(ROOT, 'test-results/dashboard.png');

const topology = useTopology();
const instances = new Instances(topology);
let reader: Hydra;
let dashboard: Dashboard;
let server: Awaited<ReturnType<typeof serveDashboard>>;
let userDataDir: string;
let browser: BrowserContext;
let page: Page;
const children: ChildProcess[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium), as .ci/run does`,
    );
  }
  reader = await startReader(topology);
  dashboard = createDashboard(reader, { intervalMs: 500, title: 'hydra-nest' });
  server = await serveDashboard(dashboard);
  userDataDir = await mkdtemp(join(tmpdir(), 'hydra-dashboard-chromium-'));
  browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1440, height: 960 },
  });
  page = browser.pages()[0] ?? (await browser.newPage());
}, 60_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await browser?.close();
  if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
  await dashboard?.close();
  await server?.close();
  await instances.stopAll();
  await reader?.stop();
});

/** Waits until some element matching `selector` shows `text` (or exists, without `text`). */
async function shows(selector: string, text = '', timeout = 10_000): Promise<void> {
  try {
    await page.waitForFunction(
      ([sel, wanted]) => [...document.querySelectorAll(sel)].some((el) => el.textContent?.includes(wanted)),
      [selector, text] as const,
      { timeout, polling: 100 },
    );
  } catch {
    const seen = await page.locator(selector).allTextContents();
    throw new Error(
      `the page did not show ${JSON.stringify(text)} in ${selector}; it showed ${JSON.stringify(seen)}`,
    );
  }
}

async function count(selector: string): Promise<number> {
  return page.locator(selector).count();
}

/** A service instance in a process of its own, so that it can crash for real (SIGKILL). */
async function startProcess(serviceName: string, port: number, version: string): Promise<ChildProcess> {
  if (!existsSync(CORE_DIST)) throw new Error(`${CORE_DIST} is missing: run npm run build first`);
  const script = `
    import { Hydra, silentLogger } from ${JSON.stringify(pathToFileURL(CORE_DIST).href)};
    const hydra = new Hydra({ serviceName: ${JSON.stringify(serviceName)}, serviceIP: '127.0.0.1',
      servicePort: ${port}, serviceVersion: ${JSON.stringify(version)}, logger: silentLogger,
      redis: { url: process.env.DASHBOARD_TEST_REDIS } });
    await hydra.start();
    await hydra.flightRecorder.append('error', 'payment gateway timed out after 5000 ms (order 1041)');
    console.log('ready');
    setInterval(() => undefined, 1000);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, DASHBOARD_TEST_REDIS: topology.redis.url },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    child.once('exit', (code) =>
      reject(new Error(`${serviceName} process exited with ${code} before it was ready`)),
    );
  });
  return child;
}

it('shows services starting, stopping and crashing, a queue filling and draining, and the flight recorder', async () => {
  await page.goto(`${server.url}/dashboard`);
  await shows('[data-connection="live"]', 'live');
  await shows('#services .empty', 'No services registered yet');

  // Services start: they appear with address, version, uptime, health, last seen and routes.
  const shopRoutes = [
    '[get]/v1/shop/items',
    '[get]/v1/shop/items/:id',
    '[post]/v1/shop/orders',
    '[delete]/v1/shop/orders/:id',
  ];
  const shop = await instances.start({
    serviceName: 'shop-svc',
    servicePort: 8101,
    serviceVersion: '2.3.0',
    routes: shopRoutes,
  });
  const shop2 = await instances.start({
    serviceName: 'shop-svc',
    servicePort: 8102,
    serviceVersion: '2.3.0',
    routes: shopRoutes,
  });
  const mail = await instances.start({
    serviceName: 'mail-svc',
    servicePort: 8201,
    serviceVersion: '1.1.4',
    routes: ['[post]/v1/mail/send'],
  });
  const images = await instances.start({
    serviceName: 'images-svc',
    servicePort: 8401,
    serviceVersion: '0.9.0',
    routes: ['[post]/v1/images/resize', '[get]/v1/images/:id'],
  });
  await shows('[data-service="shop-svc"] [data-field="up"]', '2/2 up');
  const shopRow = `[data-service="shop-svc"] [data-instance="${shop.instanceId}"]`;
  await shows(`${shopRow} [data-field="address"]`, '127.0.0.1:8101');
  await shows(`${shopRow} [data-field="version"]`, '2.3.0');
  await shows(`${shopRow} [data-field="health"]`, 'up');
  await shows(`${shopRow} [data-field="last-seen"]`, 'just now');
  expect(await page.locator(`${shopRow} [data-field="uptime"]`).textContent()).toMatch(
    /^\d+(s|m \d+s|h \d+m|d \d+h)$/,
  );
  await shows('[data-service="shop-svc"] [data-route="[post]/v1/shop/orders"]', '/v1/shop/orders');
  await shows('[data-service="mail-svc"] [data-route="[post]/v1/mail/send"]', 'post');
  await shows('[data-summary="services"]', '3');

  // An instance that crashes is marked as not answering, in its row, its card and the summary.
  const billing = await startProcess('billing-svc', 8301, '1.0.7');
  await shows('[data-service="billing-svc"] [data-field="up"]', '1/1 up');
  billing.kill('SIGKILL');
  await shows(
    '[data-service="billing-svc"] [data-status="not-answering"] [data-field="status"]',
    'not answering',
    15_000,
  );
  await shows('[data-summary="silent"]', '1');
  expect(await count('[data-summary="silent"].bad')).toBe(1);
  expect(await count('[data-service="billing-svc"].down')).toBe(1);

  // An instance that stops cleanly stays shown, marked stopped.
  await shop2.stop();
  await shows(
    `[data-service="shop-svc"] [data-instance="${shop2.instanceId}"][data-status="stopped"]`,
    'stopped',
  );
  await shows('[data-service="shop-svc"] [data-field="up"]', '1/2 up');

  // The flight recorder's latest entries of every service.
  await shop.flightRecorder.append('info', 'order 1042 placed: 3 items, 58.40 EUR');
  await mail.flightRecorder.append('info', 'welcome mail sent to ada@example.com');
  await images.flightRecorder.append('debug', { resized: 'cat.png', width: 640, ms: 42 });
  await shows('#log [data-log-service="billing-svc"][data-type="error"]', 'payment gateway timed out');
  await shows('#log [data-log-service="shop-svc"]', 'order 1042 placed');
  await shows('#log [data-log-service="images-svc"]', '"resized":"cat.png"');

  // A queue fills: depths and an upward flow.
  const producer = new WorkQueue(shop);
  for (let i = 0; i < 60; i++) {
    await producer.queueMessage({
      to: 'images-svc:/resize',
      frm: 'shop-svc:/',
      bdy: { image: `item-${i}.png` },
    });
  }
  await producer.queueMessage(
    { to: 'images-svc:/resize', frm: 'shop-svc:/', bdy: { image: 'later.png' } },
    { delayMs: 600_000 },
  );
  for (let i = 0; i < 4; i++) {
    await producer.queueMessage({ to: 'mail-svc:/send', frm: 'shop-svc:/', bdy: { order: 1042 + i } });
  }
  await shows('[data-queue="images-svc"] [data-field="queued"]', '60');
  await shows('[data-queue="images-svc"] [data-field="delayed"]', '1');
  await shows('[data-queue="images-svc"] [data-field="flow"]', '▲');
  await shows('[data-summary="queued"]', '64');

  // It drains: a worker takes 35, five of which fail into the dead letters.
  const worker = new WorkQueue(images);
  for (let i = 0; i < 35; i++) {
    const message = await worker.getQueuedMessage('images-svc');
    await worker.markQueueMessage(
      message!,
      i % 7 !== 3,
      i % 7 === 3 ? 'image could not be decoded' : undefined,
    );
  }
  await shows('[data-queue="images-svc"] [data-field="queued"]', '25');
  await shows('[data-queue="images-svc"] [data-field="incomplete"]', '5');
  await shows('[data-queue="images-svc"] [data-field="flow"]', '▼');
  await shows('[data-summary="dead"]', '5');

  // Message rates, while requests flow to the shop; then the screenshot.
  let sending = true;
  const traffic = (async () => {
    for (let i = 0; sending; i++) {
      if (i % 6 === 0)
        await producer.queueMessage({ to: 'mail-svc:/send', frm: 'shop-svc:/', bdy: { order: i } });
      await mail.messaging.sendMessage({
        to: 'shop-svc:/v1/shop/items',
        frm: 'mail-svc:/',
        bdy: { q: 'lamp' },
      });
      await sleep(15);
    }
  })();
  try {
    await page.waitForFunction(
      () => Number(document.querySelector('[data-summary="messages"] .value')?.textContent) > 0,
      null,
      {
        timeout: 10_000,
      },
    );
    await shows('[data-service="shop-svc"] [data-field="messages"]', 'msg');
    await sleep(1200); // let the rates settle over their window before the picture
    await mkdir(join(ROOT, 'test-results'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    if (process.env.UPDATE_DOCS_SCREENSHOT === '1') {
      await page.screenshot({ path: join(ROOT, 'docs/dashboard.png'), fullPage: true });
    }
  } finally {
    sending = false;
    await traffic;
  }
  expect(existsSync(SCREENSHOT)).toBe(true);

  // The rest drains to zero; a service whose last instance stops shows none up.
  for (
    let message = await worker.getQueuedMessage('images-svc');
    message;
    message = await worker.getQueuedMessage('images-svc')
  ) {
    await worker.markQueueMessage(message, true);
  }
  await shows('[data-queue="images-svc"] [data-field="queued"]', '0');
  await mail.stop();
  await shows('[data-service="mail-svc"] [data-field="up"]', '0/1 up');
  expect(
    await count(`[data-service="mail-svc"] [data-instance="${mail.instanceId}"][data-status="stopped"]`),
  ).toBe(1);
}, 120_000);

it('says so when Redis cannot be read, keeps the last state, and clears it once Redis is back', async () => {
  await shows('[data-connection="live"]', 'live');
  const shownBefore = await count('[data-service]');
  expect(shownBefore).toBeGreaterThan(0);
  const restarted = topology.server.restart({ downMs: 3000 });
  await shows('#banner', 'Redis could not be read', 10_000);
  expect(await count('[data-service]')).toBe(shownBefore); // the last state read stays on the page
  await restarted;
  try {
    await page.waitForFunction(() => document.getElementById('banner')?.hidden === true, null, {
      timeout: 15_000,
    });
  } catch {
    throw new Error(`the banner stayed: ${await page.locator('#banner').textContent()}`);
  }
  await shows('[data-connection="live"]', 'live');
}, 60_000);
