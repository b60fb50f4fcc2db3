/**
 * Hash routing: `#/runs` (the table, also the default), `#/runs/<id>` (one
 * run) and `#/new` (the New run form). The hash keeps the app a single static page, so it works from
 * `cfm serve` and from file:// in Electron alike, and the back button works.
 */
export type Route = { view: 'runs' } | { view: 'run'; id: number } | { view: 'new' } | { view: 'missing'; path: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/runs';
  if (path === '/' || path === '/runs') return { view: 'runs' };
  if (path === '/new') return { view: 'new' };
  const m = /^\/runs\/(\d{1,15})$/.exec(path);
  if (m) return { view: 'run', id: Number(m[1]) };
  return { view: 'missing', path };
}

export const runHref = (id: number): string => `#/runs/${id}`;

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
