// The status page in a real headless chromium: the real Speaker with two raw BGP peers and a VIP, the page over its WebSocket.
import { mkdtempSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { until } from '../helpers/speakers.js';
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

/** A WebSocket client on a raw socket, so that it can stop reading; `messages` parses the server's (unmasked, unfragmented) text frames. */
function rawWebSocket(url: string): Promise<{ socket: net.Socket; messages(): { type: string; count?: number }[] }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: u.hostname, port: Number(u.port) });
    let buf = Buffer.alloc(0);
    let upgraded = false;
    socket.setTimeout(10000, () => socket.destroy(new Error('raw WebSocket: no answer')));
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (upgraded) return;
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      if (!/^HTTP\/1\.1 101 /.test(buf.subarray(0, end).toString('latin1'))) return reject(new Error(buf.subarray(0, end).toString('latin1')));
      upgraded = true;
      buf = buf.subarray(end + 4);
      socket.setTimeout(0);
      resolve({
        socket,
        messages: () => {
          const out: { type: string; count?: number }[] = [];
          for (let o = 0; o + 2 <= buf.length; ) {
            let len = buf[o + 1]! & 0x7f;
            let head = 2;
            // A frame whose extended length has not all arrived yet: wait for it, as for its payload.
            if (o + (len === 126 ? 4 : len === 127 ? 10 : 2) > buf.length) break;
            if (len === 126) [len, head] = [buf.readUInt16BE(o + 2), 4];
            else if (len === 127) [len, head] = [Number(buf.readBigUInt64BE(o + 2)), 10];
            if (o + head + len > buf.length) break;
            if ((buf[o]! & 0x0f) === 1) out.push(JSON.parse(buf.subarray(o + head, o + head + len).toString('utf8')) as { type: string; count?: number });
            o += head + len;
          }
          return out;
        },
      });
    });
    socket.write(`GET /events HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  });
}

Page('a browser that stops reading has events dropped, not queued without bound, and is told how many; the speaker is not held', async () => {
  const lab = await startWebLab({ maxBufferedBytes: 16 * 1024 });
  const client = await rawWebSocket(lab.url);
  try {
    await until('the snapshot', () => client.messages().some((m) => m.type === 'snapshot'), 3000);
    client.socket.pause();
    // Each announce is three events (the operator's decision, one UPDATE per peer): megabytes for a reader that reads nothing.
    const t0 = Date.now();
    let n = 0;
    while (lab.web.dropped() === 0 && n < 20000 && Date.now() - t0 < 20000) {
      const batch = [];
      for (let i = 0; i < 250; i++, n++) batch.push(lab.speaker.announce({ prefix: `198.18.${n >> 8}.${n & 0xff}/32`, nextHop: '10.10.0.9' }));
      await Promise.all(batch);
    }
    assert.ok(lab.web.dropped() > 0, `nothing dropped after ${n} announces`);
    console.log(`  dropped ${lab.web.dropped()} events after ${n} announces in ${Date.now() - t0} ms`);
    const dropped = lab.web.dropped();
    client.socket.resume();
    // The next event that fits is preceded by the notice.
    await until('the dropped notice', () => {
      if (!client.messages().some((m) => m.type === 'dropped')) void lab.speaker.announce({ prefix: '198.19.0.1/32', nextHop: `10.10.0.${10 + (Date.now() % 200)}` });
      return client.messages().some((m) => m.type === 'dropped');
    }, 5000);
    const told = client.messages().filter((m) => m.type === 'dropped').reduce((s, m) => s + m.count!, 0);
    // Drops after the notice (while it catches up) are told later, if ever: at least those before it.
    assert.ok(told >= dropped && told <= lab.web.dropped(), `told ${told}, dropped ${lab.web.dropped()} (${dropped} before resuming)`);
  } finally {
    client.socket.destroy();
    await lab.close();
  }
});

Page.run();
