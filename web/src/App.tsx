import { lazy, Suspense, useEffect } from 'react';
import { Route, Routes, useLocation } from 'react-router-dom';
import { Header } from './components/Header';
import { Loading } from './components/Status';
import { Home } from './pages/Home';

// Everything but the home page loads when first visited.
const Browse = lazy(() => import('./pages/Browse'));
const Search = lazy(() => import('./pages/Search'));
const MoviePage = lazy(() => import('./pages/MoviePage'));
const SignIn = lazy(() => import('./pages/SignIn'));
const SignUp = lazy(() => import('./pages/SignUp'));
const VerifyEmail = lazy(() => import('./pages/VerifyEmail'));
const ResetPassword = lazy(() => import('./pages/ResetPassword'));
const Profile = lazy(() => import('./pages/Profile'));
const ListPage = lazy(() => import('./pages/ListPage'));
const UserPage = lazy(() => import('./pages/UserPage'));
const Feed = lazy(() => import('./pages/Feed'));
const Notifications = lazy(() => import('./pages/Notifications'));
const Plans = lazy(() => import('./pages/Plans'));
const AdminMovies = lazy(() => import('./pages/AdminMovies'));
const AdminAnalytics = lazy(() => import('./pages/AdminAnalytics'));
const AdminUsers = lazy(() => import('./pages/AdminUsers'));
const AdminReports = lazy(() => import('./pages/AdminReports'));
const OAuthDone = lazy(() => import('./pages/OAuthDone'));
const NotFound = lazy(() => import('./pages/NotFound'));

export function App() {
  const { pathname } = useLocation();
  useEffect(() => {
    // a block: Chromium's scrollTo returns a promise, which React would take for a cleanup
    window.scrollTo(0, 0);
  }, [pathname]);
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <Header />
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading />}>
          <Routes>
            <Route path="/" element={<Home />} />
            <Route path="/browse" element={<Browse />} />
            <Route path="/search" element={<Search />} />
            <Route path="/movies/:id" element={<MoviePage />} />
            <Route path="/signin" element={<SignIn />} />
            <Route path="/signup" element={<SignUp />} />
            <Route path="/verify-email" element={<VerifyEmail />} />
            <Route path="/reset-password" element={<ResetPassword />} />
            <Route path="/me" element={<Profile />} />
            <Route path="/lists/:id" element={<ListPage />} />
            <Route path="/users/:username" element={<UserPage />} />
            <Route path="/feed" element={<Feed />} />
            <Route path="/notifications" element={<Notifications />} />
            <Route path="/plans" element={<Plans />} />
            <Route path="/admin" element={<AdminMovies />} />
            <Route path="/admin/analytics" element={<AdminAnalytics />} />
            <Route path="/admin/users" element={<AdminUsers />} />
            <Route path="/admin/reports" element={<AdminReports />} />
            <Route path="/oauth/done" element={<OAuthDone />} />
            <Route path="*" element={<NotFound />} />
          </Routes>
        </Suspense>
      </main>
      <footer className="footer">
        <p>
          Marquee · <a href="/api/docs/">API documentation</a> · Film data and posters from TMDb
        </p>
      </footer>
    </>
  );
}
