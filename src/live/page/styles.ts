/** The page's stylesheet (shipped inline; light and dark follow the system). */
export const pageStyles = String.raw`
:root {
  color-scheme: light dark;
  --bg: #f8fafc; --panel: #ffffff; --ink: #0f172a; --muted: #64748b; --line: #e2e8f0;
  --ok: #16a34a; --bad: #dc2626; --off: #9ca3af; --run: #3b82f6; --warn: #d97706; --focus: #2563eb;
  font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root { --bg: #0b1120; --panel: #111827; --ink: #e5e7eb; --muted: #94a3b8; --line: #1f2937; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); }
h1 { font-size: 18px; margin: 0; }
h2 { font-size: 15px; margin: 0 0 8px; }
h3 { font-size: 15px; margin: 0 0 8px; word-break: break-all; }
h4 { font-size: 13px; margin: 12px 0 4px; color: var(--muted); }
[hidden] { display: none !important; }
.top { display: flex; flex-wrap: wrap; gap: 12px 24px; align-items: center; padding: 12px 16px; background: var(--panel); border-bottom: 1px solid var(--line); position: sticky; top: 0; z-index: 1; }
.pill { padding: 2px 10px; border-radius: 999px; font-weight: 600; font-size: 12px; background: var(--line); }
.pill[data-state='live'] { background: #dcfce7; color: #14532d; }
.pill[data-state='reconnecting'], .pill[data-state='connecting'] { background: #fef3c7; color: #78350f; }
.pill[data-state='closed'] { background: #e5e7eb; color: #374151; }
.stats { display: flex; flex-wrap: wrap; gap: 4px 18px; margin: 0; }
.stats div { display: flex; gap: 6px; align-items: baseline; }
.stats dt { color: var(--muted); font-size: 12px; }
.stats dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; }
.notice { margin: 12px 16px 0; padding: 8px 12px; border-radius: 6px; background: #fef3c7; color: #78350f; }
main { padding: 12px 16px 32px; display: grid; gap: 12px; }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px; min-width: 0; overflow-x: auto; }
.split { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 12px; }
@media (max-width: 900px) { .split { grid-template-columns: 1fr; } }
.empty { color: var(--muted); margin: 0; }
.groups { list-style: none; margin: 0; padding: 0; display: grid; gap: 10px; }
.group-head { display: flex; justify-content: space-between; gap: 8px; font-weight: 600; }
.group-status { font-weight: 400; color: var(--muted); }
.group.status-failed .group-status { color: var(--bad); }
.bar { display: flex; height: 12px; margin: 4px 0; border-radius: 6px; overflow: hidden; background: var(--line); }
.seg { display: block; height: 100%; transition: width 0.2s; }
.seg.ok { background: var(--ok); } .seg.failed { background: var(--bad); } .seg.cancelled { background: var(--off); }
.group-meta { font-size: 12px; color: var(--muted); font-variant-numeric: tabular-nums; }
.group-meta .value { color: var(--ink); font-weight: 600; }
.timeline-wrap { max-height: 360px; overflow: auto; }
#timeline { display: block; width: 100%; height: 0; color: var(--ink); cursor: pointer; }
.tabs { display: flex; gap: 6px; margin-bottom: 8px; flex-wrap: wrap; }
.tabs button, button.link, #states-refresh { font: inherit; border: 1px solid var(--line); background: var(--bg); color: var(--ink); border-radius: 6px; padding: 2px 10px; cursor: pointer; }
.tabs button[aria-pressed='true'] { border-color: var(--focus); font-weight: 600; }
.summary { color: var(--muted); font-size: 12px; margin: 0 0 6px; }
.tree, .tree ul { list-style: none; margin: 0; padding: 0; }
.tree { max-height: 560px; overflow: auto; font-size: 13px; }
/* Rows out of sight are neither laid out nor painted: thousands of rows stay cheap. */
.tree li { content-visibility: auto; contain-intrinsic-size: auto 22px; }
.tree .row { display: flex; gap: 6px; align-items: center; padding: 1px 4px; border-radius: 4px; cursor: pointer; white-space: nowrap; }
.tree li[aria-selected='true'] > .row { background: color-mix(in srgb, var(--focus) 18%, transparent); }
.tree li:focus { outline: none; }
.tree li:focus-visible > .row, .tree li:focus > .row { outline: 2px solid var(--focus); outline-offset: -2px; }
.twisty { width: 12px; display: inline-block; color: var(--muted); }
.dot { width: 8px; height: 8px; border-radius: 50%; background: var(--off); flex: none; }
.status-running > .row .dot, .status-started > .row .dot, .status-retrying > .row .dot { background: var(--run); }
.status-completed > .row .dot, .status-recovered > .row .dot { background: var(--ok); }
.status-failed > .row .dot { background: var(--bad); }
.status-retrying > .row .dot { box-shadow: 0 0 0 2px var(--warn); }
.name { font-weight: 600; overflow: hidden; text-overflow: ellipsis; }
.badge { font-size: 11px; color: var(--muted); border: 1px solid var(--line); border-radius: 4px; padding: 0 4px; }
.badge:empty { display: none; }
.meta { color: var(--muted); font-size: 12px; }
.status-failed > .row .meta { color: var(--bad); }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; font-size: 13px; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; word-break: break-all; }
pre.value { margin: 0; padding: 8px; background: var(--bg); border: 1px solid var(--line); border-radius: 6px; max-height: 320px; overflow: auto; font-size: 12px; white-space: pre-wrap; word-break: break-word; }
pre.error { border-color: var(--bad); }
table { border-collapse: collapse; width: 100%; font-size: 13px; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid var(--line); }
thead th { color: var(--muted); font-weight: 600; }
tfoot th, tfoot td { font-weight: 600; border-bottom: 0; }
.log { list-style: none; margin: 0; padding: 0; max-height: 320px; overflow: auto; font-size: 12px; }
.entry { display: flex; gap: 8px; padding: 2px 0; border-bottom: 1px solid var(--line); flex-wrap: wrap; }
.entry .when { color: var(--muted); font-variant-numeric: tabular-nums; }
.entry .level { font-weight: 600; text-transform: uppercase; font-size: 11px; }
.entry .address { color: var(--muted); }
.level-warning .level { color: var(--warn); }
.level-error .level, .level-interrupt .level { color: var(--bad); }
.level-interrupt { background: color-mix(in srgb, var(--bad) 10%, transparent); }
.metadata { color: var(--muted); word-break: break-all; }
`;
