// The API client: every request of the app goes through api().
//
// Sessions follow the API's contract (POST /api/users/token/refresh/):
// the access token lives in memory only; the refresh token is kept in
// localStorage so a reload stays signed in.  Each refresh spends the token
// it presents and returns the next one, and a spent token presented again
// revokes the whole family.  So a refresh is made by one party at a time:
// across tabs under a Web Lock, reading the stored token inside the lock
// (another tab may have rotated it meanwhile), and within a tab as one
// promise that every waiting request shares.

export interface Problem {
  status: number;
  title: string;
  detail?: string;
  errors?: Record<string, string[]>;
}

export class ApiError extends Error {
  status: number;
  problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail || problem.title || `HTTP ${problem.status}`);
    this.status = problem.status;
    this.problem = problem;
  }
}

export interface User {
  id: number;
  username: string;
  email?: string;
  role: string;
  display_name?: string;
  email_verified?: boolean;
}

const REFRESH_KEY = 'marquee.refresh';
const LANG_KEY = 'marquee.language';

let access: string | null = null;
let refreshing: Promise<boolean> | null = null;
const listeners = new Set<() => void>();

/** Tells subscribers (the session context) that the session changed. */
function changed() {
  listeners.forEach((f) => f());
}

export function onSessionChange(f: () => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

export function hasSession(): boolean {
  return access !== null || storedRefresh() !== null;
}

function storedRefresh(): string | null {
  try {
    return localStorage.getItem(REFRESH_KEY);
  } catch {
    return null;
  }
}

function store(refresh: string | null) {
  try {
    if (refresh) localStorage.setItem(REFRESH_KEY, refresh);
    else localStorage.removeItem(REFRESH_KEY);
  } catch {
    /* private mode: the session lasts as long as the page */
  }
}

/** Keeps a new pair of tokens: access in memory, refresh stored. */
export function setTokens(pair: { access: string; refresh: string }) {
  access = pair.access;
  store(pair.refresh);
  changed();
}

/** Forgets the session here (not at the server: see signOut). */
export function clearSession() {
  access = null;
  store(null);
  changed();
}

export function language(): string {
  try {
    return localStorage.getItem(LANG_KEY) || '';
  } catch {
    return '';
  }
}

export function setLanguage(lang: string) {
  try {
    if (lang) localStorage.setItem(LANG_KEY, lang);
    else localStorage.removeItem(LANG_KEY);
  } catch {
    /* ignore */
  }
}

async function withLock<T>(f: () => Promise<T>): Promise<T> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  if (locks) return locks.request('marquee-refresh', f) as Promise<T>;
  return f();
}

/** Spends the stored refresh token for a new pair; false when the session is over. */
async function doRefresh(): Promise<boolean> {
  return withLock(async () => {
    const token = storedRefresh();
    if (!token) return false;
    const res = await fetch('/api/users/token/refresh/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refresh: token }),
    });
    if (res.ok) {
      setTokens(await res.json());
      return true;
    }
    // 401: spent, revoked or expired (a reuse revoked the family): the
    // session is over.  Anything else (429, 503) keeps the token for later.
    if (res.status === 400 || res.status === 401) clearSession();
    return false;
  });
}

/** One refresh at a time in this tab; every caller shares its outcome. */
export function refresh(): Promise<boolean> {
  if (!refreshing) refreshing = doRefresh().finally(() => (refreshing = null));
  return refreshing;
}

export interface ApiOptions {
  method?: string;
  json?: unknown;
  body?: BodyInit;
  contentType?: string;
  signal?: AbortSignal;
  /** Send no token even when signed in. */
  anonymous?: boolean;
}

function headers(opts: ApiOptions): Record<string, string> {
  const h: Record<string, string> = { Accept: 'application/json' };
  const lang = language();
  if (lang) h['Accept-Language'] = lang;
  if (opts.json !== undefined) h['Content-Type'] = 'application/json';
  else if (opts.contentType) h['Content-Type'] = opts.contentType;
  if (access && !opts.anonymous) h.Authorization = `Bearer ${access}`;
  return h;
}

