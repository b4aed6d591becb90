// Browser benchmarks of podpath: fps with thousands of requests in flight,
// click-to-paint latency for scale, page weight, first paint of the
// topology, and JS heap growth over minutes of animation. Not part of the
// pass/fail suite (playwright.config.ts only runs ./tests): run it alone,
// usually through scripts/bench.sh, which turns its output into a table.
//
//   node e2e/perf/fps.mjs            # from the repository root
//
// It builds and starts the real binary with -scenario large on a spare
// port (PODPATH_PERF_PORT, default 18090), drives Debian's Chromium
// (PODPATH_CHROMIUM, default /usr/bin/chromium; never a downloaded one)
// and prints one JSON object per line:
//   {"name", "figure", "unit", "target", "met", "note"}
// Environment: PERF_MINUTES (default 2) for the memory run, PERF_FPS_SECONDS
// (default 10), PERF_CLICKS (default 20), PERF_LOADS (default 5),
// PODPATH_PERF_BIN (default bin/podpath-perf) for the binary it builds;
// PERF_ONLY=weight stops after the page weight and first paint rows.

import { chromium } from '@playwright/test';
import { spawn, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HOST = '127.0.0.1';
const PORT = Number(process.env.PODPATH_PERF_PORT || 18090);
const BASE = `http://${HOST}:${PORT}`;
const MINUTES = Number(process.env.PERF_MINUTES || 2);
const FPS_SECONDS = Number(process.env.PERF_FPS_SECONDS || 10);
const CLICKS = Number(process.env.PERF_CLICKS || 20);
const LOADS = Number(process.env.PERF_LOADS || 5);
const CHROMIUM = process.env.PODPATH_CHROMIUM || '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
const VIEWPORT = { width: 1600, height: 1000 };

/** One row of the table. */
function row(name, figure, unit, target, met, note = '') {
  const r = { name, figure, unit, target, met, note };
  process.stdout.write(JSON.stringify(r) + '\n');
  return r;
}

const log = (...a) => process.stderr.write(`fps.mjs: ${a.join(' ')}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

/** q-quantile of numbers (nearest rank). */
function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.min(s.length - 1, Math.ceil(q * s.length) - 1))];
}
const median = (xs) => quantile(xs, 0.5);

async function post(p, body) {
  const res = await fetch(BASE + p, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${p} ${JSON.stringify(body)}: ${res.status} ${text}`);
  return JSON.parse(text);
}

