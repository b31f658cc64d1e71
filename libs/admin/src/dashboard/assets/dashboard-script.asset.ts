// The asset's text lives in a TypeScript module so tsc ships it in dist with the rest of the package.
// Keep it free of backticks and dollar-brace sequences (it is a template literal).
/** The page's one ES module (framework-free), served as `assets/dashboard.js`. */
export const DASHBOARD_SCRIPT = String.raw`// Tributary dashboard: draws the admin API's snapshot; live over SSE, polling as the fallback.
// Framework-free on purpose: one module, no build step, nothing fetched from elsewhere.
const meta = (name) => document.querySelector('meta[name="' + name + '"]').getAttribute('content');
const csrfToken = meta('tributary-csrf');
const refreshMs = Number(meta('tributary-refresh-ms')) || 3000;
const showPayloads = meta('tributary-show-payloads') === 'true';
const forcePolling = new URLSearchParams(location.search).get('live') === 'poll';
const SVG_NS = 'http://www.w3.org/2000/svg';

const state = {
  snapshot: null,
  jobs: new Map(),
  selectedRows: new Set(),
  selectedLetters: new Set(),
  rowFilter: '',
  letterTopic: '',
  rendered: new Map(),
  pollTimer: null,
};

// ---------- DOM helpers (no innerHTML: every text from the server is set as text) ----------

function build(el, attrs, children) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'checked' || key === 'disabled' || key === 'value') el[key] = value;
    else el.setAttribute(key === 'className' ? 'class' : key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}
const h = (tag, attrs, ...children) => build(document.createElement(tag), attrs, children);
const svg = (tag, attrs, ...children) => build(document.createElementNS(SVG_NS, tag), attrs, children);

function sectionBody(id) {
  return document.querySelector('#' + id + ' > .body');
}

/** Redraw a section only when what it shows changed (keeps focus, selection and scroll). */
function renderSection(id, inputs, draw) {
  const key = JSON.stringify(inputs);
  if (state.rendered.get(id) === key) return;
  state.rendered.set(id, key);
  sectionBody(id).replaceChildren(...[draw(inputs)].flat());
}

function errorBox(message) {
  return h('p', { className: 'error' }, 'Could not read this part: ' + message);
}

function empty(text) {
  return h('p', { className: 'muted' }, text);
}

function ago(iso) {
  if (!iso) return '—';
  const seconds = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
  if (seconds < 60) return seconds + ' s ago';
  if (seconds < 3600) return Math.round(seconds / 60) + ' min ago';
  if (seconds < 86400) return Math.round(seconds / 3600) + ' h ago';
  return Math.round(seconds / 86400) + ' d ago';
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 60) return Math.round(seconds) + ' s';
  if (seconds < 3600) return Math.round(seconds / 60) + ' min';
  return (seconds / 3600).toFixed(1) + ' h';
}

function time(iso) {
  return h('time', { datetime: iso, title: iso }, ago(iso));
}

function badge(text, kind) {
  return h('span', { className: 'badge', 'data-kind': kind || text }, text);
}

function progressBar(ratio, label) {
  const pct = Math.max(0, Math.min(100, Math.floor((ratio || 0) * 100)));
  const fill = h('div', { className: 'fill' });
  fill.style.width = pct + '%';
  return h('div', { className: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': pct, 'aria-label': label },
    fill, h('span', { className: 'progress-label' }, pct + ' %'));
}

function stat(label, value, warn) {
  return h('div', { className: 'stat' + (warn ? ' warn' : '') }, h('span', { className: 'stat-value' }, value), h('span', { className: 'stat-label' }, label));
}

function payloadCell(item) {
  if (!showPayloads || item.payload === undefined) return null;
  return h('td', {}, h('details', {}, h('summary', {}, 'payload'), h('pre', {}, item.payload)));
}

// ---------- sections ----------

function drawServices(section) {
  if (section.error) return errorBox(section.error);
  const services = section.data;
  if (services.length === 0) return empty('No service has announced itself in the registry yet.');
  const rows = [];
  for (const service of services) {
    const instances = service.instances.length ? service.instances : [null];
    instances.forEach((instance, i) => {
      rows.push(h('tr', { 'data-service': service.service },
        i === 0 ? h('th', { rowspan: instances.length, scope: 'row' }, service.service, h('div', { className: 'muted' }, service.versions.join(', '))) : null,
        instance
          ? [
              h('td', { className: 'mono' }, instance.id),
              h('td', {}, instance.version),
              h('td', {}, instance.host),
              h('td', { className: 'mono' }, instance.endpoints.map((e) => e.transport + '://' + e.host + ':' + e.port).join(' ') || '—'),
              h('td', {}, time(instance.startedAt)),
              h('td', {}, time(instance.heartbeatAt)),
              h('td', {}, instance.alive ? badge('alive') : badge('stale')),
            ]
          : h('td', { colspan: 7, className: 'muted' }, 'no live instance')));
    });
  }
  return h('table', {},
    h('thead', {}, h('tr', {}, ['Service', 'Instance', 'Version', 'Host', 'Endpoints', 'Started', 'Heartbeat', 'State'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows));
}

/** Layers by longest path (cycles broken by a depth-first search), ordered by barycenters. */
function layoutGraph(nodeList, edges) {
  const ids = new Set(nodeList.map((n) => n.id));
  for (const e of edges) { ids.add(e.from); ids.add(e.to); }
  const names = [...ids].sort();
  const successors = new Map(names.map((id) => [id, new Set()]));
  for (const e of edges) if (e.from !== e.to) successors.get(e.from).add(e.to);
  const dag = new Map(names.map((id) => [id, []]));
  const mark = new Map();
  const finished = [];
  const visit = (u) => {
    mark.set(u, 1);
    for (const v of successors.get(u)) {
      if (mark.get(v) === 1) continue; // back edge: drawn, but not used for layering
      dag.get(u).push(v);
      if (!mark.get(v)) visit(v);
    }
    mark.set(u, 2);
    finished.push(u);
  };
  for (const id of names) if (!mark.get(id)) visit(id);
  const layerOf = new Map(names.map((id) => [id, 0]));
  for (const u of finished.reverse()) for (const v of dag.get(u)) layerOf.set(v, Math.max(layerOf.get(v), layerOf.get(u) + 1));
  const layers = [];
  for (const id of names) (layers[layerOf.get(id)] = layers[layerOf.get(id)] || []).push(id);
  const predecessors = new Map(names.map((id) => [id, []]));
  for (const [u, vs] of dag) for (const v of vs) predecessors.get(v).push(u);
  for (let pass = 0; pass < 2; pass++) {
    for (let l = 1; l < layers.length; l++) {
      const index = new Map(layers[l - 1].map((id, i) => [id, i]));
      const weight = (id, fallback) => {
        const ps = predecessors.get(id).filter((p) => index.has(p));
        return ps.length ? ps.reduce((sum, p) => sum + index.get(p), 0) / ps.length : fallback;
      };
      layers[l] = layers[l].map((id, i) => [id, weight(id, i)]).sort((a, b) => a[1] - b[1]).map((x) => x[0]);
    }
  }
  return { layers, layerOf };
}

const PSEUDO_NODES = { callers: 'RPC callers (not recorded)', external: 'publishers outside the registry' };

function drawTopology(section) {
  if (section.error) return errorBox(section.error);
  const { nodes, edges } = section.data;
  if (nodes.length === 0 && edges.length === 0) return empty('Nothing to draw: no service in the registry yet.');
  const W = 200, H = 56, GAP_X = 230, GAP_Y = 74, PAD = 24, LANE = 24;
  const { layers, layerOf } = layoutGraph(nodes, edges);
  const grouped = new Map();
  for (const e of edges) {
    const key = e.from + '\u0000' + e.to + '\u0000' + e.kind;
    if (!grouped.has(key)) grouped.set(key, { from: e.from, to: e.to, kind: e.kind, labels: [] });
    grouped.get(key).labels.push(e.kind === 'event' && e.topic ? e.label + ' @ ' + e.topic : e.label);
  }
  // Edges between neighbouring layers run in the gap; longer ones get a lane above the nodes,
  // backward and same-layer ones a lane below.
  const routes = [...grouped.values()].map((g) => {
    const span = layerOf.get(g.to) - layerOf.get(g.from);
    return { ...g, route: g.from === g.to ? 'self' : span === 1 ? 'gap' : span > 1 ? 'above' : 'below' };
  });
  const above = routes.filter((r) => r.route === 'above');
  const below = routes.filter((r) => r.route === 'below');
  const top = PAD + above.length * LANE + (above.length ? 24 : 0) + (routes.some((r) => r.route === 'self') ? 40 : 0);
  const tallest = Math.max(...layers.map((l) => l.length));
  const position = new Map();
  layers.forEach((layer, l) => {
    const offset = ((tallest - layer.length) * (H + GAP_Y)) / 2;
    layer.forEach((id, i) => position.set(id, { x: PAD + l * (W + GAP_X), y: top + offset + i * (H + GAP_Y) }));
  });
  const bottom = top + tallest * (H + GAP_Y) - GAP_Y;
  const width = PAD * 2 + layers.length * W + (layers.length - 1) * GAP_X;
  const height = bottom + (below.length ? 24 + below.length * LANE : 0) + PAD;
  const edgeEls = [];
  const labelEls = [];
  for (const g of routes) {
    const a = position.get(g.from), b = position.get(g.to);
    const shift = g.kind === 'rpc' ? 10 : -10;
    let d, mid;
    if (g.route === 'self') {
      const x = a.x + W / 2, y = a.y;
      d = 'M' + (x - 24) + ',' + y + ' C' + (x - 34) + ',' + (y - 44) + ' ' + (x + 34) + ',' + (y - 44) + ' ' + (x + 24) + ',' + y;
      mid = { x, y: y - 40 };
    } else if (g.route === 'gap') {
      const x1 = a.x + W, y1 = a.y + H / 2 + shift / 2, x2 = b.x, y2 = b.y + H / 2 + shift / 2, cx = (x1 + x2) / 2;
      d = 'M' + x1 + ',' + y1 + ' C' + cx + ',' + y1 + ' ' + cx + ',' + y2 + ' ' + x2 + ',' + y2;
      mid = { x: cx, y: (y1 + y2) / 2 };
    } else {
      const up = g.route === 'above';
      const lane = up ? PAD + above.indexOf(g) * LANE : bottom + 24 + below.indexOf(g) * LANE;
      const x1 = a.x + W / 2 + shift, y1 = up ? a.y : a.y + H, x2 = b.x + W / 2 - shift, y2 = up ? b.y : b.y + H;
      const control = (lane - 0.125 * (y1 + y2)) / 0.75; // puts the curve's middle on the lane
      d = 'M' + x1 + ',' + y1 + ' C' + x1 + ',' + control + ' ' + x2 + ',' + control + ' ' + x2 + ',' + y2;
      mid = { x: (x1 + x2) / 2, y: lane };
    }
    const text = g.labels[0] + (g.labels.length > 1 ? '  +' + (g.labels.length - 1) : '');
    const shown = text.length > 32 ? text.slice(0, 31) + '…' : text;
    const tip = (g.kind === 'rpc' ? 'RPC ' : 'events ') + g.from + ' → ' + g.to + ':\n' + g.labels.join('\n');
    edgeEls.push(svg('path', { d, className: 'edge edge-' + g.kind, 'marker-end': 'url(#arrow-' + g.kind + ')' }, svg('title', {}, tip)));
    const labelWidth = shown.length * 6.4 + 10;
    labelEls.push(svg('g', { className: 'edge-label edge-label-' + g.kind },
      svg('rect', { x: mid.x - labelWidth / 2, y: mid.y - 9, width: labelWidth, height: 18, rx: 4 }),
      svg('text', { x: mid.x, y: mid.y + 4, 'text-anchor': 'middle' }, shown),
      svg('title', {}, tip)));
  }
  const info = new Map(nodes.map((n) => [n.id, n]));
  const maxName = Math.floor((W - 20) / 8.4);
  const nodeEls = [...position].map(([id, p]) => {
    const n = info.get(id);
    const pseudo = PSEUDO_NODES[id] !== undefined && (!n || n.instances === 0);
    const detail = pseudo ? PSEUDO_NODES[id] : n ? n.instances + (n.instances === 1 ? ' instance' : ' instances') + (n.versions.length ? ' · ' + n.versions.join(', ') : '') : 'not in the registry';
    return svg('g', { className: 'node' + (pseudo || !n || n.instances === 0 ? ' node-external' : ''), 'data-node': id },
      svg('rect', { x: p.x, y: p.y, width: W, height: H, rx: 8 }),
      svg('text', { x: p.x + W / 2, y: p.y + 23, 'text-anchor': 'middle', className: 'node-name' }, id.length > maxName ? id.slice(0, maxName - 1) + '…' : id),
      svg('text', { x: p.x + W / 2, y: p.y + 41, 'text-anchor': 'middle', className: 'node-detail' }, detail),
      svg('title', {}, id + '\n' + detail));
  });
  const marker = (kind) => svg('marker', { id: 'arrow-' + kind, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
    svg('path', { d: 'M0,0 L10,5 L0,10 z', className: 'arrow-' + kind }));
  const graph = svg('svg', { viewBox: '0 0 ' + width + ' ' + height, width, height, role: 'img', 'aria-label': 'Topology: services, events and RPC calls' },
    svg('defs', {}, marker('event'), marker('rpc')), edgeEls, nodeEls, labelEls);
  const legend = h('p', { className: 'legend' }, h('span', { className: 'key key-event' }), 'events (publisher → consumer)', h('span', { className: 'key key-rpc' }), 'RPC (callers → server)');
  return [h('div', { className: 'graph' }, graph), legend];
}

function drawOutbox(input) {
  const { section, filter, selected } = input;
  if (section.error) return errorBox(section.error);
  const { status, deadRows } = section.data;
  if (!status) return empty('This app has no outbox.');
  const needle = filter.toLowerCase();
  const rows = deadRows.filter((r) => !needle || [r.type, r.key, r.lastError, r.topic].some((v) => v && v.toLowerCase().includes(needle)));
  const stats = h('div', { className: 'stats' },
    stat('pending', status.pending),
    stat('oldest pending', duration(status.oldestPendingAgeSeconds), status.oldestPendingAgeSeconds > 60),
    stat('retrying', status.retrying, status.retrying > 0),
    stat('dead', status.dead, status.dead > 0),
    h('div', { className: 'muted table-name' }, 'table ', h('code', {}, status.table)));
  if (deadRows.length === 0) return [stats, empty('No dead rows.')];
  const toolbar = h('div', { className: 'toolbar' },
    h('input', { type: 'search', placeholder: 'filter by type, key, error…', 'data-filter': 'rows', value: filter, 'aria-label': 'Filter dead rows' }),
    h('button', { 'data-action': 'requeue-rows', disabled: selected.length === 0 }, 'Requeue selected'),
    h('button', { 'data-action': 'purge-rows', className: 'danger', disabled: selected.length === 0 }, 'Purge selected'),
    h('button', { 'data-action': 'requeue-all-rows' }, 'Requeue all dead'));
  const table = h('table', { className: 'dead-rows' },
    h('thead', {}, h('tr', {},
      h('th', {}, h('input', { type: 'checkbox', 'data-select-all': 'rows', 'aria-label': 'Select all dead rows', checked: rows.length > 0 && rows.every((r) => selected.includes(r.id)) })),
      ['Row', 'Type', 'Key', 'Topic', 'Attempts', 'Last error', 'Died'].map((c) => h('th', { scope: 'col' }, c)),
      showPayloads ? h('th', {}, 'Payload') : null)),
    h('tbody', {}, rows.map((r) => h('tr', { 'data-row-id': r.id },
      h('td', {}, h('input', { type: 'checkbox', 'data-select': 'rows', 'data-id': r.id, checked: selected.includes(r.id), 'aria-label': 'Select row ' + r.id })),
      h('td', { className: 'mono' }, r.id),
      h('td', {}, r.type),
      h('td', { className: 'mono' }, r.key === null ? '—' : r.key),
      h('td', { className: 'mono' }, r.topic),
      h('td', {}, r.attempts),
      h('td', { className: 'error-text' }, r.lastError || '—'),
      h('td', {}, time(r.diedAt)),
      payloadCell(r)))));
  return [stats, toolbar, h('div', { className: 'scroll' }, table), deadRows.length > rows.length ? empty((deadRows.length - rows.length) + ' hidden by the filter') : null];
}

function latestJob(label) {
  return [...state.jobs.values()].filter((j) => j.label === label).sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1))[0];
}

function drawProjections(input) {
  const { section, jobs } = input;
  if (section.error) return errorBox(section.error);
  const projections = section.data;
  if (projections.length === 0) return empty('No projection in this app.');
  return h('div', { className: 'scroll' }, h('table', { className: 'projections' },
    h('thead', {}, h('tr', {}, ['Projection', 'Service', 'State', 'Lag', 'Partitions', 'Last error', 'Rebuild', ''].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, projections.map((p) => {
      const job = jobs.find((j) => j.label === 'rebuild ' + p.name);
      const record = p.rebuild;
      let rebuild = h('span', { className: 'muted' }, '—');
      if (job && job.state === 'failed') rebuild = h('span', { className: 'error-text' }, 'failed: ' + job.error);
      else if (job) rebuild = [progressBar(job.state === 'done' ? 1 : job.progress ? job.progress.ratio : 0, 'Rebuild of ' + p.name), h('div', { className: 'muted' }, job.state === 'done' ? 'done by ' + job.actor : job.progress ? job.progress.done + ' / ' + job.progress.total : 'starting…')];
      else if (record) rebuild = [progressBar(record.finishedAt ? 1 : record.progress.ratio, 'Rebuild of ' + p.name), h('div', { className: 'muted' }, (record.finishedAt ? 'done ' : 'started ') + ago(record.finishedAt || record.startedAt) + ' by ' + record.startedBy)];
      const running = (job && job.state === 'running') || (record && !record.finishedAt);
      return h('tr', { 'data-projection': p.name },
        h('th', { scope: 'row' }, p.name),
        h('td', {}, p.service || '—'),
        h('td', {}, badge(p.state)),
        h('td', { className: p.lag > 0 ? 'warn' : '' }, p.lag),
        h('td', { className: 'partitions' }, p.partitions.map((pt) => h('div', { className: 'mono' }, pt.topic + '[' + pt.partition + '] ' + (pt.checkpoint === null ? '–' : pt.checkpoint) + ' / ' + pt.highWatermark + (pt.lag ? ' (lag ' + pt.lag + ')' : '')))),
        h('td', { className: 'error-text' }, p.lastError || ''),
        h('td', { className: 'rebuild' }, rebuild),
        h('td', {}, h('button', { 'data-action': 'rebuild', 'data-name': p.name, disabled: running }, 'Rebuild')));
    }))));
}

function drawDeadLetters(input) {
  const { section, topic, selected } = input;
  if (section.error) return errorBox(section.error);
  const { topics, letters } = section.data;
  if (topics.length === 0) return empty('No dead-letter topic.');
  const shown = letters.filter((l) => !topic || l.topic === topic);
  const toolbar = h('div', { className: 'toolbar' },
    h('select', { 'data-filter': 'letter-topic', 'aria-label': 'Dead-letter topic' },
      h('option', { value: '' }, 'all topics (' + topics.length + ')'),
      topics.map((t) => { const o = h('option', { value: t }, t); o.selected = t === topic; return o; })),
    h('button', { 'data-action': 'replay-letters', disabled: selected.length === 0 }, 'Replay selected'),
    h('button', { 'data-action': 'archive-letters', className: 'danger', disabled: selected.length === 0 }, 'Archive selected'));
  if (shown.length === 0) return [toolbar, empty('No dead letters waiting.')];
  const table = h('table', { className: 'dead-letters' },
    h('thead', {}, h('tr', {},
      h('th', {}, h('input', { type: 'checkbox', 'data-select-all': 'letters', 'aria-label': 'Select all dead letters', checked: shown.every((l) => selected.includes(l.id)) })),
      ['Failed', 'Projection', 'Reason', 'Event type', 'Key', 'Error', 'Origin', 'Attempts', 'Status'].map((c) => h('th', { scope: 'col' }, c)),
      showPayloads ? h('th', {}, 'Payload') : null)),
    h('tbody', {}, shown.map((l) => h('tr', { 'data-letter-id': l.id },
      h('td', {}, l.disposition ? null : h('input', { type: 'checkbox', 'data-select': 'letters', 'data-id': l.id, checked: selected.includes(l.id), 'aria-label': 'Select dead letter ' + l.id })),
      h('td', {}, time(l.failedAt)),
      h('td', {}, l.projection),
      h('td', {}, badge(l.reason, 'reason')),
      h('td', {}, l.eventType || '—'),
      h('td', { className: 'mono' }, l.key === null ? '—' : l.key),
      h('td', { className: 'error-text' }, l.error),
      h('td', { className: 'mono' }, l.originTopic + '[' + l.originPartition + ']@' + l.originOffset),
      h('td', {}, l.attempts),
      h('td', {}, l.disposition ? badge(l.disposition) : badge('waiting')),
      payloadCell(l)))));
  return [toolbar, h('div', { className: 'scroll' }, table)];
}

function drawJobs(jobs) {
  if (jobs.length === 0) return empty('Nothing started from this page on this instance.');
  return h('ul', { className: 'jobs' }, jobs.map((j) => h('li', { 'data-job': j.id, 'data-state': j.state },
    h('div', { className: 'job-head' }, h('strong', {}, j.label), ' ', badge(j.state), h('span', { className: 'muted' }, ' by ' + j.actor + ', ' + ago(j.startedAt))),
    j.state === 'failed'
      ? h('p', { className: 'error-text' }, j.error)
      : [progressBar(j.state === 'done' ? 1 : j.progress ? j.progress.ratio : 0, j.label),
         h('div', { className: 'muted' }, j.progress ? j.progress.done + ' / ' + j.progress.total + ' · ' + Math.round(j.progress.ratePerSecond) + '/s' + (j.state === 'running' && j.progress.etaSeconds !== null ? ' · ' + duration(j.progress.etaSeconds) + ' left' : '') : 'starting…')])));
}

function render() {
  const snap = state.snapshot;
  if (!snap) return;
  const jobs = [...state.jobs.values()].sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1));
  const rowIds = new Set(snap.outbox.data ? snap.outbox.data.deadRows.map((r) => r.id) : []);
  for (const id of state.selectedRows) if (!rowIds.has(id)) state.selectedRows.delete(id);
  const letterIds = new Set(snap.deadLetters.data ? snap.deadLetters.data.letters.filter((l) => !l.disposition).map((l) => l.id) : []);
  for (const id of state.selectedLetters) if (!letterIds.has(id)) state.selectedLetters.delete(id);
  renderSection('services', snap.services, drawServices);
  renderSection('topology', snap.topology, drawTopology);
  renderSection('outbox', { section: snap.outbox, filter: state.rowFilter, selected: [...state.selectedRows] }, drawOutbox);
  renderSection('projections', { section: snap.projections, jobs }, drawProjections);
  renderSection('dead-letters', { section: snap.deadLetters, topic: state.letterTopic, selected: [...state.selectedLetters] }, drawDeadLetters);
  renderSection('jobs', jobs, drawJobs);
  document.getElementById('updated').textContent = 'updated ' + new Date(snap.at).toLocaleTimeString();
}

function onSnapshot(snapshot) {
  state.snapshot = snapshot;
  for (const job of snapshot.jobs) state.jobs.set(job.id, job);
  render();
}

function onJob(job) {
  state.jobs.set(job.id, job);
  render();
}

// ---------- actions ----------

function toast(text, kind) {
  const el = document.getElementById('toast');
  el.textContent = text;
  el.setAttribute('data-kind', kind || 'info');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.textContent = ''; el.removeAttribute('data-kind'); }, 6000);
}

async function post(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-tributary-csrf': csrfToken },
    body: JSON.stringify(body || {}),
  });
  const result = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(result.message ? [].concat(result.message).join('; ') : 'HTTP ' + response.status);
  return result;
}

async function refreshNow(fresh) {
  try {
    const response = await fetch(fresh ? 'api/state?fresh=1' : 'api/state', { credentials: 'same-origin' });
    if (!response.ok) throw new Error('HTTP ' + response.status);
    onSnapshot(await response.json());
  } catch (e) {
    setConnection('error', 'cannot reach the server (' + e.message + ')');
  }
}

const actions = {
  'requeue-rows': async () => {
    const r = await post('api/outbox/dead-rows/requeue', { ids: [...state.selectedRows] });
    state.selectedRows.clear();
    return 'Requeued ' + r.affected + ' of ' + r.selected + ' dead row(s)';
  },
  'requeue-all-rows': async () => {
    const r = await post('api/outbox/dead-rows/requeue', { all: true });
    return 'Requeued ' + r.affected + ' dead row(s)';
  },
  'purge-rows': async () => {
    if (!confirm('Delete ' + state.selectedRows.size + ' dead row(s) for good? Their events will never be sent.')) return null;
    const r = await post('api/outbox/dead-rows/purge', { ids: [...state.selectedRows] });
    state.selectedRows.clear();
    return 'Purged ' + r.affected + ' dead row(s)';
  },
  rebuild: async (button) => {
    const name = button.getAttribute('data-name');
    if (!confirm('Rebuild ' + name + '? Its tables are emptied and every event is applied again.')) return null;
    const job = await post('api/projections/' + encodeURIComponent(name) + '/rebuild');
    state.jobs.set(job.id, job);
    return 'Rebuild of ' + name + ' started';
  },
  'replay-letters': async () => {
    const job = await post('api/dead-letters/replay', { ids: [...state.selectedLetters] });
    state.jobs.set(job.id, job);
    state.selectedLetters.clear();
    return 'Replay started';
  },
  'archive-letters': async () => {
    if (!confirm('Archive ' + state.selectedLetters.size + ' dead letter(s)? They will not be replayed.')) return null;
    const r = await post('api/dead-letters/archive', { ids: [...state.selectedLetters] });
    state.selectedLetters.clear();
    return 'Archived ' + r.affected + ' dead letter(s)';
  },
};

document.addEventListener('click', async (event) => {
  const button = event.target.closest('button[data-action]');
  if (!button || button.disabled) return;
  const action = actions[button.getAttribute('data-action')];
  if (!action) return;
  button.disabled = true;
  try {
    const message = await action(button);
    if (message) toast(message, 'ok');
  } catch (e) {
    toast(e.message, 'error');
  } finally {
    button.disabled = false;
    state.rendered.clear();
    render();
    refreshNow(true);
  }
});

document.addEventListener('change', (event) => {
  const el = event.target;
  const kind = el.getAttribute('data-select') || el.getAttribute('data-select-all');
  if (el.getAttribute('data-filter') === 'letter-topic') {
    state.letterTopic = el.value;
  } else if (kind) {
    const set = kind === 'rows' ? state.selectedRows : state.selectedLetters;
    const boxes = el.hasAttribute('data-select-all')
      ? [...el.closest('table').querySelectorAll('input[data-select]')]
      : [el];
    for (const box of boxes) {
      const raw = box.getAttribute('data-id');
      const id = kind === 'rows' ? Number(raw) : raw;
      if (el.checked) set.add(id); else set.delete(id);
    }
  } else return;
  render();
});

document.addEventListener('input', (event) => {
  if (event.target.getAttribute('data-filter') !== 'rows') return;
  state.rowFilter = event.target.value;
  render();
  const input = document.querySelector('input[data-filter="rows"]');
  if (input && document.activeElement !== input) { input.focus(); input.setSelectionRange(input.value.length, input.value.length); }
});

// ---------- live updates ----------

function setConnection(kind, text) {
  const el = document.getElementById('connection');
  el.setAttribute('data-state', kind);
  el.textContent = text;
}

function startPolling(reason) {
  if (state.pollTimer) return;
  setConnection('polling', 'polling every ' + Math.round(refreshMs / 1000) + ' s' + (reason ? ' (' + reason + ')' : ''));
  state.pollTimer = setInterval(() => refreshNow(false), refreshMs);
  refreshNow(false);
}

function connect() {
  if (forcePolling || typeof EventSource === 'undefined') return startPolling(forcePolling ? 'asked for' : 'no SSE in this browser');
  const source = new EventSource('api/events');
  let errors = 0;
  source.addEventListener('open', () => { errors = 0; setConnection('live', 'live'); });
  source.addEventListener('state', (e) => onSnapshot(JSON.parse(e.data)));
  source.addEventListener('job', (e) => onJob(JSON.parse(e.data)));
  source.addEventListener('error', () => {
    errors++;
    // Closed (refused) or failing again and again (a proxy that buffers): fall back to polling.
    if (source.readyState === EventSource.CLOSED || errors >= 3) {
      source.close();
      startPolling('live updates unavailable');
    } else {
      setConnection('connecting', 'reconnecting…');
    }
  });
}

refreshNow(false);
connect();
`;