async function problemOf(res: Response): Promise<Problem> {
  try {
    const p = await res.json();
    return { status: res.status, title: p.title || res.statusText, detail: p.detail, errors: p.errors };
  } catch {
    return { status: res.status, title: res.statusText || `HTTP ${res.status}` };
  }
}

/** The raw response of a request, after one refresh and retry on a 401. */
export async function apiResponse(path: string, opts: ApiOptions = {}): Promise<Response> {
  if (!access && !opts.anonymous && storedRefresh()) await refresh();
  let sent: string | null = null;
  const send = () => {
    const h = headers(opts);
    sent = h.Authorization ? access : null;
    return fetch(path, {
      method: opts.method || (opts.json !== undefined ? 'POST' : 'GET'),
      headers: h,
      body: opts.json !== undefined ? JSON.stringify(opts.json) : opts.body,
      signal: opts.signal,
    });
  };
  let res = await send();
  if (res.status === 401 && sent !== null) {
    // Refresh unless another request already did since this one was sent.
    if (access === sent) access = null;
    if (access !== null || (await refresh())) res = await send();
  }
  return res;
}

/** A request's JSON (null for 204); throws ApiError on a problem. */
export async function api<T = unknown>(path: string, opts: ApiOptions = {}): Promise<T> {
  const res = await apiResponse(path, opts);
  if (!res.ok) throw new ApiError(await problemOf(res));
  if (res.status === 204) return null as T;
  return (await res.json()) as T;
}

/** Signs in; the user comes with the tokens. */
export async function signIn(login: string, password: string): Promise<User> {
  const body = login.includes('@') ? { email: login, password } : { username: login, password };
  const res = await fetch('/api/users/login/', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new ApiError(await problemOf(res));
  const out = await res.json();
  setTokens(out);
  return out.user as User;
}

/** Swaps the one-time code a social sign-in brought back for tokens. */
export async function exchangeOAuthCode(code: string): Promise<User> {
  const res = await fetch('/api/auth/oauth/exchange/', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ code }),
  });
  if (!res.ok) throw new ApiError(await problemOf(res));
  const out = await res.json();
  setTokens(out);
  return out.user as User;
}

/** Signs out: the server revokes the refresh token's family. */
export async function signOut(): Promise<void> {
  const token = storedRefresh();
  clearSession();
  if (token) {
    await fetch('/api/users/logout/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refresh: token }),
    }).catch(() => undefined);
  }
}

// Another tab signed out (or in): follow it.
if (typeof window !== 'undefined') {
  window.addEventListener('storage', (e) => {
    if (e.key !== REFRESH_KEY) return;
    if (!e.newValue) {
      access = null;
      changed();
    } else if (!access) {
      changed();
    }
  });
}

/** A query string from the set values of an object. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
  search?: 'fulltext' | 'corrected';
  corrected_q?: string;
}

export interface Genre {
  id: number;
  name: string;
  slug: string;
}

export interface Movie {
  id: number;
  tmdb_id: number | null;
  title: string;
  original_title: string;
  overview: string;
  release_date: string | null;
  year: number | null;
  runtime: number | null;
  original_language: string | null;
  popularity: number;
  rating: number | null;
  ratings_count: number;
  poster_url: string | null;
  backdrop_url: string | null;
  poster_sizes: Record<string, string> | null;
  backdrop_sizes: Record<string, string> | null;
  genres: Genre[];
  reason?: { kind: string; movie?: { id: number; title: string } };
}

export interface MovieDetail extends Movie {
  tagline: string;
  updated_at: string;
  keywords: { id: number; name: string }[];
  media: { id: number; kind: string; site: string | null; video_key: string | null; sizes?: Record<string, string> | null }[];
  statistics: { favorites_count: number; watchlist_count: number; reviews_count: number };
}

/** The path of a same-origin API URL (a page's next/previous link). */
export function pathOf(url: string): string {
  const u = new URL(url, window.location.origin);
  return u.pathname + u.search;
}
