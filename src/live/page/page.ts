import { createHash } from 'node:crypto';
import { clientBaseScript } from './client-base.js';
import { clientMainScript } from './client-main.js';
import { clientPanelsScript } from './client-panels.js';
import { clientTimelineScript } from './client-timeline.js';
import { clientTreeScript } from './client-tree.js';
import { pageStyles } from './styles.js';

/** The page's whole script: the helpers, the tree, the panels, the timeline, then the wiring. */
export const pageScript = `(() => {
'use strict';
${clientBaseScript}
${clientTreeScript}
${clientPanelsScript}
${clientTimelineScript}
${clientMainScript}
})();
`;

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

function hash(text: string): string {
  return `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
}

/** The page, and the Content-Security-Policy that lets only its own inline script and style run. */
export interface Page {
  html: string;
  contentSecurityPolicy: string;
}

const STAT_FIELDS: [string, string][] = [
  ['events', 'Events'],
  ['runs', 'Runs'],
  ['running', 'Running'],
  ['completed', 'Completed'],
  ['failed', 'Failed'],
  ['cancelled', 'Cancelled'],
  ['retries', 'Retries'],
  ['tokens', 'Tokens'],
];

/** Builds the self-contained page: nothing is fetched from anywhere but this server. */
export function renderPage(title: string): Page {
  const safeTitle = escapeHtml(title);
  const stats = STAT_FIELDS.map(
    ([id, label]) => `<div><dt>${label}</dt><dd id="stat-${id}">0</dd></div>`,
  ).join('');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${safeTitle}</title>
<link rel="icon" href="data:,">
<style>${pageStyles}</style>
</head>
<body>
<header class="top">
<h1>${safeTitle}</h1>
<span id="connection" class="pill" role="status" aria-live="polite" data-state="connecting">connecting</span>
<dl class="stats" aria-label="Totals">${stats}</dl>
</header>
<div id="notice" class="notice" role="status" hidden></div>
<main>
<section aria-labelledby="groups-h"><h2 id="groups-h">Parallel groups</h2>
<p id="groups-empty" class="empty">No parallel group yet.</p><ol id="groups" class="groups"></ol></section>
<section aria-labelledby="timeline-h"><h2 id="timeline-h">Timeline of parallel tasks</h2>
<div class="timeline-wrap"><canvas id="timeline" role="img" aria-label="Timeline: no parallel task yet."></canvas></div></section>
<div class="split">
<section aria-labelledby="runs-h"><h2 id="runs-h">Runs</h2>
<div class="tabs"><button type="button" id="tab-live" aria-pressed="true">Live</button><button type="button" id="tab-stored" aria-pressed="false" hidden></button></div>
<p id="runs-summary" class="summary"></p>
<ul id="tree-live" class="tree" role="tree" aria-label="Runs by address"></ul>
<div id="tree-stored" hidden></div></section>
<section aria-labelledby="details-h"><h2 id="details-h">Details</h2>
<div id="details"><p class="empty">Select a run to see its input, output or error.</p></div></section>
</div>
<div class="split">
<section aria-labelledby="tokens-h"><h2 id="tokens-h">LLM token usage</h2>
<table><thead><tr><th scope="col">Actor</th><th scope="col">Calls</th><th scope="col">Input</th><th scope="col">Output</th><th scope="col">Total</th></tr></thead>
<tbody id="tokens-body"></tbody><tfoot><tr id="tokens-total"><th scope="row">All</th><td>0</td><td>0</td><td>0</td><td>0</td></tr></tfoot></table></section>
<section aria-labelledby="limits-h"><h2 id="limits-h">Adaptive limits</h2>
<p id="limits-empty" class="empty">No limiter has changed its concurrency yet.</p>
<table><thead><tr><th scope="col">Limiter</th><th scope="col">Concurrency</th><th scope="col">Previous</th><th scope="col">Reason</th><th scope="col">Changes</th><th scope="col">At</th></tr></thead>
<tbody id="limits-body"></tbody></table></section>
</div>
<section id="states-section" aria-labelledby="states-h" hidden><h2 id="states-h">Stored states</h2>
<p><button type="button" id="states-refresh">Refresh</button> <span id="states-status" role="status"></span></p>
<table><thead><tr><th scope="col">State</th><th scope="col">Pipeline</th><th scope="col">Status</th><th scope="col">Tags</th><th scope="col">Updated (UTC)</th></tr></thead>
<tbody id="states-body"></tbody></table></section>
<section aria-labelledby="log-h"><h2 id="log-h">Log and interrupts</h2>
<p id="log-empty" class="empty">Nothing logged yet.</p><p id="log-note" class="empty" hidden></p>
<ol id="log" class="log"></ol></section>
</main>
<script>${pageScript}</script>
</body>
</html>
`;
  const contentSecurityPolicy = [
    "default-src 'none'",
    `script-src ${hash(pageScript)}`,
    `style-src ${hash(pageStyles)}`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, contentSecurityPolicy };
}
