import { NavLink } from 'react-router-dom';

/** The admin area's pages. */
export function AdminNav() {
  return (
    <nav className="admin-nav" aria-label="Admin">
      <NavLink to="/admin" end>
        Movies
      </NavLink>
      <NavLink to="/admin/users">Users</NavLink>
      <NavLink to="/admin/reports">Reports</NavLink>
      <NavLink to="/admin/analytics">Analytics</NavLink>
    </nav>
  );
}
