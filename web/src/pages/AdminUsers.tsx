// Administrators: the accounts (GET /api/admin/users/), searched and
// filtered; an account's role and activation changed with PATCH (which
// ends its sessions).  One's own account cannot be demoted or deactivated
// (the API says so; the buttons are not offered).
import { useState, type FormEvent } from 'react';
import { api, qs, type Page } from '../api';
import { AdminNav } from '../components/AdminNav';
import { Pager } from '../components/Pager';
import { RequireUser } from '../components/RequireUser';
import { ErrorNote, Loading } from '../components/Status';
import { useSession } from '../session';
import { useApi } from '../useApi';

interface AdminUser {
  id: number;
  username: string;
  email: string;
  role: 'user' | 'admin';
  is_active: boolean;
  email_verified: boolean;
  date_joined: string;
  last_login: string | null;
}

function Users() {
  const { user: me } = useSession();
  const [draft, setDraft] = useState('');
  const [search, setSearch] = useState('');
  const [role, setRole] = useState('');
  const [active, setActive] = useState('');
  const [page, setPage] = useState(1);
  const [error, setError] = useState<Error | null>(null);
  const [message, setMessage] = useState('');
  const users = useApi<Page<AdminUser>>(`/api/admin/users/${qs({ search, role, is_active: active, page, page_size: 25, ordering: 'username' })}`);
  const find = (e: FormEvent) => {
    e.preventDefault();
    setPage(1);
    setSearch(draft.trim());
  };
  const patch = async (u: AdminUser, change: Partial<AdminUser>, done: string) => {
    setError(null);
    setMessage('');
    try {
      await api(`/api/admin/users/${u.id}/`, { method: 'PATCH', json: change });
      setMessage(done);
      users.reload();
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <div>
      <h1>Admin: users</h1>
      <AdminNav />
      <form className="filters compact" role="search" aria-label="Accounts" onSubmit={find}>
        <label>
          Username or address
          <input type="search" value={draft} onChange={(e) => setDraft(e.target.value)} maxLength={100} />
        </label>
        <label>
          Role
          <select value={role} onChange={(e) => (setRole(e.target.value), setPage(1))}>
            <option value="">Any</option>
            <option value="user">User</option>
            <option value="admin">Admin</option>
          </select>
        </label>
        <label>
          State
          <select value={active} onChange={(e) => (setActive(e.target.value), setPage(1))}>
            <option value="">Any</option>
            <option value="true">Active</option>
            <option value="false">Deactivated</option>
          </select>
        </label>
        <div className="filter-actions">
          <button type="submit">Find</button>
        </div>
      </form>
      {message && (
        <p className="hint" role="status">
          {message}
        </p>
      )}
      <ErrorNote error={error || users.error} />
      {users.loading && !users.data && <Loading />}
      {users.data && (
        <>
          <p className="hint">{users.data.count === 1 ? '1 account' : `${users.data.count} accounts`}</p>
          <ul className="admin-rows">
            {users.data.results.map((u) => (
              <li key={u.id} aria-label={u.username}>
                <div>
                  <strong>{u.username}</strong> <span className="hint">{u.email}</span>
                  <p className="hint">
                    {u.role === 'admin' ? 'Administrator' : 'User'} · {u.is_active ? 'active' : 'deactivated'} · joined{' '}
                    {new Date(u.date_joined).toLocaleDateString()} · last sign-in{' '}
                    {u.last_login ? new Date(u.last_login).toLocaleString() : 'never'}
                  </p>
                </div>
                {u.id !== me?.id && (
                  <div className="action-buttons">
                    <button
                      type="button"
                      className="secondary small"
                      onClick={() => patch(u, { role: u.role === 'admin' ? 'user' : 'admin' }, `${u.username} is now ${u.role === 'admin' ? 'a user' : 'an administrator'}.`)}
                    >
                      {u.role === 'admin' ? 'Make user' : 'Make admin'}
                    </button>
                    <button
                      type="button"
                      className="secondary small"
                      onClick={() => patch(u, { is_active: !u.is_active }, `${u.username} is ${u.is_active ? 'deactivated' : 'active again'}.`)}
                    >
                      {u.is_active ? 'Deactivate' : 'Activate'}
                    </button>
                  </div>
                )}
              </li>
            ))}
          </ul>
          <Pager page={page} hasNext={!!users.data.next} onPage={setPage} label="Account pages" />
        </>
      )}
    </div>
  );
}

export default function AdminUsers() {
  return (
    <RequireUser admin>
      <Users />
    </RequireUser>
  );
}
