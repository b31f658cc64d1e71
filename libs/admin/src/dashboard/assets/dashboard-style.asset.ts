// The asset's text lives in a TypeScript module so tsc ships it in dist with the rest of the package.
// Keep it free of backticks and dollar-brace sequences (it is a template literal).
/** The page's stylesheet, served as `assets/dashboard.css`. */
export const DASHBOARD_STYLE = String.raw`:root {
  --bg: #f5f6f8; --card: #ffffff; --text: #1d2330; --muted: #667085; --line: #e3e6ec;
  --accent: #2f6fde; --rpc: #d9822b; --ok: #1f9d55; --warn: #c27c0e; --bad: #d1453b;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root { --bg: #12151b; --card: #1b2029; --text: #e6e9ef; --muted: #98a2b3; --line: #2c3340; --accent: #6c9cff; --rpc: #f0a35e; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.top { display: flex; align-items: center; gap: 12px; padding: 12px 24px; background: var(--card); border-bottom: 1px solid var(--line); }
.top h1 { font-size: 18px; margin: 0 8px 0 0; }
main { display: grid; grid-template-columns: minmax(0, 1fr); gap: 16px; padding: 16px 24px 48px; max-width: 1600px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 12px 16px 16px; min-width: 0; }

.card h2 { font-size: 15px; margin: 0 0 10px; }
.muted { color: var(--muted); }
.mono, code, pre { font-family: var(--mono); font-size: 12.5px; }
pre { white-space: pre-wrap; word-break: break-all; max-width: 480px; margin: 4px 0 0; }
.error { color: var(--bad); }
.error-text { color: var(--bad); max-width: 360px; overflow-wrap: anywhere; }
.warn { color: var(--warn); font-weight: 600; }
.scroll { overflow: auto; max-height: 560px; }
.scroll thead th { position: sticky; top: 0; background: var(--card); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
tbody th { font-weight: 600; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; background: var(--line); color: var(--text); white-space: nowrap; }
.badge[data-kind="alive"], .badge[data-kind="running"], .badge[data-kind="done"], .badge[data-kind="live"], .badge[data-kind="replayed"] { background: #d5f2e1; color: #146c3a; }
.badge[data-kind="stale"], .badge[data-kind="rebuilding"], .badge[data-kind="starting"], .badge[data-kind="waiting"], .badge[data-kind="waiting-for-topics"] { background: #fbeccc; color: #8a5a06; }
.badge[data-kind="failed"], .badge[data-kind="stopped"], .badge[data-kind="reason"] { background: #fadcd9; color: #9b2c23; }
#connection[data-state="live"] { background: #d5f2e1; color: #146c3a; }
#connection[data-state="polling"], #connection[data-state="connecting"] { background: #fbeccc; color: #8a5a06; }
#connection[data-state="error"] { background: #fadcd9; color: #9b2c23; }
#toast { position: fixed; right: 24px; bottom: 24px; z-index: 3; max-width: 420px; }
#toast[data-kind] { padding: 10px 14px; border-radius: 8px; background: var(--text); color: var(--card); box-shadow: 0 4px 14px rgba(0,0,0,.2); }
#toast[data-kind="error"] { background: var(--bad); color: #fff; }
.stats { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-end; margin-bottom: 12px; }
.stat { display: flex; flex-direction: column; min-width: 110px; padding: 8px 12px; border: 1px solid var(--line); border-radius: 8px; }
.stat-value { font-size: 22px; font-weight: 650; }
.stat-label { color: var(--muted); font-size: 12px; }
.stat.warn .stat-value { color: var(--bad); }
.table-name { margin-left: auto; }
.toolbar { display: flex; flex-wrap: wrap; gap: 8px; margin: 4px 0 10px; }
.toolbar input[type="search"], .toolbar select { padding: 6px 10px; border: 1px solid var(--line); border-radius: 6px; background: var(--card); color: var(--text); min-width: 240px; }
button { font: inherit; padding: 6px 12px; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
button.danger { background: transparent; color: var(--bad); border-color: var(--bad); }
button:disabled { opacity: .45; cursor: default; }
.progress { position: relative; height: 18px; min-width: 160px; border-radius: 9px; background: var(--line); overflow: hidden; }
.progress .fill { height: 100%; background: var(--accent); transition: width .3s ease; }
.progress-label { position: absolute; inset: 0; text-align: center; font-size: 12px; line-height: 18px; font-weight: 600; }
.jobs { list-style: none; margin: 0; padding: 0; display: grid; gap: 10px; }
.jobs li { border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; }
.job-head { margin-bottom: 6px; }
.graph { overflow-x: auto; }
.graph svg { max-width: 100%; height: auto; display: block; }
.node rect { fill: var(--card); stroke: var(--accent); stroke-width: 1.5; }
.node-external rect { stroke: var(--muted); stroke-dasharray: 5 4; }
.node-name { font-weight: 650; font-size: 14px; fill: var(--text); }
.node-detail { font-size: 11.5px; fill: var(--muted); }
.edge { fill: none; stroke-width: 1.6; }
.edge-event { stroke: var(--accent); }
.edge-rpc { stroke: var(--rpc); stroke-dasharray: 6 4; }
.arrow-event { fill: var(--accent); }
.arrow-rpc { fill: var(--rpc); }
.edge-label rect { fill: var(--card); stroke: var(--line); }
.edge-label text { font-size: 11px; fill: var(--text); font-family: var(--mono); }
.legend { display: flex; align-items: center; gap: 8px; color: var(--muted); font-size: 12px; margin: 8px 0 0; }
.key { display: inline-block; width: 28px; height: 0; border-top: 2px solid var(--accent); margin-left: 12px; }
.key-rpc { border-top: 2px dashed var(--rpc); }
.partitions div { white-space: nowrap; }
`;
