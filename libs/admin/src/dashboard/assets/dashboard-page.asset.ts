/** Response headers of the page. Scripts and styles come from the package's own assets only. */
export const DASHBOARD_PAGE_HEADERS = {
  contentSecurityPolicy:
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'self'; form-action 'none'; frame-ancestors 'none'",
} as const;

/** What the page is rendered with. */
export interface DashboardPageModel {
  title: string;
  /** `<base href>`: the page's own directory, relative, so a global prefix or a proxy path keeps working. */
  base: string;
  csrfToken: string;
  refreshIntervalMs: number;
  showPayloads: boolean;
}

/** The HTML shell; `assets/dashboard.js` fills it from the JSON/SSE API. */
export function renderDashboardPage(model: DashboardPageModel): string {
  const title = escapeHtml(model.title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<base href="${escapeHtml(model.base)}">
<title>${title}</title>
<meta name="tributary-csrf" content="${escapeHtml(model.csrfToken)}">
<meta name="tributary-refresh-ms" content="${model.refreshIntervalMs}">
<meta name="tributary-show-payloads" content="${model.showPayloads ? 'true' : 'false'}">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="assets/dashboard.css">
<script type="module" src="assets/dashboard.js"></script>
</head>
<body>
<header class="top">
  <h1>${title}</h1>
  <span id="connection" class="badge" data-state="connecting">connecting…</span>
  <span id="updated" class="muted"></span>
</header>
<div id="toast" role="status" aria-live="polite"></div>
<main>
  <section id="services" class="card"><h2>Services</h2><div class="body"></div></section>
  <section id="topology" class="card"><h2>Topology</h2><div class="body"></div></section>
  <section id="outbox" class="card"><h2>Outbox</h2><div class="body"></div></section>
  <section id="projections" class="card"><h2>Projections</h2><div class="body"></div></section>
  <section id="dead-letters" class="card"><h2>Dead letters</h2><div class="body"></div></section>
  <section id="jobs" class="card"><h2>Running work</h2><div class="body"></div></section>
</main>
<noscript>The Tributary dashboard needs JavaScript.</noscript>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
