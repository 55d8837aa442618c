// npm run screenshot: docs/web.png, the status page after a failover (ws1 crashes, the VIP moves to ws2), in headless Debian chromium.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, startWebLab } from '../test/helpers/web-lab.js';
import { until } from '../test/helpers/speakers.js';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'web.png');

const lab = await startWebLab();
const { browser, kill } = await launchChromium();
try {
  const page = await browser.newPage();
  await page.goto(lab.url, { waitUntil: 'load', timeout: 10000 });
  await page.waitForSelector('tr[data-state="Established"] + tr[data-state="Established"]', { timeout: 5000 });
  // A few seconds of quiet checks first, so that the timeline has a before and an after.
  await new Promise((r) => setTimeout(r, 3000));
  await lab.crashWs1();
  await until('the failover to ws2', () => lab.speaker.vips('web')[0]!.current?.candidate === 'ws2', 5000);
  await page.waitForSelector('#timeline circle[data-kind="vip"]', { timeout: 2000 });
  // The read model (the last move's phases) refreshes once a second.
  await page.waitForSelector('.vip[data-vip="web"] svg.phases circle[data-phase="wire"]', { timeout: 3000 });
  await new Promise((r) => setTimeout(r, 1500));
  mkdirSync(dirname(OUT), { recursive: true });
  await page.screenshot({ path: OUT, fullPage: true });
  console.log(`wrote ${OUT}`);
} finally {
  await kill();
  await lab.close();
}
