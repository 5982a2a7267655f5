// bench/web-lcp.mjs: run by bench/web-lcp.  Loads each of LCP_PAGES (paths
// of LCP_BASE) LCP_RUNS times, each in a new browser context, and prints
// its largest contentful paint as a PerformanceObserver saw it.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const web = join(dirname(fileURLToPath(import.meta.url)), '..', 'web');
const { chromium } = createRequire(join(web, 'package.json'))('playwright-core');
const base = process.env.LCP_BASE;
const origin = new URL(base).host;
const runs = Number(process.env.LCP_RUNS || 5);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
});

async function once(path) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.route('**/*', (route) => {
    const u = new URL(route.request().url());
    return u.host === origin || u.protocol === 'data:' || u.protocol === 'blob:' ? route.continue() : route.abort();
  });
  await context.addInitScript(() => {
    window.__lcp = null;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const el = e.element;
        window.__lcp = {
          time: e.startTime,
          size: e.size,
          element: el ? el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '') : '?',
        };
      }
    }).observe({ type: 'largest-contentful-paint', buffered: true });
  });
  const page = await context.newPage();
  await page.goto(base + path, { waitUntil: 'networkidle' });
  // let a last paint land; LCP stops at the first input, which never comes
  await page.waitForTimeout(500);
  const lcp = await page.evaluate(() => window.__lcp);
  const nav = await page.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0];
    return n ? { ttfb: n.responseStart, dcl: n.domContentLoadedEventEnd } : {};
  });
  await context.close();
  return { ...lcp, ...nav };
}

const ms = (v) => `${Math.round(v)} ms`;
for (const path of process.env.LCP_PAGES.split(' ')) {
  const all = [];
  for (let i = 0; i < runs; i++) all.push(await once(path));
  const times = all.map((r) => r.time).filter((t) => typeof t === 'number').sort((a, b) => a - b);
  if (!times.length) {
    console.log(`${path}: no largest-contentful-paint entry`);
    continue;
  }
  const median = times[Math.floor(times.length / 2)];
  const els = [...new Set(all.map((r) => r.element))].join(', ');
  const ttfb = all.map((r) => r.ttfb).sort((a, b) => a - b)[Math.floor(all.length / 2)];
  console.log(`${path.padEnd(14)} LCP median ${ms(median)} (min ${ms(times[0])}, max ${ms(times[times.length - 1])}; ` +
              `TTFB median ${ms(ttfb)}; element: ${els})`);
}
await browser.close();
