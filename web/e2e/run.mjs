// End-to-end tests of the web app in Debian's headless Chromium, driven by
// playwright-core (which downloads no browser), against a real stack that
// t/web/e2e.t boots.  Prints TAP.  Every page visited is checked with
// axe-core (no serious or critical violation), must log no error (a CSP
// refusal included), and is photographed at 1280 and 360 px into
// $E2E_ARTIFACTS.
//
// Environment: E2E_BASE (the stack's URL), E2E_MAIL_DIR (the SMTP sink's
// messages), E2E_ADMIN_USER / E2E_ADMIN_PASSWORD, E2E_POSTER (a PNG to
// upload), E2E_ARTIFACTS, CHROMIUM (default /usr/bin/chromium).
import { readFileSync, readdirSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const base = process.env.E2E_BASE;
const mailDir = process.env.E2E_MAIL_DIR;
const artifacts = process.env.E2E_ARTIFACTS;
const origin = new URL(base).host;
mkdirSync(artifacts, { recursive: true });

let n = 0;
let failed = 0;
function ok(pass, name, diag) {
  n++;
  if (!pass) failed++;
  console.log(`${pass ? 'ok' : 'not ok'} ${n} - ${name}`);
  if (!pass && diag) for (const line of String(diag).split('\n')) console.log(`# ${line}`);
}

// step(name, fn): one check; an exception is its failure.
async function step(name, fn) {
  try {
    await fn();
    ok(true, name);
    return true;
  } catch (e) {
    ok(false, name, e && e.stack ? e.stack : e);
    return false;
  }
}

async function apiJson(path, opts = {}) {
  const res = await fetch(base + path, {
    ...opts,
    headers: { 'Content-Type': 'application/json', ...(opts.headers || {}) },
  });
  return { status: res.status, json: res.status === 204 ? null : await res.json().catch(() => null) };
}

// The newest token mailed to an address, waited for.
async function mailedToken(to, deadlineMs = 20000) {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    let files = [];
    try {
      files = readdirSync(mailDir).filter((f) => f.endsWith('.eml')).sort().reverse();
    } catch {
      /* not made yet */
    }
    for (const f of files) {
      const text = readFileSync(join(mailDir, f), 'utf8');
      if (!new RegExp(`^To:.*${to.replace(/[.+]/g, '\\$&')}`, 'mi').test(text)) continue;
      const m = text.replace(/=\r?\n/g, '').match(/verify-email\?token=([A-Za-z0-9_-]+)/);
      if (m) return m[1];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${to}`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce' });
// Nothing leaves the machine (TMDb's images, say): the app must cope.
await context.route('**/*', (route) => {
  const u = new URL(route.request().url());
  return u.host === origin || u.protocol === 'data:' || u.protocol === 'blob:' ? route.continue() : route.abort();
});
const page = await context.newPage();
page.setDefaultTimeout(40000); // a loaded machine: the sanitizer build and several stacks at once
const problems = [];
page.on('console', (m) => {
  if (m.type() !== 'error') return;
  const text = m.text();
  // external images are blocked above on purpose; 401/404 answers the app handles
  if (/net::ERR_FAILED|Failed to load resource/.test(text)) return;
  problems.push(text);
});
page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));

const shots = [];
// check(name): axe-core on the page, no logged error, screenshots at both widths.
async function check(name) {
  await page.waitForLoadState('networkidle').catch(() => undefined);
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    window.axe.run(document, { resultTypes: ['violations'], runOnly: ['wcag2a', 'wcag2aa', 'best-practice'] }),
  );
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  ok(
    bad.length === 0,
    `${name}: axe-core finds no serious or critical violation`,
    bad.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((x) => x.target.join(' ')).slice(0, 3).join(', ')})`).join('\n'),
  );
  ok(problems.length === 0, `${name}: no error logged (CSP refusals included)`, problems.join('\n'));
  problems.length = 0;
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(artifacts, `${name}-1280.png`), fullPage: true });
  await page.setViewportSize({ width: 360, height: 780 });
  await page.waitForTimeout(50); // one frame for the layout at the new width
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  ok(overflow <= 0, `${name}: fits a 360 px phone`, `${overflow}px wider than the window`);
  await page.screenshot({ path: join(artifacts, `${name}-360.png`), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  shots.push(name);
}

const heading = (name) => page.getByRole('heading', { name, exact: true });
const text = (t) => page.getByText(t, { exact: false }).first();
async function signIn(login, password, next = '') {
  await page.goto(`${base}/signin${next}`);
  await page.getByLabel('Username or email', { exact: true }).fill(login);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
const stamp = Date.now().toString(36);
const user = { username: `e2e${stamp}`, email: `e2e${stamp}@example.test`, password: `correct horse e2e ${stamp}` };
let nosferatu;

try {
  // --- anonymous ---
  await step('home: trending, popular and recently added', async () => {
    await page.goto(base + '/');
    await heading('Trending').waitFor();
    await heading('Popular').waitFor();
    await heading('Recently added').waitFor();
  });
  await check('home');

  await step('browse: filter by genre, years and order', async () => {
    await page.goto(base + '/browse');
    await page.getByLabel(/^Genre/).selectOption('horror');
    await page.waitForURL(/genre=horror/);
    await page.getByLabel('Year', { exact: true }).fill('1920-1929');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/year=1920-1929/);
    await page.getByLabel(/^Order by/).selectOption('-release_date');
    await page.waitForURL(/ordering=-release_date/);
    await page.getByRole('heading', { name: 'Nosferatu', exact: true }).waitFor();
  });
  await check('browse');

  await step('search shows the typo correction', async () => {
    await page.getByLabel('Search movies', { exact: true }).fill('nosferatoo');
    await page.getByLabel('Search movies', { exact: true }).press('Enter');
    await text('showing results for').waitFor();
    await page.getByRole('heading', { name: 'Nosferatu', exact: true }).waitFor();
  });
  await check('search');

  nosferatu = (await apiJson('/api/movies/?tmdb_id=653')).json.results[0];
  await step('a movie page', async () => {
    await page.goto(`${base}/movies/${nosferatu.id}`);
    await page.getByRole('heading', { level: 1 }).filter({ hasText: 'Nosferatu' }).waitFor();
    await text('Sign in to rate it').waitFor();
  });
  await check('movie-anonymous');

  // --- an account ---
  await step('sign up', async () => {
    await page.goto(base + '/signup');
    await page.getByLabel('Username', { exact: true }).fill(user.username);
    await page.getByLabel('Email', { exact: true }).fill(user.email);
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await heading('Check your mail').waitFor();
  });
  await check('signup');

  await step('verify the address through the mailed link', async () => {
    const token = await mailedToken(user.email);
    await page.goto(`${base}/verify-email?token=${token}`);
    await text('Your address is confirmed').waitFor();
  });
  await check('verify-email');

  await step('sign in', async () => {
    await signIn(user.username, user.password);
    await page.getByRole('link', { name: user.username }).waitFor();
    await heading('Recommended for you').waitFor();
  });
  await step('the access token is in memory only; the refresh token survives a reload', async () => {
    const stored = await page.evaluate(() => ({ ...localStorage }));
    if (Object.values(stored).some((v) => String(v).startsWith('eyJ'))) throw new Error('an access token was stored');
    const before = stored['marquee.refresh'];
    await page.reload();
    await page.getByRole('link', { name: user.username }).waitFor();
    const after = await page.evaluate(() => localStorage.getItem('marquee.refresh'));
    if (!after || after === before) throw new Error('the refresh token was not rotated');
    const spent = await apiJson('/api/users/token/refresh/', { method: 'POST', body: JSON.stringify({ refresh: before }) });
    if (spent.status !== 401) throw new Error(`the spent token answered ${spent.status}`);
  });
  await step('reusing a spent refresh token revoked the family: the app asks to sign in again', async () => {
    await page.reload();
    await page.getByRole('link', { name: 'Sign in' }).first().waitFor();
    await signIn(user.email, user.password);
    await page.getByRole('link', { name: user.username }).waitFor();
  });
  await check('home-signed-in');

  await step('rate with half stars', async () => {
    await page.goto(`${base}/movies/${nosferatu.id}`);
    await page.getByRole('button', { name: '3.5 stars' }).click();
    await text('3.5 / 5').waitFor();
    const mine = await page.evaluate(() => document.querySelector('.big-rating')?.textContent);
    if (!/★/.test(mine || '')) throw new Error(`no average shown: ${mine}`);
  });
  await step('add to favorites', async () => {
    await page.getByRole('button', { name: '♡ Add to favorites' }).click();
    await page.getByRole('button', { name: '♥ In favorites' }).waitFor();
  });
  await step('add to the watchlist', async () => {
    await page.getByRole('button', { name: '+ Watchlist' }).click();
    await text('Added to your watchlist.').waitFor();
  });
  await step('write a review', async () => {
    await page.getByLabel('Title', { exact: true }).fill('Still frightening');
    await page.getByLabel('Review', { exact: true }).fill('A century on, Orlok still chills.');
    await page.getByRole('button', { name: 'Post review' }).click();
    await page.getByRole('heading', { name: 'Still frightening' }).waitFor();
  });
  await check('movie');

  await step('make a list and add the movie to it', async () => {
    await page.goto(base + '/me?tab=lists');
    await page.getByLabel('Name', { exact: true }).fill('Silent classics');
    await page.getByRole('button', { name: 'Create list' }).click();
    await page.getByRole('link', { name: 'Silent classics' }).waitFor();
    await page.goto(`${base}/movies/${nosferatu.id}`);
    await page.getByLabel(/^List/).selectOption({ label: 'Silent classics' });
    await page.getByRole('button', { name: 'Add to list' }).click();
    await text('Added to the list.').waitFor();
    await page.goto(base + '/me?tab=lists');
    await page.getByRole('link', { name: 'Silent classics' }).click();
    await heading('Silent classics').waitFor();
    await page.getByRole('heading', { name: 'Nosferatu', exact: true }).waitFor();
  });
  await check('list');

  await step('the profile shows the favorite and the watchlist', async () => {
    await page.goto(base + '/me');
    await page.getByRole('heading', { name: 'Nosferatu', exact: true }).waitFor();
    await page.getByRole('tab', { name: 'Watchlist' }).click();
    await page.getByRole('heading', { name: 'Nosferatu', exact: true }).waitFor();
    await text('Priority: medium').waitFor();
  });
  await check('profile');

  for (const [path, name, h] of [
    [`/users/${process.env.E2E_ADMIN_USER}`, 'user', null],
    ['/feed', 'feed', 'Your feed'],
    ['/notifications', 'notifications', 'Notifications'],
    ['/plans', 'plans', 'Premium'],
    ['/no/such/page', 'not-found', 'Nothing here'],
  ]) {
    await step(`${name} page`, async () => {
      await page.goto(base + path);
      if (h) await heading(h).waitFor();
      else await page.getByRole('heading', { level: 1 }).waitFor();
    });
    await check(name);
  }

  await step('follow someone and see them in the feed', async () => {
    await page.goto(`${base}/users/${process.env.E2E_ADMIN_USER}`);
    await page.getByRole('button', { name: 'Follow' }).click();
    await page.getByRole('button', { name: 'Following ✓' }).waitFor();
  });

  let refresh;
  await step('sign out revokes the session at the server', async () => {
    refresh = await page.evaluate(() => localStorage.getItem('marquee.refresh'));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in' }).first().waitFor();
    const r = await apiJson('/api/users/token/refresh/', { method: 'POST', body: JSON.stringify({ refresh }) });
    if (r.status !== 401) throw new Error(`the signed-out token answered ${r.status}`);
  });
  await check('signin');

  // --- an administrator ---
  await step('admin: sign in', async () => {
    await signIn(process.env.E2E_ADMIN_USER, process.env.E2E_ADMIN_PASSWORD, '?next=/admin');
    await heading('Admin: movies').waitFor();
  });
  await step('admin: create a movie from its TMDb id', async () => {
    await page.getByLabel('TMDb id', { exact: true }).fill('990001');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await text('Added The Marquee Test Reel.').waitFor();
    await page.getByRole('heading', { name: /Edit The Marquee Test Reel/ }).waitFor();
  });
  await step('admin: edit it and upload a poster', async () => {
    await page.getByLabel('Tagline', { exact: true }).fill('Mischief. Mayhem. Soap.');
    await page.getByRole('button', { name: 'Save' }).click();
    await text('Saved.').waitFor();
    await page.getByLabel('Poster (PNG, JPEG or WebP)', { exact: true }).setInputFiles(process.env.E2E_POSTER);
    await page.getByRole('button', { name: 'Upload poster' }).click();
    await text('Poster uploaded.').waitFor();
    await page.locator('.editor img.poster[src*="/media/"]').waitFor();
  });
  await check('admin');

  await step('admin: the analytics dashboard draws its charts', async () => {
    await page.goto(base + '/admin/analytics');
    await heading('Admin: analytics').waitFor();
    await page.locator('canvas').nth(3).waitFor(); // active users, engagement, movies, genres
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download popular-movies CSV' }).click();
    const file = await download;
    if (file.suggestedFilename() !== 'popular-movies.csv') throw new Error(file.suggestedFilename());
  });
  await check('analytics');
} finally {
  await browser.close();
}
console.log(`1..${n}`);
console.log(`# screenshots of ${shots.length} pages at 1280 and 360 px in ${artifacts}`);
process.exit(failed ? 1 : 0);
