// Administrators: the reports queue (GET /api/admin/reports/), open ones
// first by default.  A report is resolved or dismissed with a note
// (PUT), or what it reports is removed (DELETE: the review deleted, the
// comment blanked, the user deactivated; every open report of it resolved).
import { useState } from 'react';
import { api, qs, type Page } from '../api';
import { AdminNav } from '../components/AdminNav';
import { Pager } from '../components/Pager';
import { RequireUser } from '../components/RequireUser';
import { ErrorNote, Loading } from '../components/Status';
import { useApi } from '../useApi';

interface Report {
  id: number;
  kind: 'review' | 'comment' | 'user';
  target: number;
  content: string | null;
  reason: string;
  details: string;
  status: 'open' | 'resolved' | 'dismissed';
  note: string;
  reporter: string | null;
  resolved_by: string | null;
  created_at: string;
  resolved_at: string | null;
}

const REMOVE: Record<Report['kind'], string> = {
  review: 'Delete the review',
  comment: 'Delete the comment',
  user: 'Deactivate the user',
};

function ReportItem({ r, reload, setMessage, setError }: { r: Report; reload: () => void; setMessage: (m: string) => void; setError: (e: Error | null) => void }) {
  const [note, setNote] = useState('');
  const act = async (f: () => Promise<unknown>, done: string) => {
    setError(null);
    setMessage('');
    try {
      await f();
      setMessage(done);
      reload();
    } catch (e) {
      setError(e as Error);
    }
  };
  const decide = (status: 'resolved' | 'dismissed') =>
    act(() => api(`/api/admin/reports/${r.id}/`, { method: 'PUT', json: { status, note } }), `Report ${r.id} ${status}.`);
  const remove = () => {
    if (window.confirm(`${REMOVE[r.kind]}? Every open report of it is resolved.`))
      act(() => api(`/api/admin/reports/${r.id}/`, { method: 'DELETE' }), `Done: report ${r.id} and the others of it are resolved.`);
  };
  return (
    <li aria-label={`Report ${r.id}`}>
      <div>
        <p>
          <strong>
            {r.kind} · {r.reason}
          </strong>{' '}
          <span className="hint">
            by {r.reporter ?? 'a deleted user'} · {new Date(r.created_at).toLocaleString()} · {r.status}
            {r.resolved_by && ` by ${r.resolved_by}`}
          </span>
        </p>
        <blockquote className="reported">{r.content ?? '(gone)'}</blockquote>
        {r.details && <p className="hint">“{r.details}”</p>}
        {r.note && <p className="hint">Note: {r.note}</p>}
      </div>
      {r.status === 'open' && (
        <div className="report-actions">
          <label>
            Note
            <input value={note} onChange={(e) => setNote(e.target.value)} maxLength={1000} />
          </label>
          <div className="action-buttons">
            <button type="button" className="small" onClick={() => decide('resolved')}>
              Resolve
            </button>
            <button type="button" className="secondary small" onClick={() => decide('dismissed')}>
              Dismiss
            </button>
            {r.content !== null && (
              <button type="button" className="danger small" onClick={remove}>
                {REMOVE[r.kind]}
              </button>
            )}
          </div>
        </div>
      )}
    </li>
  );
}

function Queue() {
  const [status, setStatus] = useState('open');
  const [kind, setKind] = useState('');
  const [page, setPage] = useState(1);
  const [error, setError] = useState<Error | null>(null);
  const [message, setMessage] = useState('');
  const reports = useApi<Page<Report>>(`/api/admin/reports/${qs({ status, kind, page, page_size: 20 })}`);
  return (
    <div>
      <h1>Admin: reports</h1>
      <AdminNav />
      <form className="filters compact" aria-label="Reports" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select value={status} onChange={(e) => (setStatus(e.target.value), setPage(1))}>
            <option value="open">Open</option>
            <option value="resolved">Resolved</option>
            <option value="dismissed">Dismissed</option>
          </select>
        </label>
        <label>
          Kind
          <select value={kind} onChange={(e) => (setKind(e.target.value), setPage(1))}>
            <option value="">Any</option>
            <option value="review">Reviews</option>
            <option value="comment">Comments</option>
            <option value="user">Users</option>
          </select>
        </label>
      </form>
      {message && (
        <p className="hint" role="status">
          {message}
        </p>
      )}
      <ErrorNote error={error || reports.error} />
      {reports.loading && !reports.data && <Loading />}
      {reports.data?.results.length === 0 && <p>Nothing here: the queue is empty.</p>}
      <ul className="admin-rows">
        {reports.data?.results.map((r) => (
          <ReportItem key={r.id} r={r} reload={reports.reload} setMessage={setMessage} setError={setError} />
        ))}
      </ul>
      {reports.data && <Pager page={page} hasNext={!!reports.data.next} onPage={setPage} label="Report pages" />}
    </div>
  );
}

export default function AdminReports() {
  return (
    <RequireUser admin>
      <Queue />
    </RequireUser>
  );
}
