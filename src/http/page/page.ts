// The status page as one self-contained HTML document (inline CSS and JS, no framework, no network but its own WebSocket).
// Kept as a TS string so that tsc stays the only build step; it must not use backquotes or dollar-brace.
export const PAGE_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tsbgp status</title>
<style>
:root { --bg:#0f1419; --fg:#d8dee4; --dim:#7d8590; --line:#2d333b; --ok:#3fb950; --bad:#f85149; --warn:#d29922; --info:#58a6ff; --mag:#bc8cff; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--fg); font:14px/1.4 system-ui, sans-serif; }
header { display:flex; gap:1em; align-items:baseline; padding:.6em 1em; border-bottom:1px solid var(--line); }
header h1 { font-size:16px; margin:0; }
#conn { margin-left:auto; color:var(--dim); }
#conn.up { color:var(--ok); } #conn.down { color:var(--bad); }
main { padding:0 1em 1em; }
h2 { font-size:14px; color:var(--dim); text-transform:uppercase; letter-spacing:.05em; margin:1.2em 0 .4em; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; padding:.25em .6em; border-bottom:1px solid var(--line); white-space:nowrap; }
th { color:var(--dim); font-weight:normal; }
td.num { text-align:right; font-variant-numeric:tabular-nums; }
.state { font-weight:600; }
.Established, .up { color:var(--ok); } .Idle, .down { color:var(--bad); }
.Connect, .Active, .OpenSent, .OpenConfirm, .unknown { color:var(--warn); }
.vip { border:1px solid var(--line); border-radius:6px; padding:.5em .8em; margin:.4em 0; }
.vip .head { display:flex; gap:1.2em; flex-wrap:wrap; }
.vip .name { font-weight:600; }
.cand { display:inline-block; margin:.3em .6em .3em 0; padding:.15em .5em; border:1px solid var(--line); border-radius:4px; }
.cand.current { border-color:var(--info); }
.move { color:var(--dim); margin-top:.3em; }
.phases { display:block; margin-top:.2em; }
#timeline { width:100%; height:auto; display:block; background:#0b0f14; border:1px solid var(--line); border-radius:6px; }
#timeline text { fill:var(--dim); font-size:11px; }
#timeline .lane { stroke:var(--line); }
#log { font:12px/1.35 ui-monospace, monospace; color:var(--dim); max-height:14em; overflow:auto; white-space:pre; }
#notice { color:var(--warn); }
.empty { color:var(--dim); }
</style>
</head>
<body>
<header><h1>tsbgp</h1><span id="ident"></span><span id="notice"></span><span id="conn" class="down">connecting…</span></header>
<main>
<h2>Sessions</h2>
<table id="sessions"><thead><tr><th>Neighbor</th><th>AS</th><th>Description</th><th>State</th><th>Since</th><th class="num">Msgs in</th><th class="num">Msgs out</th><th class="num">UPDATEs in/out</th><th class="num">Prefixes rcvd/adv</th><th>Last error</th></tr></thead><tbody></tbody></table>
<h2>VIPs</h2>
<div id="vips"><p class="empty">No health-checked VIPs configured.</p></div>
<h2>Failover timeline <span id="window" class="empty"></span></h2>
<svg id="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1000 200" preserveAspectRatio="none" role="img" aria-label="failover timeline"></svg>
<h2>Events</h2>
<div id="log"></div>
</main>
<script>
(function () {
  'use strict';
  var WINDOW_MS = 60000, MAX_MARKS = 600, MAX_LOG = 200;
  var neighbors = [], vips = [], marks = [], logLines = [], seenConfirm = {}, dropped = 0;
  var SVGNS = 'http://www.w3.org/2000/svg';
  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function sv(tag, attrs, text) {
    var e = document.createElementNS(SVGNS, tag);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function ago(iso) {
    var s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    if (s < 120) return s + 's';
    if (s < 7200) return Math.round(s / 60) + 'm';
    return Math.round(s / 3600) + 'h';
  }
  function sum(c) { var t = 0; for (var k in c) t += c[k]; return t; }

  function renderSessions() {
    var tb = $('sessions').tBodies[0];
    tb.textContent = '';
    neighbors.forEach(function (n) {
      var tr = el('tr', { 'data-neighbor': n.address, 'data-state': n.state });
      tr.appendChild(el('td', {}, n.address));
      tr.appendChild(el('td', { 'class': 'num' }, String(n.remoteAs)));
      tr.appendChild(el('td', {}, n.description || ''));
      tr.appendChild(el('td', { 'class': 'state ' + n.state }, n.state));
      tr.appendChild(el('td', {}, ago(n.since)));
      tr.appendChild(el('td', { 'class': 'num' }, String(sum(n.messages.received))));
      tr.appendChild(el('td', { 'class': 'num' }, String(sum(n.messages.sent))));
      tr.appendChild(el('td', { 'class': 'num' }, n.messages.received.update + ' / ' + n.messages.sent.update));
      tr.appendChild(el('td', { 'class': 'num' }, n.prefixes.received + ' / ' + n.prefixes.advertised));
      tr.appendChild(el('td', {}, n.lastError ? (n.lastError.text || '') : ''));
      tb.appendChild(tr);
    });
  }

  function moveText(m) {
    var parts = [m.cause + ': ' + (m.from || '-') + ' → ' + (m.to || 'withdrawn') + ' at ' + m.at.slice(11, 23)];
    if (m.failureSeenAt) parts.push('failure seen ' + (Date.parse(m.at) - Date.parse(m.failureSeenAt)) + ' ms before');
    m.wire.forEach(function (w) { parts.push(w.neighbor + (w.micros !== undefined ? ' +' + (w.micros / 1000).toFixed(2) + ' ms' : ' ' + (w.note || 'not sent'))); });
    if (m.confirmedMs !== undefined) parts.push('confirmed +' + m.confirmedMs + ' ms');
    return parts.join(' · ');
  }
  // The last move on its own scale (ms): failure seen, decision, each peer's UPDATE on the wire, confirmed.
  function phases(m) {
    var t0 = Date.parse(m.at), pts = [];
    if (m.failureSeenAt) pts.push({ ms: Date.parse(m.failureSeenAt) - t0, label: 'failure seen', color: 'var(--bad)', kind: 'failure' });
    pts.push({ ms: 0, label: 'decision', color: 'var(--warn)', kind: 'decision' });
    m.wire.forEach(function (w) { if (w.micros !== undefined) pts.push({ ms: w.micros / 1000, label: 'UPDATE ' + w.neighbor, color: 'var(--info)', kind: 'wire' }); });
    if (m.confirmedMs !== undefined) pts.push({ ms: m.confirmedMs, label: 'confirmed', color: 'var(--ok)', kind: 'confirmed' });
    var lo = Math.min.apply(null, pts.map(function (p) { return p.ms; }));
    var hi = Math.max.apply(null, pts.map(function (p) { return p.ms; }));
    var span = Math.max(hi - lo, 1), W = 1000, left = 20, right = 20, H = 22 + pts.length * 14;
    var svg = sv('svg', { 'class': 'phases', viewBox: '0 0 ' + W + ' ' + H, preserveAspectRatio: 'none', width: '100%', height: H });
    var x = function (ms) { return left + (W - left - right) * (ms - lo) / span; };
    svg.appendChild(sv('line', { x1: left, x2: W - right, y1: 10, y2: 10, stroke: 'var(--line)', 'stroke-width': 2 }));
    pts.forEach(function (p, i) {
      var px = x(p.ms), y = 22 + i * 14;
      svg.appendChild(sv('circle', { cx: px, cy: 10, r: 5, fill: p.color, 'data-phase': p.kind }));
      svg.appendChild(sv('line', { x1: px, x2: px, y1: 15, y2: y - 4, stroke: p.color, 'stroke-dasharray': '2 2' }));
      var anchor = px > W * 0.7 ? 'end' : 'start';
      svg.appendChild(sv('text', { x: px + (anchor === 'end' ? -4 : 4), y: y, 'text-anchor': anchor, fill: p.color, 'font-size': 11 }, p.label + ' ' + (p.ms >= 0 ? '+' : '') + p.ms.toFixed(p.ms % 1 === 0 ? 0 : 2) + ' ms'));
    });
    return svg;
  }
  function renderVips() {
    var box = $('vips');
    if (vips.length === 0) return;
    box.textContent = '';
    vips.forEach(function (v) {
      var d = el('div', { 'class': 'vip', 'data-vip': v.name });
      var h = el('div', { 'class': 'head' });
      h.appendChild(el('span', { 'class': 'name' }, v.name));
      h.appendChild(el('span', {}, v.prefix));
      h.appendChild(el('span', {}, v.current ? 'via ' + v.current.candidate + ' (' + v.current.nextHop + ')' : 'not announced'));
      h.appendChild(el('span', { 'class': 'empty' }, v.mode + ', failback ' + v.failback + ', rise ' + v.rise + ' fall ' + v.fall));
      d.appendChild(h);
      v.candidates.forEach(function (c) {
        var cur = v.current && v.current.candidate === c.name;
        var s = el('span', { 'class': 'cand' + (cur ? ' current' : ''), 'data-candidate': c.name, 'data-health': c.health });
        s.appendChild(el('span', { 'class': c.health }, '● '));
        var t = c.name + ' ' + c.nextHop + ' ' + c.health;
        if (c.lastCheck) t += ' — ' + c.lastCheck.detail + ' ' + c.lastCheck.latencyMs.toFixed(1) + ' ms';
        if (c.watch) t += ' · watch ' + c.watch;
        s.appendChild(document.createTextNode(t));
        d.appendChild(s);
      });
      if (v.lastMove) {
        d.appendChild(el('div', { 'class': 'move' }, 'last move: ' + moveText(v.lastMove)));
        d.appendChild(phases(v.lastMove));
      }
      box.appendChild(d);
      // A move's confirmation comes with the read model, not as an event: mark it once.
      var m = v.lastMove;
      if (m && m.confirmedMs !== undefined && !seenConfirm[v.name + m.at]) {
        seenConfirm[v.name + m.at] = true;
        mark({ t: Date.parse(m.at) + m.confirmedMs, lane: 'confirm', kind: 'confirm', color: 'var(--ok)', label: v.name + ' answers from ' + m.to + ' (+' + m.confirmedMs + ' ms)', prefix: v.prefix });
      }
    });
  }

  function lanes() {
    var l = [{ id: 'checks', name: 'checks' }, { id: 'decisions', name: 'decisions' }];
    neighbors.forEach(function (n) { l.push({ id: 'peer:' + n.address, name: n.address }); });
    l.push({ id: 'confirm', name: 'confirmed' });
    return l;
  }
  function mark(m) {
    marks.push(m);
    if (marks.length > MAX_MARKS) marks.splice(0, marks.length - MAX_MARKS);
    drawTimeline();
  }
  function drawTimeline() {
    var svg = $('timeline'), L = lanes(), W = 1000, left = 120, laneH = 26, top = 8;
    var H = top + L.length * laneH + 18;
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    svg.style.height = H + 'px';
    svg.textContent = '';
    // The window starts a little before the oldest mark of the last minute (at least 10 s): recent events spread out.
    var now = Date.now(), oldest = now;
    marks.forEach(function (m) { if (m.t >= now - WINDOW_MS && m.t < oldest) oldest = m.t; });
    var span = Math.min(WINDOW_MS, Math.max(10000, Math.ceil((now - oldest) / 5000) * 5000 + 2000)), from = now - span;
    var x = function (t) { return left + (W - left - 10) * (t - from) / span; };
    var idx = {};
    L.forEach(function (lane, i) {
      idx[lane.id] = i;
      var y = top + i * laneH + laneH / 2;
      svg.appendChild(sv('line', { 'class': 'lane', x1: left, x2: W - 10, y1: y, y2: y }));
      svg.appendChild(sv('text', { x: 6, y: y + 4 }, lane.name));
    });
    var step = span > 30000 ? 10000 : span > 12000 ? 5000 : 2000;
    for (var s = 0; s <= span; s += step) {
      svg.appendChild(sv('text', { x: x(now - s) - 12, y: H - 4 }, s === 0 ? 'now' : '-' + s / 1000 + 's'));
    }
    marks.forEach(function (m) {
      if (m.t < from || idx[m.lane] === undefined) return;
      var y = top + idx[m.lane] * laneH + laneH / 2;
      var attrs = { cx: x(m.t).toFixed(1), cy: y, r: m.hollow ? 4 : 5, fill: m.hollow ? 'none' : m.color, stroke: m.color, 'stroke-width': 2, 'class': 'mark', 'data-kind': m.kind, 'data-lane': m.lane };
      if (m.prefix) attrs['data-prefix'] = m.prefix;
      var c = sv('circle', attrs);
      c.appendChild(sv('title', {}, m.label));
      svg.appendChild(c);
    });
    $('window').textContent = '(last ' + Math.round(span / 1000) + ' s)';
  }

  function onEvent(e) {
    var t = Date.parse(e.at);
    switch (e.type) {
      case 'state':
        neighbors.forEach(function (n) { if (n.address === e.neighbor) { n.state = e.to; n.since = e.at; } });
        renderSessions();
        mark({ t: t, lane: 'peer:' + e.neighbor, kind: 'state', color: e.to === 'Established' ? 'var(--ok)' : 'var(--warn)', label: e.neighbor + ' ' + e.from + ' → ' + e.to + ' (' + e.reason + ')', hollow: true });
        break;
      case 'notification':
        mark({ t: t, lane: 'peer:' + e.neighbor, kind: 'notification', color: 'var(--bad)', label: 'NOTIFICATION ' + e.direction + ' ' + e.code + '/' + e.subcode + ' ' + e.text });
        break;
      case 'route':
        mark({ t: t, lane: 'peer:' + e.neighbor, kind: e.direction === 'advertised' ? 'update' : 'received', color: e.action === 'announce' ? 'var(--info)' : 'var(--mag)', hollow: e.direction === 'received', label: 'UPDATE ' + e.direction + ' ' + e.action + ' ' + e.prefix + (e.nextHop ? ' via ' + e.nextHop : ''), prefix: e.prefix });
        break;
      case 'local':
        mark({ t: t, lane: 'decisions', kind: 'local', color: 'var(--info)', label: 'operator ' + e.action + ' ' + e.prefix + (e.nextHop ? ' via ' + e.nextHop : ''), prefix: e.prefix });
        break;
      case 'health':
        mark({ t: t, lane: 'checks', kind: 'health', color: e.health === 'up' ? 'var(--ok)' : e.health === 'down' ? 'var(--bad)' : 'var(--warn)', label: e.vip + '/' + e.candidate + ' ' + e.health + ': ' + e.detail });
        break;
      case 'vip':
        mark({ t: t, lane: 'decisions', kind: 'vip', color: 'var(--warn)', label: e.vip + ' ' + (e.from || '-') + ' → ' + (e.to || 'withdrawn') + ' (' + e.cause + '): ' + e.detail });
        break;
    }
    logLines.push(e.at.slice(11, 23) + ' ' + describe(e));
    if (logLines.length > MAX_LOG) logLines.splice(0, logLines.length - MAX_LOG);
    var log = $('log');
    log.textContent = logLines.slice().reverse().join('\n');
  }
  function describe(e) {
    switch (e.type) {
      case 'state': return e.neighbor + ' ' + e.from + ' -> ' + e.to + ' ' + e.reason;
      case 'notification': return e.neighbor + ' NOTIFICATION ' + e.direction + ' ' + e.code + '/' + e.subcode + ' ' + e.text;
      case 'route': return e.neighbor + ' ' + e.direction + ' ' + e.action + ' ' + e.prefix + (e.nextHop ? ' via ' + e.nextHop : '');
      case 'local': return 'local ' + e.action + ' ' + e.prefix + (e.nextHop ? ' via ' + e.nextHop : '');
      case 'health': return e.vip + '/' + e.candidate + ' ' + e.health + ' ' + e.detail;
      case 'vip': return e.vip + ' ' + (e.from || '-') + ' -> ' + (e.to || 'withdrawn') + ' ' + e.cause + ' ' + e.detail;
    }
    return JSON.stringify(e);
  }

  function onMessage(m) {
    switch (m.type) {
      case 'snapshot': neighbors = m.neighbors; vips = m.vips; renderSessions(); renderVips(); drawTimeline(); break;
      case 'neighbors': neighbors = m.neighbors; renderSessions(); break;
      case 'vips': vips = m.vips; renderVips(); break;
      case 'event': onEvent(m.event); break;
      case 'dropped':
        dropped += m.count;
        $('notice').textContent = dropped + ' events dropped (this page did not keep up)';
        break;
    }
  }

  var retryMs = 500;
  function connect() {
    var ws = new WebSocket((location.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + location.host + '/events');
    ws.onopen = function () { retryMs = 500; $('conn').textContent = 'live'; $('conn').className = 'up'; };
    ws.onmessage = function (ev) { onMessage(JSON.parse(ev.data)); };
    ws.onclose = function () {
      $('conn').textContent = 'disconnected, retrying…'; $('conn').className = 'down';
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 10000);
    };
  }
  setInterval(drawTimeline, 1000);
  connect();
})();
</script>
</body>
</html>
`;
