// Administrators: the analytics reports as charts, each downloadable as
// CSV (fetched with the session's token, saved from a blob).
import { useMemo, useState } from 'react';
import { apiResponse } from '../api';
import { AdminNav } from '../components/AdminNav';
import { ChartView } from '../components/Chart';
import { RequireUser } from '../components/RequireUser';
import { ErrorNote, Loading } from '../components/Status';
import { useApi } from '../useApi';

interface ActiveUsers {
  series: { period: string; users: number }[];
}
interface Popular {
  results: { id: number; title: string; activity: number; views: number; ratings: number; favorites: number }[];
}
interface Genres {
  by_activity: { name: string; activity: number }[];
}
interface Engagement {
  series: { period: string; active_users: number; events: number; new_users: number }[];
}

async function downloadCsv(report: string, query: string, setError: (e: Error) => void) {
  const res = await apiResponse(`/api/admin/analytics/${report}/?${query}&format=csv`);
  if (!res.ok) return setError(new Error(`The ${report} CSV could not be made (${res.status}).`));
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = `${report}.csv`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(url);
}

function Csv({ report, query, setError }: { report: string; query: string; setError: (e: Error) => void }) {
  return (
    <button type="button" className="secondary small" onClick={() => downloadCsv(report, query, setError)}>
      Download {report} CSV
    </button>
  );
}

function Dashboard() {
  const today = new Date().toISOString().slice(0, 10);
  const monthAgo = new Date(Date.now() - 29 * 86400e3).toISOString().slice(0, 10);
  const [from, setFrom] = useState(monthAgo);
  const [to, setTo] = useState(today);
  const [interval, setInterval] = useState('day');
  const [error, setError] = useState<Error | null>(null);
  const query = `from=${from}&to=${to}&interval=${interval}`;
  const active = useApi<ActiveUsers>(`/api/admin/analytics/active-users/?${query}`);
  const popular = useApi<Popular>(`/api/admin/analytics/popular-movies/?${query}&limit=10`);
  const genres = useApi<Genres>(`/api/admin/analytics/top-genres/?${query}&limit=10`);
  const engagement = useApi<Engagement>(`/api/admin/analytics/engagement/?${query}`);

  const activeChart = useMemo(
    () => ({ labels: active.data?.series.map((p) => p.period.slice(0, 10)) ?? [], series: [{ label: 'Active users', data: active.data?.series.map((p) => p.users) ?? [] }] }),
    [active.data],
  );
  const popularChart = useMemo(
    () => ({ labels: popular.data?.results.map((m) => m.title) ?? [], series: [{ label: 'Activity', data: popular.data?.results.map((m) => m.activity) ?? [] }] }),
    [popular.data],
  );
  const genreChart = useMemo(
    () => ({ labels: genres.data?.by_activity.map((g) => g.name) ?? [], series: [{ label: 'Activity', data: genres.data?.by_activity.map((g) => g.activity) ?? [] }] }),
    [genres.data],
  );
  const engagementChart = useMemo(
    () => ({
      labels: engagement.data?.series.map((p) => p.period.slice(0, 10)) ?? [],
      series: [
        { label: 'Events', data: engagement.data?.series.map((p) => p.events) ?? [] },
        { label: 'New users', data: engagement.data?.series.map((p) => p.new_users) ?? [] },
      ],
    }),
    [engagement.data],
  );

  return (
    <div>
      <h1>Admin: analytics</h1>
      <AdminNav />
      <form className="filters compact" aria-label="Window" onSubmit={(e) => e.preventDefault()}>
        <label>
          From
          <input type="date" value={from} max={to} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          To
          <input type="date" value={to} min={from} onChange={(e) => setTo(e.target.value)} />
        </label>
        <label>
          Interval
          <select value={interval} onChange={(e) => setInterval(e.target.value)}>
            <option value="day">Day</option>
            <option value="week">Week</option>
            <option value="month">Month</option>
          </select>
        </label>
      </form>
      <ErrorNote error={error || active.error || popular.error || genres.error || engagement.error} />
      {(active.loading || popular.loading) && <Loading />}
      <div className="charts">
        {active.data && (
          <div>
            <ChartView type="line" title="Active users" {...activeChart} />
            <Csv report="active-users" query={query} setError={setError} />
          </div>
        )}
        {engagement.data && (
          <div>
            <ChartView type="line" title="Engagement" {...engagementChart} />
            <Csv report="engagement" query={query} setError={setError} />
          </div>
        )}
        {popular.data && (
          <div>
            <ChartView type="bar" title="Most popular movies" {...popularChart} />
            <Csv report="popular-movies" query={query} setError={setError} />
          </div>
        )}
        {genres.data && (
          <div>
            <ChartView type="bar" title="Top genres" {...genreChart} />
            <Csv report="top-genres" query={query} setError={setError} />
          </div>
        )}
      </div>
    </div>
  );
}

export default function AdminAnalytics() {
  return (
    <RequireUser admin>
      <Dashboard />
    </RequireUser>
  );
}
