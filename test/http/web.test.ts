// The status page in a real headless chromium: the real Speaker with two raw BGP peers and a VIP, the page over its WebSocket.
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LAB_PEERS, LAB_VIP, launchChromium, startWebLab } from '../helpers/web-lab.js';

const Page = suite('the status page in headless chromium');

Page('GET / is one self-contained page under 100 KB; other paths are 404', async () => {
  const lab = await startWebLab();
  try {
    const res = await fetch(lab.url, { signal: AbortSignal.timeout(3000) });
    assert.is(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    const html = await res.text();
    assert.ok(Buffer.byteLength(html) < 100 * 1024, `${Buffer.byteLength(html)} bytes`);
    // Works offline: nothing is loaded from anywhere (no src= or href= to another document).
    assert.not.match(html, /<(script|link|img)[^>]+(src|href)=/i);
    const missing = await fetch(new URL('/nope', lab.url), { signal: AbortSignal.timeout(3000) });
    assert.is(missing.status, 404);
  } finally {
    await lab.close();
  }
});

Page('both sessions Established and both candidates up; a VIP move appears on the timeline within 1 s; a screenshot', async () => {
  const lab = await startWebLab();
  const { browser, kill } = await launchChromium();
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(5000);
    await page.goto(lab.url, { waitUntil: 'load', timeout: 10000 });
    // Strings, not functions: they run in the page, and tsc here has no DOM types.
    const established = LAB_PEERS.map((a) => `document.querySelector('tr[data-neighbor="${a}"]')?.getAttribute('data-state') === 'Established'`).join(' && ');
    await page.waitForFunction(established, { timeout: 5000 });
    const states = await page.$$eval('#sessions tbody tr', (rows) => rows.map((r) => [r.getAttribute('data-neighbor'), r.querySelector('.state')?.textContent]));
    assert.equal(states, LAB_PEERS.map((a) => [a, 'Established']));
    await page.waitForFunction(`document.querySelectorAll('.vip[data-vip="web"] .cand[data-health="up"]').length === 2`, { timeout: 5000 });
    assert.is(await page.$$eval('#timeline circle[data-kind="vip"]', (c) => c.length), 0, 'no move drawn before the move');

    // The move bgpctl vip move makes (the control socket's handler calls exactly this).
    const t0 = Date.now();
    const move = await lab.speaker.vipMove('web', 'ws2');
    assert.equal([move.from, move.to, move.cause], ['ws1', 'ws2', 'operator']);
    await page.waitForSelector('#timeline circle[data-kind="vip"]', { timeout: 1000 });
    for (const a of LAB_PEERS) await page.waitForSelector(`#timeline circle[data-kind="update"][data-lane="peer:${a}"][data-prefix="${LAB_VIP}"]`, { timeout: Math.max(1, 1000 - (Date.now() - t0)) });
    const ms = Date.now() - t0;
    assert.ok(ms < 1000, `the move took ${ms} ms to reach the timeline`);
    const label = await page.$eval('#timeline circle[data-kind="vip"] title', (t) => t.textContent);
    assert.match(label ?? '', /web ws1 → ws2 \(operator\)/);
    await page.waitForFunction(`/via ws2/.test(document.querySelector('.vip[data-vip="web"] .head')?.textContent ?? '')`, { timeout: 3000 });

    const dir = mkdtempSync(path.join(tmpdir(), 'tsbgp-web-'));
    const shot = path.join(dir, 'web.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(statSync(shot).size > 10_000, 'the screenshot is an image');
    console.log(`  screenshot: ${shot} (timeline in ${ms} ms)`);
  } finally {
    await kill();
    await lab.close();
  }
});

Page.run();
