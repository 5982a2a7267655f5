// The session rules of src/api.ts: access token in memory only, one
// refresh for many 401s, the rotated refresh token kept, a refused refresh
// ends the session, signing out revokes the family at the server.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, clearSession, hasSession, setTokens, signOut } from '../src/api';

type Call = { url: string; init: RequestInit };
let calls: Call[];

function json(status: number, body: unknown): Response {
  return new Response(body === null ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

beforeEach(() => {
  calls = [];
  localStorage.clear();
  clearSession();
});
afterEach(() => vi.unstubAllGlobals());

function stubFetch(handler: (url: string, init: RequestInit) => Response) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit = {}) => {
      calls.push({ url, init });
      return handler(url, init);
    }),
  );
}

const auth = (c: Call) => (c.init.headers as Record<string, string>)?.Authorization;

describe('sessions', () => {
  it('keeps the access token out of storage', () => {
    setTokens({ access: 'A1', refresh: 'R1' });
    expect(localStorage.getItem('marquee.refresh')).toBe('R1');
    expect(JSON.stringify({ ...localStorage })).not.toContain('A1');
  });

  it('refreshes once for concurrent 401s and stores the rotated token', async () => {
    setTokens({ access: 'old', refresh: 'R1' });
    stubFetch((url, init) => {
      if (url === '/api/users/token/refresh/') {
        expect(JSON.parse(String(init.body))).toEqual({ refresh: 'R1' });
        return json(200, { access: 'new', refresh: 'R2' });
      }
      return auth({ url, init }) === 'Bearer new' ? json(200, { ok: true }) : json(401, { title: 'Unauthorized' });
    });
    const out = await Promise.all([api('/api/users/me/'), api('/api/lists/'), api('/api/watchlist/')]);
    expect(out).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(calls.filter((c) => c.url === '/api/users/token/refresh/')).toHaveLength(1);
    expect(localStorage.getItem('marquee.refresh')).toBe('R2');
  });

  it('ends the session when the refresh token is refused (reuse revoked it)', async () => {
    setTokens({ access: 'old', refresh: 'R1' });
    stubFetch((url) =>
      url === '/api/users/token/refresh/'
        ? json(401, { title: 'Unauthorized', detail: 'This refresh token was already used' })
        : json(401, { title: 'Unauthorized' }),
    );
    await expect(api('/api/users/me/')).rejects.toMatchObject({ status: 401 });
    expect(hasSession()).toBe(false);
    expect(localStorage.getItem('marquee.refresh')).toBeNull();
  });

  it('keeps the refresh token when the server is only busy', async () => {
    setTokens({ access: 'old', refresh: 'R1' });
    stubFetch((url) => (url === '/api/users/token/refresh/' ? json(503, { title: 'Service Unavailable' }) : json(401, {})));
    await expect(api('/api/users/me/')).rejects.toMatchObject({ status: 401 });
    expect(localStorage.getItem('marquee.refresh')).toBe('R1');
  });

  it('signs out by revoking the refresh family', async () => {
    setTokens({ access: 'A', refresh: 'R9' });
    stubFetch(() => json(204, null));
    await signOut();
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe('/api/users/logout/');
    expect(JSON.parse(String(calls[0].init.body))).toEqual({ refresh: 'R9' });
    expect(hasSession()).toBe(false);
  });

  it('turns a problem into an ApiError with its fields', async () => {
    stubFetch(() => json(400, { title: 'Bad Request', detail: 'Invalid input.', errors: { year: ['Must be a year.'] } }));
    await expect(api('/api/movies/?year=abc')).rejects.toMatchObject({
      status: 400,
      message: 'Invalid input.',
      problem: { errors: { year: ['Must be a year.'] } },
    });
  });
});
