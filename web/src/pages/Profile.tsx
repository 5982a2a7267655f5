// One's own page: counts, favorites, watchlist, lists (and making one),
// what one watched.
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { api, type Movie, type Page } from '../api';
import { MovieGrid } from '../components/MovieCard';
import { RequireUser } from '../components/RequireUser';
import { ErrorNote, Loading } from '../components/Status';
import { useApi } from '../useApi';

interface Me {
  username: string;
  display_name: string;
  email: string;
  email_verified: boolean;
  counts: { favorites: number; watchlist: number; ratings: number; reviews: number; followers?: number; following?: number };
}

interface MovieList {
  id: number;
  name: string;
  description: string;
  is_public: boolean;
  items_count: number;
}

const TABS = ['favorites', 'watchlist', 'lists', 'history'] as const;
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
