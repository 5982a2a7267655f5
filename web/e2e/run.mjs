// End-to-end tests of the web app in Debian's headless Chromium, driven by
// playwright-core (which downloads no browser), against a real stack that
// t/web/e2e.t boots.  Prints TAP.  Every page visited is checked with
// axe-core (no serious or critical violation), must log no error (a CSP
// refusal included), and is photographed at 1280 and 360 px into
// $E2E_ARTIFACTS.
//
// Environment: E2E_BASE (the stack's URL), E2E_MAIL_DIR (the SMTP sink's
// messages), E2E_ADMIN_USER / E2E_ADMIN_PASSWORD, E2E_POSTER (a PNG to
// upload), E2E_ARTIFACTS, CHROMIUM (default /usr/bin/chromium), E2E_IDP
// (the fake identity provider: the one other host the browser may reach).
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
const idp = process.env.E2E_IDP ? new URL(process.env.E2E_IDP).host : null;
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
  return u.host === origin || u.host === idp || u.protocol === 'data:' || u.protocol === 'blob:' ? route.continue() : route.abort();
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
    window.axe.run(document, { resultTypes: ['violations'], runOnly: ['wcag2a', 'wcag2aa', 'best-practice'], iframes: false }),
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
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
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
  // Someone else's comment, for the reader to report.
  const adminLogin = await apiJson('/api/users/login/', {
    method: 'POST',
    body: JSON.stringify({ username: process.env.E2E_ADMIN_USER, password: process.env.E2E_ADMIN_PASSWORD }),
  });
  const adminAuth = { Authorization: `Bearer ${adminLogin.json.access}` };
  const posted = await apiJson(`/api/movies/${nosferatu.id}/comments/`, {
    method: 'POST',
    headers: adminAuth,
    body: JSON.stringify({ body: 'Orlok dies at dawn, by the way.' }),
  });
  ok(posted.status === 201, 'an administrator comments (through the API)', JSON.stringify(posted));
  await step('a movie page', async () => {
    await page.goto(`${base}/movies/${nosferatu.id}`);
    await page.getByRole('heading', { level: 1 }).filter({ hasText: 'Nosferatu' }).waitFor();
    await text('Sign in to rate it').waitFor();
    await page.getByText('Orlok dies at dawn, by the way.').waitFor();
    await text('Sign in to join the conversation').waitFor();
    if (await page.getByRole('button', { name: /^Report/ }).count()) throw new Error('a report button for a visitor');
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
  await step('comment, reply, edit and delete one\'s own', async () => {
    await page.getByLabel('Add a comment', { exact: true }).fill('Max Schreck is the film.');
    await page.getByRole('button', { name: 'Post comment' }).click();
    const mine = page.getByRole('article', { name: `Comment by ${user.username}` }).first();
    await mine.getByText('Max Schreck is the film.').waitFor();
    await mine.getByRole('button', { name: `Reply to ${user.username}` }).click();
    await page.getByLabel(`Reply to ${user.username}`, { exact: true }).fill('And the shadows on the stairs.');
    await page.getByRole('button', { name: 'Post reply' }).click();
    const reply = page.locator('.comment-replies').getByRole('article', { name: `Comment by ${user.username}` });
    await reply.getByText('And the shadows on the stairs.').waitFor();
    await mine.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByLabel('Edit your comment', { exact: true }).fill('Max Schreck IS the film.');
    await page.getByRole('button', { name: 'Save comment' }).click();
    await mine.getByText('Max Schreck IS the film.').waitFor();
    page.once('dialog', (d) => d.accept());
    await reply.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.locator('.comment-replies .comment-body.deleted', { hasText: '[deleted]' }).waitFor();
    const threads = (await apiJson(`/api/movies/${nosferatu.id}/comments/`)).json.results;
    const t = threads.find((c) => c.author === user.username);
    if (!t || t.body !== 'Max Schreck IS the film.' || t.replies[0]?.body !== '[deleted]' || t.replies[0]?.parent !== t.id)
      throw new Error(`the API holds ${JSON.stringify(t)}`);
  });
  await step("report another's comment", async () => {
    const other = page.getByRole('article', { name: `Comment by ${process.env.E2E_ADMIN_USER}` });
    await other.getByRole('button', { name: `Report the comment by ${process.env.E2E_ADMIN_USER}` }).click();
    await other.getByLabel(/^Reason/).selectOption('spoiler'); // a select's name holds its choice
    await other.getByLabel('Details (optional)', { exact: true }).fill('Gives the ending away.');
    await other.getByRole('button', { name: 'Send report' }).click();
    await other.getByText('an administrator will look at it').waitFor();
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

  await step('profile: upload an avatar, then remove it', async () => {
    await page.getByLabel('Avatar (PNG, JPEG or WebP, up to 2 MB)', { exact: true }).setInputFiles(process.env.E2E_POSTER);
    await page.getByRole('button', { name: 'Upload avatar' }).click();
    await text('Avatar uploaded.').waitFor();
    await page.locator('img.avatar[src*="/media/"]').waitFor();
    const src = await page.locator('img.avatar').getAttribute('src');
    const img = await fetch(new URL(src, base));
    if (img.status !== 200 || !/^image\//.test(img.headers.get('content-type') || '')) throw new Error(`${src}: ${img.status}`);
    await page.getByRole('button', { name: 'Remove avatar' }).click();
    await text('Avatar removed.').waitFor();
    await page.locator('.avatar.placeholder').waitFor();
    await page.getByLabel('Avatar (PNG, JPEG or WebP, up to 2 MB)', { exact: true }).setInputFiles(process.env.E2E_POSTER);
    await page.getByRole('button', { name: 'Upload avatar' }).click();
    await page.locator('img.avatar[src*="/media/"]').waitFor();
  });
  await step('profile: the counts and the activity log', async () => {
    await page.locator('.counts dt', { hasText: 'Following' }).waitFor();
    const favorites = await page.locator('.counts div', { hasText: 'Favorites' }).locator('dd').textContent();
    if (favorites !== '1') throw new Error(`favorites count ${favorites}`);
    await page.getByRole('tab', { name: 'Activity' }).click();
    await page.locator('.activity li', { hasText: 'Added to favorites' }).getByRole('link', { name: 'Nosferatu' }).waitFor();
    await page.locator('.activity li', { hasText: 'Rated' }).getByText('★ 3.5').waitFor();
  });
  await check('profile-activity');
  await step('profile: the statistics drawn as charts (Chart.js loaded with the tab)', async () => {
    await page.getByRole('tab', { name: 'Stats' }).click();
    await page.locator('.user-stats canvas').nth(2).waitFor();
    const rated = await page.locator('.user-stats .counts div', { hasText: 'Rated' }).locator('dd').textContent();
    if (rated !== '1') throw new Error(`rated ${rated}`);
    await page.getByRole('img', { name: 'Your ratings' }).waitFor();
  });
  await check('profile-stats');

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

  await step('sign in with a configured identity provider: one button each, walked to a signed-in page', async () => {
    await page.goto(`${base}/signin?next=/me`);
    await page.getByRole('button', { name: 'Sign in with Example ID' }).waitFor();
    const listed = (await apiJson('/api/auth/oauth/providers/')).json.providers.map((p) => `Sign in with ${p.display_name}`);
    const shown = await page.locator('.social button').allTextContents();
    if (JSON.stringify(shown) !== JSON.stringify(listed)) throw new Error(`shown ${shown}, configured ${listed}`);
    await page.getByRole('button', { name: 'Sign in with Example ID' }).click();
    await page.waitForURL(/\/me$/);
    await page.getByRole('link', { name: 'samsocial' }).waitFor();
    await heading('Sam Social').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in' }).first().waitFor();
  });
  await step('a sign-in that this tab did not start is refused', async () => {
    await page.goto(`${base}/oauth/done?code=${'A'.repeat(43)}&state=forged`);
    await text('was not started here').waitFor();
    if (await page.evaluate(() => localStorage.getItem('marquee.refresh'))) throw new Error('signed in');
  });
  await check('oauth-refused');

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
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await text('Saved.').waitFor();
    await page.getByLabel('Poster (PNG, JPEG or WebP)', { exact: true }).setInputFiles(process.env.E2E_POSTER);
    await page.getByRole('button', { name: 'Upload poster' }).click();
    await text('Poster uploaded.').waitFor();
    await page.locator('.editor img.poster[src*="/media/"]').waitFor();
  });
  await step('admin: translate it into French', async () => {
    await page.locator('.translations').getByLabel(/^Language/).selectOption('fr');
    await page.getByLabel('Translated title', { exact: true }).fill("La Bobine d'essai");
    await page.getByLabel('Translated tagline', { exact: true }).fill('Malice. Chaos. Savon.');
    await page.getByRole('button', { name: 'Save translation' }).click();
    await text('The fr translation is saved.').waitFor();
    await page.getByRole('button', { name: 'Edit the fr translation' }).waitFor();
    const reel = (await apiJson('/api/movies/?tmdb_id=990001')).json.results[0];
    const fr = await apiJson(`/api/movies/${reel.id}/`, { headers: { 'Accept-Language': 'fr' } });
    if (fr.json.title !== "La Bobine d'essai" || fr.json.translation !== 'fr') throw new Error(JSON.stringify(fr.json.title));
  });
  await check('admin');

  await step('admin: find an account and deactivate it, then activate it again', async () => {
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Users' }).click();
    await heading('Admin: users').waitFor();
    await page.getByLabel('Username or address', { exact: true }).fill(user.username);
    await page.getByRole('button', { name: 'Find', exact: true }).click();
    await text('1 account').waitFor();
    const row = page.getByRole('listitem', { name: user.username });
    await row.getByRole('button', { name: 'Deactivate' }).click();
    await text(`${user.username} is deactivated.`).waitFor();
    await row.getByText('deactivated').first().waitFor();
    const refused = await apiJson('/api/users/login/', { method: 'POST', body: JSON.stringify({ username: user.username, password: user.password }) });
    if (refused.status < 400) throw new Error(`a deactivated account signed in (${refused.status})`);
    await row.getByRole('button', { name: 'Activate' }).click();
    await text(`${user.username} is active again.`).waitFor();
    const back = await apiJson('/api/users/login/', { method: 'POST', body: JSON.stringify({ username: user.username, password: user.password }) });
    if (back.status !== 200) throw new Error(`the reactivated account could not sign in (${back.status})`);
  });
  await check('admin-users');

  await step('admin: the reports queue; removing the reported comment resolves it', async () => {
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Reports' }).click();
    await heading('Admin: reports').waitFor();
    const item = page.locator('.admin-rows > li', { hasText: 'Orlok dies at dawn' });
    await item.getByText('comment · spoiler').waitFor();
    await item.getByText('Gives the ending away.').waitFor();
    await item.getByText(`by ${user.username}`).waitFor();
    page.once('dialog', (d) => d.accept());
    await item.getByRole('button', { name: 'Delete the comment' }).click();
    await text('Nothing here: the queue is empty.').waitFor();
    const threads = (await apiJson(`/api/movies/${nosferatu.id}/comments/`)).json.results;
    if (threads.some((c) => /Orlok dies/.test(c.body))) throw new Error('the comment is still there');
    await page.getByLabel(/^Status/).selectOption('resolved');
    await page.locator('.admin-rows > li', { hasText: 'comment · spoiler' }).getByText(`resolved by ${process.env.E2E_ADMIN_USER}`).waitFor();
  });
  await check('admin-reports');

  await step('the trailer is a facade: no request to YouTube until it is clicked', async () => {
    const reel = (await apiJson('/api/movies/?tmdb_id=990001')).json.results[0];
    const asked = [];
    const seen = (r) => /youtube|ytimg|googlevideo/.test(r.url()) && asked.push(r.url());
    page.on('request', seen);
    await page.goto(`${base}/movies/${reel.id}`);
    await heading('Trailer').waitFor();
    await page.waitForLoadState('networkidle');
    if (asked.length) throw new Error(`asked before the click: ${asked.join(' ')}`);
    if (await page.locator('iframe').count()) throw new Error('a frame before the click');
    await page.getByRole('button', { name: /Play the trailer/ }).click();
    const frame = page.locator('iframe[title^="Trailer"]');
    await frame.waitFor();
    const src = await frame.getAttribute('src');
    if (!/^https:\/\/www\.youtube-nocookie\.com\/embed\/[\w-]+\?/.test(src)) throw new Error(src);
    for (let end = Date.now() + 10000; !asked.length && Date.now() < end; ) await page.waitForTimeout(50);
    page.off('request', seen);
    if (!asked.some((u) => u.startsWith('https://www.youtube-nocookie.com/embed/'))) throw new Error(`the frame asked ${asked.join(' ') || 'nothing'}`);
  });
  await step('share a movie: a short link and the networks', async () => {
    await page.getByRole('button', { name: 'Share this movie' }).click();
    const link = await page.getByLabel('Link to share', { exact: true }).inputValue();
    const code = link.match(/\/s\/([A-Za-z0-9_-]{16})/)?.[1];
    if (!code) throw new Error(`no share link: ${link}`);
    const shared = await fetch(`${base}/s/${code}/`);
    const html = await shared.text();
    if (shared.status !== 200 || !/og:title/.test(html) || !/Marquee Test Reel/.test(html)) throw new Error(`/s/${code}/: ${shared.status}`);
    for (const name of ['X', 'Facebook', 'WhatsApp', 'Telegram', 'Email']) {
      const href = await page.getByRole('link', { name: `Share on ${name}` }).getAttribute('href');
      if (!href.includes(encodeURIComponent(code)) && !href.includes(code)) throw new Error(`${name}: ${href}`);
    }
  });
  await check('movie-trailer-share');

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
