/**
 * Hash routing: `#/runs` (the table, also the default), `#/runs/<id>` (one
 * run), `#/new` (the New run form), `#/compare/<id>,<id>,...` (runs side by
 * side) and `#/datasets`. The hash keeps the app a single static page, so it works from
 * `cfm serve` and from file:// in Electron alike, and the back button works.
 */
export type Route =
  | { view: 'runs' }
  | { view: 'run'; id: number }
  | { view: 'new' }
  | { view: 'compare'; ids: number[] }
  | { view: 'datasets' }
  | { view: 'missing'; path: string };

/** Most runs one comparison shows (the API's compareRuns limit). */
export const MAX_COMPARE = 20;

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/runs';
  if (path === '/' || path === '/runs') return { view: 'runs' };
  if (path === '/new') return { view: 'new' };
  if (path === '/datasets') return { view: 'datasets' };
  const c = /^\/compare\/(\d{1,15}(?:,\d{1,15}){0,19})$/.exec(path);
  if (c) return { view: 'compare', ids: [...new Set(c[1]!.split(',').map(Number))] };
  const m = /^\/runs\/(\d{1,15})$/.exec(path);
  if (m) return { view: 'run', id: Number(m[1]) };
  return { view: 'missing', path };
}

export const runHref = (id: number): string => `#/runs/${id}`;
export const compareHref = (ids: readonly number[]): string => `#/compare/${ids.join(',')}`;

class Router {
  route = $state<Route>(parseRoute(location.hash));
  /** The last run opened, so the nav can return to it. */
  lastRun = $state<number | undefined>(undefined);

  constructor() {
    if (this.route.view === 'run') this.lastRun = this.route.id;
    addEventListener('hashchange', () => {
      this.route = parseRoute(location.hash);
      if (this.route.view === 'run') this.lastRun = this.route.id;
    });
  }
}

export const router = new Router();
