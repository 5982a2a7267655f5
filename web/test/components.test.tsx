import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clearSession } from '../src/api';
import { Histogram } from '../src/components/Histogram';
import { Poster } from '../src/components/Poster';
import { Stars } from '../src/components/Stars';
import Search from '../src/pages/Search';
import Browse from '../src/pages/Browse';
import type { Movie } from '../src/api';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  clearSession();
});

const movie = (over: Partial<Movie> = {}): Movie => ({
  id: 1,
  tmdb_id: 653,
  title: 'Nosferatu',
  original_title: 'Nosferatu',
  overview: '',
  release_date: '1922-03-04',
  year: 1922,
  runtime: 94,
  original_language: 'de',
  popularity: 10,
  rating: 4.2,
  ratings_count: 3,
  poster_url: null,
  backdrop_url: null,
  poster_sizes: null,
  backdrop_sizes: null,
  genres: [],
  ...over,
});

function page(results: Movie[], extra: object = {}) {
  return new Response(JSON.stringify({ count: results.length, next: null, previous: null, results, ...extra }), {
    status: 200,
    headers: { 'Content-Type': 'application/json' },
  });
}

describe('Stars', () => {
  it('rates in half stars and says the value', () => {
    const onRate = vi.fn();
    render(<Stars value={3} onRate={onRate} />);
    expect(screen.getAllByRole('button')).toHaveLength(10);
    fireEvent.click(screen.getByRole('button', { name: '3.5 stars' }));
    expect(onRate).toHaveBeenCalledWith(3.5);
    expect(screen.getByRole('button', { name: '3 stars' }).getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByText('3.0 / 5')).toBeTruthy();
  });
});

describe('Poster', () => {
  it('uses the sized URL when there is one', () => {
    render(<Poster movie={movie({ poster_url: 'https://x/w500.jpg', poster_sizes: { w342: 'https://x/w342.jpg' } })} />);
    expect(screen.getByRole('img').getAttribute('src')).toBe('https://x/w342.jpg');
  });
  it('shows a neutral placeholder with the title without one', () => {
    render(<Poster movie={movie()} />);
    expect(screen.getByRole('img', { name: 'Nosferatu (no poster)' })).toBeTruthy();
  });
});

describe('Histogram', () => {
  it('has a bar for every half star, highest first', () => {
    render(<Histogram histogram={{ '0.5': 0, '1.0': 1, '5.0': 4 }} />);
    const labels = screen.getAllByRole('listitem').map((li) => li.textContent);
    expect(labels).toEqual(['5.04', '1.01', '0.50']);
  });
});

describe('Search', () => {
  it('shows the typo correction the API made', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => page([movie()], { search: 'corrected', corrected_q: 'nosferatu' })));
    render(
      <MemoryRouter initialEntries={['/search?q=nosferatoo']}>
        <Routes>
          <Route path="/search" element={<Search />} />
        </Routes>
      </MemoryRouter>,
    );
    await waitFor(() => expect(screen.getByRole('status').textContent).toContain('showing results for nosferatu'));
    expect(screen.getByRole('heading', { name: 'Nosferatu' })).toBeTruthy();
  });
});

describe('Browse', () => {
  it('sends the filters of the URL to the API', async () => {
    const urls: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        urls.push(url);
        return page(url.startsWith('/api/genres/') ? [] : [movie()]);
      }),
    );
    render(
      <MemoryRouter initialEntries={['/browse?genre=horror&year=1920-1929&ordering=-rating&runtime_max=100']}>
        <Routes>
          <Route path="/browse" element={<Browse />} />
        </Routes>
      </MemoryRouter>,
    );
    await waitFor(() => expect(screen.getByText('1 movie')).toBeTruthy());
    const movies = new URL(urls.find((u) => u.startsWith('/api/movies/'))!, 'http://x');
    expect(Object.fromEntries(movies.searchParams)).toEqual({
      genre: 'horror',
      year: '1920-1929',
      ordering: '-rating',
      runtime_max: '100',
      page_size: '24',
    });
    expect((screen.getByLabelText('Order by') as HTMLSelectElement).value).toBe('-rating');
  });
});