/** Builds and starts the binary; resolves when /healthz answers. */
async function startServer() {
  const bin = process.env.PODPATH_PERF_BIN || path.join(ROOT, 'bin', 'podpath-perf');
  if (!process.env.PODPATH_PERF_NOBUILD) execFileSync('go', ['build', '-o', bin, '.'], { cwd: ROOT, stdio: 'inherit' });
  const proc = spawn(bin, ['-addr', `${HOST}:${PORT}`, '-seed', '1', '-scenario', 'large'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  for (let i = 0; i < 300; i++) {
    if (proc.exitCode !== null) throw new Error(`podpath exited: ${stderr}`);
    try {
      if ((await fetch(BASE + '/healthz')).ok) return proc;
    } catch {
      /* not yet */
    }
    await sleep(100);
  }
  proc.kill('SIGTERM');
  throw new Error(`podpath did not answer /healthz: ${stderr}`);
}

/**
 * Counts the requests in flight as the page receives them: for `ms` of
 * wall time it reads the frames of the page's WebSocket (ws, a Playwright
 * WebSocket), then counts the requests whose [startMs, endMs) holds the
 * last frame's virtual time. Also returns the last frame's sampling factor.
 */
async function countInFlight(ws, ms) {
  const reqs = new Map();
  let lastT = 0;
  let sampled = 1;
  const onFrame = ({ payload }) => {
    if (typeof payload !== 'string' || !payload.startsWith('{"type":"frame"')) return;
    const env = JSON.parse(payload);
    lastT = env.t;
    sampled = env.payload.sampled || 1;
    // Compact requests (docs/api.md): [id, startMs, endMs, …].
    for (const r of env.payload.requests || []) reqs.set(r[0], [r[1], r[2]]);
  };
  ws.on('framereceived', onFrame);
  await sleep(ms);
  ws.off('framereceived', onFrame);
  let n = 0;
  let dur = 0;
  for (const [s, e] of reqs.values()) {
    if (s <= lastT && lastT < e) n++;
    dur += e - s;
  }
  return { inFlight: n, sampled, meanDurationMs: reqs.size ? dur / reqs.size : 0 };
}

/** rAF timestamps for ms of wall time; returns fps median and 5th percentile. */
async function measureFps(page, ms) {
  const ts = await page.evaluate(
    (ms) =>
      new Promise((resolve) => {
        const ts = [];
        const f = (t) => {
          ts.push(t);
          if (t - ts[0] < ms) requestAnimationFrame(f);
          else resolve(ts);
        };
        requestAnimationFrame(f);
      }),
    ms,
  );
  const dts = [];
  for (let i = 1; i < ts.length; i++) dts.push(ts[i] - ts[i - 1]);
  return {
    frames: dts.length,
    fpsMedian: 1000 / median(dts),
    fps5: 1000 / quantile(dts, 0.95), // the slowest 5 % of frames
    fpsMean: (1000 * dts.length) / (ts[ts.length - 1] - ts[0]),
  };
}

async function newPage(browser) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  return { context, page };
}

/**
 * Loads the page and waits until it is idle: the socket's snapshot is in
 * and no request has been open for 500 ms. Returns the document, scripts,
 * stylesheets and panel markup received by then (every module a module
 * imports, at once or with import(), is a script response; a panel's
 * markup is a fetch of /static/…/panels/), as [type, url path, bytes].
 */
async function loadIdle(page) {
  const bodies = [];
  page.on('response', (res) => {
    let type = res.request().resourceType();
    const url = new URL(res.url()).pathname;
    if (type === 'fetch' && /^\/static\/[0-9a-f]+\/panels\//.test(url)) type = 'markup';
    // [type, url, bytes of the body, bytes on the wire (encoded: gzip when the server compresses)]
    if (['document', 'script', 'stylesheet', 'markup'].includes(type))
      bodies.push(
        Promise.all([res.body(), res.request().sizes()])
          .then(([b, sizes]) => [type, url, b.length, sizes.responseBodySize])
          .catch(() => [type, url, 0, 0]),
      );
  });
  await page.goto(BASE + '/', { waitUntil: 'load' });
  await page.locator('[data-testid="conn-status"][data-state="open"]').waitFor({ timeout: 20_000 });
  await page.waitForLoadState('networkidle');
  return { got: () => Promise.all(bodies.slice()) };
}

/**
 * What the panels load on first use (lazy.js): on a fresh page, once idle,
 * opens each panel as a person would (a pod, a Route card, the quiz, the
 * walkthrough, the help, Import…, the inspector and one trace) and counts
 * the scripts, stylesheets and panel markup that arrive. An embedded JS,
 * CSS or panel file (static/) that neither the page nor a panel loaded is
 * added with its size, so that nothing is left out of the two rows.
 */
async function firstUseWeight(browser) {
  const { context, page } = await newPage(browser);
  const loaded = await loadIdle(page);
  const atStart = await loaded.got();
  const idle = () => page.waitForLoadState('networkidle');
  // Pods and Route cards by keyboard (Enter): a click could land on a dot.
  const uses = {
    'pod menu': async () => {
      await page.locator('[data-testid="app-pod"]').first().focus();
      await page.keyboard.press('Enter');
      await page.getByTestId('pod-menu').waitFor();
      await page.keyboard.press('Escape');
    },
    'route editor': async () => {
      await page.locator('[data-testid="route-card"]').first().focus();
      await page.keyboard.press('Enter');
      await page.getByTestId('route-editor').waitFor();
      await page.keyboard.press('Escape');
    },
    quiz: async () => {
      await page.getByTestId('quiz-open').click();
      await page.getByTestId('quiz-panel').waitFor();
      await page.getByTestId('quiz-open').click();
    },
    walkthrough: async () => {
      await page.getByTestId('wt-open').click();
      await page.getByTestId('walkthrough').waitFor();
      await page.getByTestId('wt-open').click();
    },
    'latency chart': async () => {
      await page.getByTestId('latency-chart').scrollIntoViewIfNeeded();
      await page.locator('[data-testid="latency-chart"][data-points]').waitFor();
    },
    help: async () => {
      await page.keyboard.press('?');
      await page.getByTestId('help-overlay').waitFor();
      await page.keyboard.press('Escape');
    },
    'scenario import': async () => {
      await page.getByTestId('import-open').click();
      await page.getByTestId('import-panel').waitFor();
    },
    'inspector and a trace (the oc strip)': async () => {
      await page.getByTestId('trace-open').click();
      await page.getByTestId('trace-run').click();
      await page.locator('[data-testid="inspector-hop"]').first().waitFor();
    },
  };
  const opened = [];
  for (const [name, use] of Object.entries(uses)) {
    try {
      await use();
      await idle();
      opened.push(name);
    } catch (err) {
      log(`first use of ${name}: ${err.message.split('\n')[0]}`);
    }
  }
  const all = await loaded.got();
  await context.close();
  const startURLs = new Set(atStart.map(([, url]) => url));
  const lazy = all.filter(([type, url]) => type !== 'document' && !startURLs.has(url));
  const seen = new Set(all.map(([, url]) => url.replace(/^\/static\/[0-9a-f]+\//, '')));
  // js/wire.js holds JSDoc types only: no page or panel ever loads it.
  const files = ['app.css', ...['js', 'css', 'panels'].flatMap((dir) => fs.readdirSync(path.join(ROOT, 'static', dir)).filter((f) => /\.(js|css|html)$/.test(f)).map((f) => `${dir}/${f}`))].filter((f) => f !== 'js/wire.js');
  const never = files.filter((f) => !seen.has(f));
  const neverBytes = never.reduce((a, f) => a + fs.statSync(path.join(ROOT, 'static', f)).size, 0);
  const bytes = lazy.reduce((a, [, , n]) => a + n, 0) + neverBytes;
  const names = lazy.map(([, url]) => url.split('/').pop()).sort();
  row('JS+CSS (and markup) loaded on first use of panels, not in the page weight', round(bytes / 1024), 'KB', '—', null,
    `${lazy.length} files loaded by opening ${opened.length} of ${Object.keys(uses).length} panels (${opened.join(', ')}): ${names.join(', ')}` +
      (never.length ? `; plus ${never.length} files nothing loaded, by size: ${never.join(', ')}` : '; every embedded JS, CSS and panel file was loaded by the page or a panel'));
}

/** Page weight (HTML + JS + CSS, uncompressed) and first paint. */
async function weightAndPaint(browser) {
  const weights = [];
  const wire = [];
  const visible = [];
  const fcp = [];
  let parts = {};
  for (let i = 0; i < LOADS; i++) {
    const { context, page } = await newPage(browser);
    // From the document's start, note the first animation frame in which
    // the server-rendered topology has a size: it is painted in that frame.
    await page.addInitScript(() => {
      const look = (t) => {
        const el = document.querySelector('[data-testid="topology"]');
        const r = el && el.getBoundingClientRect();
        if (r && r.width > 0 && r.height > 0) window.__topologyAt = t;
        else requestAnimationFrame(look);
      };
      requestAnimationFrame(look);
    });
    const loaded = await loadIdle(page);
    await page.waitForFunction(() => window.__topologyAt !== undefined, null, { timeout: 10_000 });
    const got = await loaded.got();
    const total = got.reduce((a, [, , n]) => a + n, 0);
    weights.push(total);
    wire.push(got.reduce((a, [, , , n]) => a + n, 0));
    parts = {};
    for (const [type, , n] of got) parts[type] = (parts[type] || 0) + n;
    parts.files = got.length;
    parts.names = got.filter(([type]) => type !== 'document').map(([, url]) => url.split('/').pop()).sort();
    const t = await page.evaluate(() => ({
      topology: window.__topologyAt,
      fcp: performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint')?.startTime ?? NaN,
    }));
    visible.push(t.topology);
    fcp.push(t.fcp);
    await context.close();
  }
  const kb = median(weights) / 1024;
  const staticKB = ((parts.script || 0) + (parts.stylesheet || 0) + (parts.markup || 0)) / 1024;
  row('page weight on `large` (HTML+JS+CSS, uncompressed)', round(kb), 'KB', '< 250', kb < 250,
    `${parts.files} files loaded by the time the page is idle (socket open, no request for 500 ms): the document ${round(parts.document / 1024)} KB (server-rendered SVG and controls; a cluster over 64 pods gets its state from the socket, not the page), scripts ${round((parts.script || 0) / 1024)} KB, stylesheets ${round((parts.stylesheet || 0) / 1024)} KB${parts.markup ? `, panel markup ${round(parts.markup / 1024)} KB` : ''} (${parts.names.join(', ')}); no framework; the panels load on first use (next rows)`);
  const wireKB = median(wire) / 1024;
  row('page on the wire on `large` (HTML+JS+CSS as transferred, the browser sending Accept-Encoding: gzip)', round(wireKB), 'KB', '< 100', wireKB < 100,
    `the same ${parts.files} files, their response bodies as received (Playwright request.sizes().responseBodySize), median of ${LOADS} cold loads`);
  row('page weight, JS+CSS alone (the same for every scenario)', round(staticKB), 'KB', '—', null, '');
  await firstUseWeight(browser);
  // The topology is in the HTML, so the first paint that can show it is the
  // later of first-contentful-paint and the first frame with it laid out.
  const paint = visible.map((v, i) => Math.max(v, Number.isNaN(fcp[i]) ? v : fcp[i]));
  const p = median(paint);
  row('first paint of the topology', Math.round(p), 'ms', '< 500', p < 500,
    `median of ${LOADS} cold loads (max ${Math.round(Math.max(...paint))} ms), from navigation start: the later of first-contentful-paint (median ${Math.round(median(fcp))} ms) and the first animation frame with [data-testid=topology] laid out (median ${Math.round(median(visible))} ms)`);
}

/**
 * Sets the traffic so that about `target` requests are in flight (rate ×
 * mean request duration, both virtual, at speed 1), waits for it to
 * settle, then measures fps and counts what the page actually received.
 */
async function fpsAt(page, ws, target, defaultRps, meanDurationMs, yieldFactor) {
  const rps = Math.min(10000, Math.round((target * 1000) / meanDurationMs / yieldFactor));
  await post('/api/commands', { type: 'setTraffic', rps });
  await sleep(5000); // in flight builds up over one request duration
  const fps = await measureFps(page, FPS_SECONDS * 1000);
  const seen = await countInFlight(ws, 4000);
  const note = await page.evaluate(() => {
    const el = document.querySelector('[data-testid="sampled"]');
    return el && !el.hidden ? el.textContent : '';
  });
  await post('/api/commands', { type: 'setTraffic', rps: defaultRps });
  const drawn = seen.sampled <= 1 && !note ? 'no sampling: every request sent is drawn' : `sampled: ${note || `1 in ${seen.sampled}`}`;
  const label = target.toLocaleString('en-US');
  const common = `${rps} req/s configured × ${round(yieldFactor * 100)} % carried × ${Math.round(meanDurationMs)} ms mean request ≈ ${label} in flight; the page's frames held ${seen.inFlight} in flight at their last virtual time; ${drawn}; ${fps.frames} frames over ${FPS_SECONDS} s`;
  row(`fps median, ${label} requests in flight`, round(fps.fpsMedian), 'fps', '≥ 55', fps.fpsMedian >= 55, common);
  row(`fps 5th percentile, ${label} requests in flight`, round(fps.fps5), 'fps', '≥ 30', fps.fps5 >= 30, `mean ${round(fps.fpsMean)} fps; ` + common);
  await sleep(3000);
}

/** Click scale-up, see the new pod drawn, p95 over CLICKS trials. */
async function clickToPaint(page) {
  const dep = await page.evaluate(() => document.querySelector('[data-testid="deployment-control"]')?.getAttribute('data-deployment'));
  if (!dep) throw new Error('no deployment-control on the page');
  const [ns, name] = dep.split('/');
  const state = await (await fetch(BASE + '/api/state')).json();
  const start = state.deployments.find((d) => d.namespace === ns && d.name === name).replicas;
  const button = page.locator(`[data-testid="deployment-control"][data-deployment="${dep}"] [data-testid="scale-up"]`);
  const lat = [];
  for (let i = 0; i < CLICKS; i++) {
    await page.evaluate((dep) => {
      // What "drawn" means: one more app-pod element, or (when the node's
      // slots are full) a changed "+N more pods" count.
      const sig = () => {
        const pods = document.querySelectorAll('[data-testid="app-pod"]').length;
        const more = Array.from(document.querySelectorAll('[data-testid="pod-overflow"]'), (e) => e.textContent).join('|');
        return `${pods}/${more}`;
      };
      const before = sig();
      window.__click = { clickAt: NaN, paintAt: NaN };
      const btn = document.querySelector(`[data-testid="deployment-control"][data-deployment="${dep}"] [data-testid="scale-up"]`);
      btn.addEventListener('click', (e) => (window.__click.clickAt = e.timeStamp), { once: true, capture: true });
      const mo = new MutationObserver(() => {
        if (sig() === before) return;
        mo.disconnect();
        requestAnimationFrame(() => (window.__click.paintAt = performance.now()));
      });
      mo.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['visibility'] });
    }, dep);
    await button.click();
    await page.waitForFunction(() => !Number.isNaN(window.__click.paintAt), null, { timeout: 10_000 });
    const c = await page.evaluate(() => window.__click);
    lat.push(c.paintAt - c.clickAt);
    await sleep(300);
  }
  await post('/api/commands', { type: 'scale', namespace: ns, deployment: name, replicas: start });
  const p95 = quantile(lat, 0.95);
  row('click-to-paint, scale up (p95)', Math.round(p95), 'ms', '< 100', p95 < 100,
    `${CLICKS} clicks on ${dep} scale-up: click event → MutationObserver sees the new pod → next rAF; median ${Math.round(median(lat))} ms, max ${Math.round(Math.max(...lat))} ms`);
}

/** JS heap after a forced GC, at the start and after MINUTES of animation. */
async function memory(page, target, meanDurationMs) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const heap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics } = await cdp.send('Performance.getMetrics');
    return metrics.find((m) => m.name === 'JSHeapUsedSize').value;
  };
  const rps = Math.round((target * 1000) / meanDurationMs);
  await post('/api/commands', { type: 'setTraffic', rps });
  await sleep(10_000);
  const start = await heap();
  const samples = [start];
  const end = Date.now() + MINUTES * 60_000;
  while (Date.now() < end) {
    await sleep(Math.min(30_000, Math.max(0, end - Date.now())));
    samples.push(await heap());
  }
  const last = samples[samples.length - 1];
  const growth = ((last - start) / start) * 100;
  row(`JS heap growth over ${MINUTES} min of animation`, round(growth), '%', '< 10', growth < 10,
    `~${target} in flight (${rps} req/s); JSHeapUsedSize after forced GC: ${round(start / 2 ** 20)} MB at start, ${round(last / 2 ** 20)} MB at end; every 30 s: ${samples.map((s) => round(s / 2 ** 20)).join(', ')} MB`);
  await cdp.detach();
}

