/** Default route of the dashboard page. */
export const DEFAULT_DASHBOARD_PATH = '/tributary';

/** Cookie that holds the CSRF token of a browser session (double-submit; HttpOnly). */
export const DASHBOARD_CSRF_COOKIE = 'tributary_dashboard_csrf';

/** Header a POST must carry with the token the page embeds. */
export const DASHBOARD_CSRF_HEADER = 'x-tributary-csrf';

/** Actor name of dashboard actions when no basic-auth user is known. */
export const DASHBOARD_ACTOR_NAME = 'dashboard';
