// Administrators: add a movie from TMDb (by id, or found by TMDb's search),
// edit a movie's details, upload its poster, translate its title,
// overview and tagline (PUT/DELETE /api/movies/{id}/translations/{lang}/).
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { api, apiResponse, ApiError, type Movie, type MovieDetail, type Page } from '../api';
import { AdminNav } from '../components/AdminNav';
import { Poster } from '../components/Poster';
import { RequireUser } from '../components/RequireUser';
import { ErrorNote } from '../components/Status';

interface TmdbResult {
  tmdb_id: number;
  title: string;
  release_date: string | null;
  imported: boolean;
  id: number | null;
}

function Importer({ onMovie }: { onMovie: (m: MovieDetail) => void }) {
  const [tmdbId, setTmdbId] = useState('');
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<TmdbResult[] | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [message, setMessage] = useState('');

  const importId = async (id: number) => {
    setError(null);
    setMessage('');
    try {
      const m = await api<MovieDetail>('/api/movies/', { json: { tmdb_id: id } });
      setMessage(`Added ${m.title}.`);
      onMovie(m);
    } catch (e) {
      setError(e as Error);
    }
  };
  const search = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const p = await api<Page<TmdbResult>>(`/api/tmdb/search/?query=${encodeURIComponent(query)}`);
      setFound(p.results);
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <section className="panel" aria-labelledby="import-h">
      <h2 id="import-h">Add a movie from TMDb</h2>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          importId(Number(tmdbId));
        }}
      >
        <label>
          TMDb id
          <input name="tmdb_id" inputMode="numeric" pattern="[0-9]+" value={tmdbId} onChange={(e) => setTmdbId(e.target.value)} required />
        </label>
        <button type="submit">Add</button>
      </form>
      <form className="inline-form" onSubmit={search}>
        <label>
          Or search TMDb
          <input name="tmdb_query" value={query} onChange={(e) => setQuery(e.target.value)} required />
        </label>
        <button type="submit" className="secondary">
          Search
        </button>
      </form>
      {found && (
        <ul className="plain">
          {found.length === 0 && <li>No results.</li>}
          {found.map((r) => (
            <li key={r.tmdb_id}>
              {r.title} {r.release_date && `(${r.release_date.slice(0, 4)})`}{' '}
              {r.imported && r.id ? (
                <Link to={`/movies/${r.id}`}>in the catalog</Link>
              ) : (
                <button type="button" className="linkish" onClick={() => importId(r.tmdb_id)}>
                  Add
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <p role="status">{message}</p>
      <ErrorNote error={error} />
    </section>
  );
}

function Editor({ movie, onChange }: { movie: MovieDetail; onChange: (m: MovieDetail) => void }) {
  const [title, setTitle] = useState(movie.title);
  const [overview, setOverview] = useState(movie.overview);
  const [tagline, setTagline] = useState(movie.tagline);
  const [runtime, setRuntime] = useState(movie.runtime?.toString() ?? '');
  const [releaseDate, setReleaseDate] = useState(movie.release_date ?? '');
  const [file, setFile] = useState<File | null>(null);
  const [message, setMessage] = useState('');
  const [error, setError] = useState<Error | null>(null);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setMessage('');
    try {
      const body: Record<string, unknown> = { title, overview, tagline };
      body.runtime = runtime ? Number(runtime) : null;
      body.release_date = releaseDate || null;
      const m = await api<MovieDetail>(`/api/movies/${movie.id}/`, { method: 'PATCH', json: body });
      onChange(m);
      setMessage('Saved.');
    } catch (err) {
      setError(err as Error);
    }
  };
  const upload = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setError(null);
    setMessage('');
    const res = await apiResponse(`/api/movies/${movie.id}/media/?kind=poster&primary=true`, {
      method: 'POST',
      body: file,
      contentType: file.type || 'application/octet-stream',
    });
    if (!res.ok) {
      const p = await res.json().catch(() => ({}));
      setError(new ApiError({ status: res.status, title: p.title || res.statusText, detail: p.detail }));
      return;
    }
    onChange(await api<MovieDetail>(`/api/movies/${movie.id}/`));
    setMessage('Poster uploaded.');
  };

  return (
    <section className="panel editor" aria-labelledby="edit-h">
      <h2 id="edit-h">
        Edit <Link to={`/movies/${movie.id}`}>{movie.title}</Link>
      </h2>
      <div className="editor-body">
        <Poster movie={movie} size="w185" />
        <form className="stack" onSubmit={save}>
          <label>
            Title
            <input name="title" value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={300} />
          </label>
          <label>
            Tagline
            <input name="tagline" value={tagline} onChange={(e) => setTagline(e.target.value)} maxLength={500} />
          </label>
          <label>
            Overview
            <textarea name="overview" value={overview} onChange={(e) => setOverview(e.target.value)} rows={5} maxLength={5000} />
          </label>
          <label>
            Release date
            <input name="release_date" type="date" value={releaseDate} onChange={(e) => setReleaseDate(e.target.value)} />
          </label>
          <label>
            Runtime (minutes)
            <input name="runtime" type="number" min={1} max={1000} value={runtime} onChange={(e) => setRuntime(e.target.value)} />
          </label>
          <button type="submit">Save</button>
        </form>
      </div>
      <form className="inline-form" onSubmit={upload}>
        <label>
          Poster (PNG, JPEG or WebP)
          <input name="poster" type="file" accept="image/png,image/jpeg,image/webp" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </label>
        <button type="submit" className="secondary" disabled={!file}>
          Upload poster
        </button>
      </form>
      <p role="status">{message}</p>
      <ErrorNote error={error} />
    </section>
  );
}

const LANGUAGES: [string, string][] = [
  ['fr', 'French'],
  ['de', 'German'],
  ['es', 'Spanish'],
  ['pt-BR', 'Portuguese (Brazil)'],
  ['en', 'English'],
];

type MovieWithTranslations = MovieDetail & { translations: string[]; translation: string | null };

function Translations({ movie, onChange }: { movie: MovieWithTranslations; onChange: (m: MovieDetail) => void }) {
  const [lang, setLang] = useState('');
  const [loading, setLoading] = useState(false);
  const [title, setTitle] = useState('');
  const [overview, setOverview] = useState('');
  const [tagline, setTagline] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [message, setMessage] = useState('');
  const has = movie.translations ?? [];
  const run = async (f: () => Promise<unknown>, done: string) => {
    setError(null);
    setMessage('');
    try {
      await f();
      onChange(await api<MovieDetail>(`/api/movies/${movie.id}/`));
      setMessage(done);
    } catch (e) {
      setError(e as Error);
    }
  };
  /** Fills the form with the language's translation (the movie as read in
   * it); the fields wait for it, so nothing typed is overwritten. */
  const edit = async (l: string) => {
    setLang(l);
    setError(null);
    setTitle('');
    setOverview('');
    setTagline('');
    if (!l) return;
    setLoading(true);
    try {
      const m = await api<MovieWithTranslations>(`/api/movies/${movie.id}/?language=${encodeURIComponent(l)}`);
      const same = m.translation === l;
      setTitle(same ? m.title : '');
      setOverview(same ? m.overview : '');
      setTagline(same ? m.tagline : '');
    } catch (e) {
      setError(e as Error);
    } finally {
      setLoading(false);
    }
  };
  const save = (e: FormEvent) => {
    e.preventDefault();
    run(
      () => api(`/api/movies/${movie.id}/translations/${lang}/`, { method: 'PUT', json: { title, overview, tagline } }),
      `The ${lang} translation is saved.`,
    );
  };
  return (
    <section className="panel translations" aria-labelledby="tr-h">
      <h2 id="tr-h">Translations</h2>
      {has.length === 0 ? (
        <p className="hint">Not translated yet.</p>
      ) : (
        <ul className="chips" aria-label="Translated into">
          {has.map((l) => (
            <li key={l}>
              <button type="button" className="secondary small" onClick={() => edit(l)} aria-label={`Edit the ${l} translation`}>
                {l}
              </button>{' '}
              <button
                type="button"
                className="linkish"
                onClick={() => run(() => api(`/api/movies/${movie.id}/translations/${l}/`, { method: 'DELETE' }), `The ${l} translation is removed.`)}
                aria-label={`Remove the ${l} translation`}
              >
                remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="stack" onSubmit={save}>
        <label>
          Language
          <select value={lang} onChange={(e) => edit(e.target.value)}>
            <option value="">Choose a language…</option>
            {LANGUAGES.map(([v, name]) => (
              <option key={v} value={v}>
                {name} ({v})
              </option>
            ))}
          </select>
        </label>
        <label>
          Translated title
          <input value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={300} disabled={!lang || loading} />
        </label>
        <label>
          Translated tagline
          <input value={tagline} onChange={(e) => setTagline(e.target.value)} maxLength={500} disabled={!lang || loading} />
        </label>
        <label>
          Translated overview
          <textarea value={overview} onChange={(e) => setOverview(e.target.value)} rows={4} maxLength={5000} disabled={!lang || loading} />
        </label>
        <button type="submit" className="secondary" disabled={!lang || loading}>
          Save translation
        </button>
      </form>
      {message && <p role="status">{message}</p>}
      <ErrorNote error={error} />
    </section>
  );
}

function Finder({ onMovie }: { onMovie: (m: MovieDetail) => void }) {
  const [title, setTitle] = useState('');
  const [found, setFound] = useState<Movie[] | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const find = async (e: FormEvent) => {
    e.preventDefault();
    try {
      setFound((await api<Page<Movie>>(`/api/movies/?title=${encodeURIComponent(title)}&page_size=10`)).results);
    } catch (err) {
      setError(err as Error);
    }
  };
  const pick = async (id: number) => onMovie(await api<MovieDetail>(`/api/movies/${id}/`));
  return (
    <section className="panel" aria-labelledby="find-h">
      <h2 id="find-h">Edit a movie</h2>
      <form className="inline-form" onSubmit={find}>
        <label>
          Title
          <input name="find_title" value={title} onChange={(e) => setTitle(e.target.value)} required />
        </label>
        <button type="submit" className="secondary">
          Find
        </button>
      </form>
      <ul className="plain">
        {found?.map((m) => (
          <li key={m.id}>
            <button type="button" className="linkish" onClick={() => pick(m.id)}>
              {m.title} {m.year && `(${m.year})`}
            </button>
          </li>
        ))}
      </ul>
      <ErrorNote error={error} />
    </section>
  );
}

export default function AdminMovies() {
  const [movie, setMovie] = useState<MovieDetail | null>(null);
  return (
    <RequireUser admin>
      <div>
        <h1>Admin: movies</h1>
        <AdminNav />
        <div className="admin-grid">
          <Importer onMovie={setMovie} />
          <Finder onMovie={setMovie} />
        </div>
        {movie && <Editor key={movie.id} movie={movie} onChange={setMovie} />}
        {movie && <Translations key={`tr-${movie.id}`} movie={movie as MovieWithTranslations} onChange={setMovie} />}
      </div>
    </RequireUser>
  );
}