async function main() {
  const server = await startServer();
  let browser;
  try {
    const state = await (await fetch(BASE + '/api/state')).json();
    const defaultRps = state.traffic?.rps ?? 40;
    log(`podpath on ${BASE} (large: ${state.pods.length} pods, ${state.routes.length} routes), chromium ${CHROMIUM}`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
    row('chromium version', browser.version(), '', '', null, '');
    await weightAndPaint(browser);
    if (process.env.PERF_ONLY === 'weight') return;

    const { page } = await newPage(browser);
    /** @type {import('@playwright/test').WebSocket[]} */
    const sockets = [];
    page.on('websocket', (ws) => sockets.push(ws));
    await page.goto(BASE + '/', { waitUntil: 'load' });
    await page.locator('[data-testid="conn-status"][data-state="open"]').waitFor({ timeout: 20_000 });
    await sleep(2000);
    await clickToPaint(page);
    const ws = sockets.find((w) => !w.isClosed());
    if (!ws) throw new Error('the page has no open WebSocket');
    // The mean virtual duration of a request, from the frames at the
    // scenario's own rate.
    // and how many of the configured req/s the frames really carry
    // (in flight seen ÷ rate × duration), so that the targets are what
    // the page receives.
    const calib = await countInFlight(ws, 6000);
    const meanMs = calib.meanDurationMs || 1900;
    const yieldFactor = Math.min(1.2, Math.max(0.3, calib.inFlight / ((defaultRps * meanMs) / 1000) || 1));
    log(`mean request ${Math.round(meanMs)} ms; frames carry ${round(yieldFactor * 100)} % of the configured rate`);
    await fpsAt(page, ws, 2000, defaultRps, meanMs, yieldFactor);
    await fpsAt(page, ws, 10000, defaultRps, meanMs, yieldFactor);
    if (MINUTES > 0) await memory(page, 2000, meanMs * yieldFactor);
    await post('/api/commands', { type: 'setTraffic', rps: defaultRps });
  } finally {
    await browser?.close();
    server.kill('SIGTERM');
  }
}

main().catch((err) => {
  log(err.stack || String(err));
  process.exit(1);
});
