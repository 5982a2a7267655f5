// Browse: every filter of GET /api/movies/ and every ordering, kept in the
// URL so a filtered page can be shared and reloaded.
import { useEffect, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router-dom';
import type { Genre, Movie, Page } from '../api';
import { MovieGrid } from '../components/MovieCard';
import { Pager } from '../components/Pager';
import { ErrorNote, Loading } from '../components/Status';
import { useApi } from '../useApi';

const FILTERS = ['title', 'genre', 'year', 'language', 'rating_min', 'rating_max', 'runtime_min', 'runtime_max', 'ordering'] as const;
const ORDERINGS: [string, string][] = [
  ['', 'Most popular'],
  ['-rating', 'Highest rated'],
  ['rating', 'Lowest rated'],
  ['-release_date', 'Newest'],
  ['release_date', 'Oldest'],
  ['title', 'Title A–Z'],
  ['-title', 'Title Z–A'],
  ['-created_at', 'Recently added'],
  ['created_at', 'First added'],
  ['popularity', 'Least popular'],
];
const LANGS: [string, string][] = [
  ['', 'Any language'],
  ['en', 'English'],
  ['fr', 'French'],
  ['de', 'German'],
  ['es', 'Spanish'],
  ['it', 'Italian'],
  ['ja', 'Japanese'],
  ['ko', 'Korean'],
  ['zh', 'Chinese'],
  ['pt', 'Portuguese'],
  ['sv', 'Swedish'],
  ['ru', 'Russian'],
  ['hi', 'Hindi'],
];

export default function Browse() {
  const [params, setParams] = useSearchParams();
  const genres = useApi<Page<Genre>>('/api/genres/?page_size=100&ordering=name');
  const [form, setForm] = useState<Record<string, string>>({});
  useEffect(() => {
    setForm(Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ''])));
  }, [params]);

  const page = Number(params.get('page') || 1);
  const query = new URLSearchParams();
  for (const f of FILTERS) if (params.get(f)) query.set(f, params.get(f)!);
  query.set('page_size', '24');
  if (page > 1) query.set('page', String(page));
  const movies = useApi<Page<Movie>>(`/api/movies/?${query}`);

  const apply = (e?: FormEvent, next: Record<string, string> = form) => {
    e?.preventDefault();
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(next)) if (v) p.set(k, v);
    setParams(p);
  };
  const set = (k: string) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const setNow = (k: string) => (e: { target: { value: string } }) => {
    const next = { ...form, [k]: e.target.value };
    setForm(next);
    apply(undefined, next);
  };

  return (
    <div className="browse">
      <h1>Browse</h1>
      <form className="filters" onSubmit={apply} aria-label="Filters">
        <label>
          Title
          <input name="title" value={form.title ?? ''} onChange={set('title')} placeholder="Any title" />
        </label>
        <label>
          Genre
          <select name="genre" value={form.genre ?? ''} onChange={setNow('genre')}>
            <option value="">Any genre</option>
            {genres.data?.results.map((g) => (
              <option key={g.id} value={g.slug}>
                {g.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Year
          <input name="year" value={form.year ?? ''} onChange={set('year')} placeholder="1999, 1990-1999" inputMode="numeric" />
        </label>
        <label>
          Original language
          <select name="language" value={form.language ?? ''} onChange={setNow('language')}>
            {LANGS.map(([v, n]) => (
              <option key={v} value={v}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label>
          Rating from
          <input name="rating_min" type="number" min={0} max={5} step={0.5} value={form.rating_min ?? ''} onChange={set('rating_min')} />
        </label>
        <label>
          Rating to
          <input name="rating_max" type="number" min={0} max={5} step={0.5} value={form.rating_max ?? ''} onChange={set('rating_max')} />
        </label>
        <label>
          Runtime from (min)
          <input name="runtime_min" type="number" min={1} value={form.runtime_min ?? ''} onChange={set('runtime_min')} />
        </label>
        <label>
          Runtime to (min)
          <input name="runtime_max" type="number" min={1} value={form.runtime_max ?? ''} onChange={set('runtime_max')} />
        </label>
        <label>
          Order by
          <select name="ordering" value={form.ordering ?? ''} onChange={setNow('ordering')}>
            {ORDERINGS.map(([v, n]) => (
              <option key={v} value={v}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <div className="filter-actions">
          <button type="submit">Apply</button>
          <button type="button" className="secondary" onClick={() => setParams(new URLSearchParams())}>
            Clear
          </button>
        </div>
      </form>
      <ErrorNote error={movies.error} />
      {movies.loading && !movies.data && <Loading />}
      {movies.data && (
        <>
          <p className="count" aria-live="polite">
            {movies.data.count.toLocaleString()} {movies.data.count === 1 ? 'movie' : 'movies'}
          </p>
          <MovieGrid movies={movies.data.results} />
          <Pager
            page={page}
            hasNext={!!movies.data.next && page < 500}
            onPage={(p) => {
              const n = new URLSearchParams(params);
              n.set('page', String(p));
              setParams(n);
            }}
          />
        </>
      )}
    </div>
  );
}
