// One's statistics (GET /api/users/me/stats/) as charts: watched and rated
// per month, favourite genres, the histogram of one's ratings; with the
// totals and hours watched.  Loaded lazily by the profile's Stats tab, so
// Chart.js comes only with it.
import { useMemo } from 'react';
import { Link } from 'react-router-dom';
import { useApi } from '../useApi';
import { ChartView } from './Chart';
import { ErrorNote, Loading } from './Status';

export interface UserStats {
  watched: number;
  rated: number;
  hours_watched: number;
  months: { month: string; watched: number; rated: number }[];
  favorite_genres: { id: number; slug: string; name: string; movies: number }[];
  rating_histogram: { rating: number; count: number }[];
  top_rated: { id: number; title: string; year: number | null; rating: number }[];
}

export default function StatsPanel() {
  const r = useApi<UserStats>('/api/users/me/stats/');
  const s = r.data;
  const months = useMemo(
    () => ({
      labels: s?.months.map((m) => m.month) ?? [],
      series: [
        { label: 'Watched', data: s?.months.map((m) => m.watched) ?? [] },
        { label: 'Rated', data: s?.months.map((m) => m.rated) ?? [] },
      ],
    }),
    [s],
  );
  const genres = useMemo(
    () => ({ labels: s?.favorite_genres.map((g) => g.name) ?? [], series: [{ label: 'Movies', data: s?.favorite_genres.map((g) => g.movies) ?? [] }] }),
    [s],
  );
  const histogram = useMemo(
    () => ({ labels: s?.rating_histogram.map((h) => `★ ${h.rating}`) ?? [], series: [{ label: 'Ratings', data: s?.rating_histogram.map((h) => h.count) ?? [] }] }),
    [s],
  );
  if (r.error) return <ErrorNote error={r.error} />;
  if (!s) return <Loading />;
  return (
    <div className="user-stats">
      <dl className="counts">
        <div>
          <dt>Watched</dt>
          <dd>{s.watched}</dd>
        </div>
        <div>
          <dt>Rated</dt>
          <dd>{s.rated}</dd>
        </div>
        <div>
          <dt>Hours watched</dt>
          <dd>{s.hours_watched.toFixed(1)}</dd>
        </div>
      </dl>
      <div className="charts">
        <div>
          <ChartView type="line" title="Watched and rated, month by month" labels={months.labels} series={months.series} />
        </div>
        <div>
          <ChartView type="bar" title="Your genres" labels={genres.labels} series={genres.series} />
        </div>
        <div>
          <ChartView type="bar" title="Your ratings" labels={histogram.labels} series={histogram.series} />
        </div>
      </div>
      {s.top_rated.length > 0 && (
        <>
          <h3>Rated highest</h3>
          <ol>
            {s.top_rated.map((m) => (
              <li key={m.id}>
                <Link to={`/movies/${m.id}`}>{m.title}</Link> {m.year && `(${m.year})`} · ★ {m.rating}
              </li>
            ))}
          </ol>
        </>
      )}
    </div>
  );
}
