// One's own page: avatar (upload, remove), counts, favorites, watchlist,
// lists (and making one), what one watched, one's activity and statistics
// (charts, loaded with their tab).
import { lazy, Suspense, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { api, type Movie, type Page } from '../api';
import { MovieGrid } from '../components/MovieCard';
import { Pager } from '../components/Pager';
import { RequireUser } from '../components/RequireUser';
import { ErrorNote, Loading } from '../components/Status';
import { useApi } from '../useApi';

const StatsPanel = lazy(() => import('../components/UserStats'));

interface Me {
  username: string;
  display_name: string;
  email: string;
  email_verified: boolean;
  avatar_url: string | null;
  avatar_sizes: { small: string; medium: string; original: string } | null;
  followers_count: number;
  following_count: number;
  counts: { favorites: number; watchlist: number; ratings: number; reviews: number; followers?: number; following?: number };
}

interface MovieList {
  id: number;
  name: string;
  description: string;
  is_public: boolean;
  items_count: number;
}

const TABS = ['favorites', 'watchlist', 'lists', 'history', 'activity', 'stats'] as const;
type Tab = (typeof TABS)[number];

function Favorites() {
  const r = useApi<Page<{ movie: Movie }>>('/api/favorites/?page_size=48&ordering=-added_at');
  if (r.loading) return <Loading />;
  if (r.error) return <ErrorNote error={r.error} />;
  if (!r.data?.results.length) return <p>No favorites yet: the ♡ on a movie's page adds one.</p>;
  return <MovieGrid movies={r.data.results.map((f) => f.movie)} />;
}

function Watchlist() {
  const r = useApi<Page<{ id: number; movie: Movie; watched: boolean; priority: string }>>('/api/watchlist/?page_size=48');
  if (r.loading) return <Loading />;
  if (r.error) return <ErrorNote error={r.error} />;
  if (!r.data?.results.length) return <p>Your watchlist is empty.</p>;
  const notes = new Map(r.data.results.map((e) => [e.movie.id, e.watched ? 'Watched' : `Priority: ${e.priority}`]));
  return <MovieGrid movies={r.data.results.map((e) => e.movie)} notes={(m) => notes.get(m.id)} />;
}

function History() {
  const r = useApi<Page<{ id: number; movie: Movie; watched_at: string }>>('/api/users/me/history/?page_size=48');
  if (r.loading) return <Loading />;
  if (r.error) return <ErrorNote error={r.error} />;
  if (!r.data?.results.length) return <p>Nothing watched yet.</p>;
  const when = new Map(r.data.results.map((e) => [e.movie.id, new Date(e.watched_at).toLocaleDateString()]));
  return <MovieGrid movies={r.data.results.map((e) => e.movie)} notes={(m) => when.get(m.id)} />;
}

const VERBS: Record<string, string> = {
  favorite_added: 'Added to favorites',
  favorite_removed: 'Removed from favorites',
  rated: 'Rated',
  rating_removed: 'Took back a rating of',
  watchlist_added: 'Added to the watchlist',
  watchlist_removed: 'Removed from the watchlist',
  watched: 'Watched',
};

interface Activity {
  id: number;
  verb: string;
  rating: number | null;
  created_at: string;
  movie: Movie;
}

function ActivityLog() {
  const [page, setPage] = useState(1);
  const r = useApi<Page<Activity>>(`/api/users/me/activity/?page=${page}&page_size=30`);
  if (r.error) return <ErrorNote error={r.error} />;
  if (!r.data) return <Loading />;
  if (!r.data.results.length) return <p>No activity yet.</p>;
  return (
    <>
      <ol className="activity">
        {r.data.results.map((a) => (
          <li key={a.id}>
            <span>{VERBS[a.verb] ?? a.verb}</span> <Link to={`/movies/${a.movie.id}`}>{a.movie.title}</Link>
            {a.rating !== null && <span> · ★ {a.rating}</span>}
            <time className="hint" dateTime={a.created_at}>
              {' '}
              · {new Date(a.created_at).toLocaleString()}
            </time>
          </li>
        ))}
      </ol>
      <Pager page={page} hasNext={!!r.data.next} onPage={setPage} label="Activity pages" />
    </>
  );
}

/** The avatar, with a file input to replace it and a button to remove it. */
function Avatar({ me, onChange }: { me: Me; onChange: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [message, setMessage] = useState('');
  const [inputKey, setInputKey] = useState(0); // a new, empty file input after each change
  const run = async (f: () => Promise<unknown>, done: string) => {
    setError(null);
    setMessage('');
    try {
      await f();
      setMessage(done);
      setFile(null);
      setInputKey((k) => k + 1);
      onChange();
    } catch (e) {
      setError(e as Error);
    }
  };
  const upload = (e: FormEvent) => {
    e.preventDefault();
    if (file)
      run(
        () => api('/api/users/me/avatar/', { method: 'PUT', body: file, contentType: file.type || 'application/octet-stream' }),
        'Avatar uploaded.',
      );
  };
  return (
    <div className="avatar-edit">
      {me.avatar_url ? (
        <img className="avatar large" src={me.avatar_sizes?.medium || me.avatar_url} alt="Your avatar" width={96} height={96} />
      ) : (
        <div className="avatar large placeholder" aria-hidden="true">
          {me.username[0]?.toUpperCase()}
        </div>
      )}
      <form className="inline-form" onSubmit={upload}>
        <label>
          Avatar (PNG, JPEG or WebP, up to 2 MB)
          <input key={inputKey} type="file" accept="image/png,image/jpeg,image/webp" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </label>
        <button type="submit" className="small" disabled={!file}>
          Upload avatar
        </button>
        {me.avatar_url && (
          <button type="button" className="secondary small" onClick={() => run(() => api('/api/users/me/avatar/', { method: 'DELETE' }), 'Avatar removed.')}>
            Remove avatar
          </button>
        )}
      </form>
      {message && (
        <p className="hint" role="status">
          {message}
        </p>
      )}
      <ErrorNote error={error} />
    </div>
  );
}

function Lists() {
  const r = useApi<Page<MovieList>>('/api/lists/?page_size=100');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [isPublic, setPublic] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api('/api/lists/', { json: { name, description, is_public: isPublic } });
      setName('');
      setDescription('');
      r.reload();
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <div className="lists">
      {r.error && <ErrorNote error={r.error} />}
      <ul className="list-cards">
        {r.data?.results.map((l) => (
          <li key={l.id}>
            <Link to={`/lists/${l.id}`}>{l.name}</Link>
            <span className="hint">
              {' '}
              · {l.items_count} {l.items_count === 1 ? 'movie' : 'movies'} · {l.is_public ? 'public' : 'private'}
            </span>
            {l.description && <p>{l.description}</p>}
          </li>
        ))}
      </ul>
      <form className="stack card-form" onSubmit={create}>
        <h3>New list</h3>
        <label>
          Name
          <input name="list-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
        </label>
        <label>
          Description
          <textarea value={description} onChange={(e) => setDescription(e.target.value)} maxLength={2000} rows={2} />
        </label>
        <label className="check">
          <input type="checkbox" checked={isPublic} onChange={(e) => setPublic(e.target.checked)} /> Public
        </label>
        <ErrorNote error={error} />
        <button type="submit">Create list</button>
      </form>
    </div>
  );
}

function ProfileBody() {
  const me = useApi<Me>('/api/users/me/');
  const [params, setParams] = useSearchParams();
  const tab = (TABS as readonly string[]).includes(params.get('tab') ?? '') ? (params.get('tab') as Tab) : 'favorites';
  const [resent, setResent] = useState('');
  if (!me.data) return me.error ? <ErrorNote error={me.error} /> : <Loading />;
  const c = me.data.counts;
  const resend = () =>
    api('/api/users/verify-email/resend/', { method: 'POST' })
      .then(() => setResent('A new link is on its way.'))
      .catch((e) => setResent(e.message));
  return (
    <div className="profile">
      <h1>{me.data.display_name || me.data.username}</h1>
      <Avatar me={me.data} onChange={me.reload} />
      {!me.data.email_verified && (
        <p className="notice">
          Your address {me.data.email} is not confirmed yet.{' '}
          <button type="button" className="linkish" onClick={resend}>
            Send the link again
          </button>{' '}
          <span role="status">{resent}</span>
        </p>
      )}
      <dl className="counts">
        <div>
          <dt>Favorites</dt>
          <dd>{c.favorites}</dd>
        </div>
        <div>
          <dt>Watchlist</dt>
          <dd>{c.watchlist}</dd>
        </div>
        <div>
          <dt>Ratings</dt>
          <dd>{c.ratings}</dd>
        </div>
        <div>
          <dt>Reviews</dt>
          <dd>{c.reviews}</dd>
        </div>
        <div>
          <dt>Followers</dt>
          <dd>{me.data.followers_count}</dd>
        </div>
        <div>
          <dt>Following</dt>
          <dd>{me.data.following_count}</dd>
        </div>
      </dl>
      <p>
        <Link to={`/users/${me.data.username}`}>Your public page</Link>
      </p>
      <div className="tabs" role="tablist" aria-label="Your collections">
        {TABS.map((t) => (
          <button key={t} type="button" role="tab" aria-selected={tab === t} onClick={() => setParams({ tab: t })}>
            {t[0].toUpperCase() + t.slice(1)}
          </button>
        ))}
      </div>
      <div role="tabpanel" aria-label={tab}>
        {tab === 'favorites' && <Favorites />}
        {tab === 'watchlist' && <Watchlist />}
        {tab === 'lists' && <Lists />}
        {tab === 'history' && <History />}
        {tab === 'activity' && <ActivityLog />}
        {tab === 'stats' && (
          <Suspense fallback={<Loading />}>
            <StatsPanel />
          </Suspense>
        )}
      </div>
    </div>
  );
}

export default function Profile() {
  return (
    <RequireUser>
      <ProfileBody />
    </RequireUser>
  );
}
