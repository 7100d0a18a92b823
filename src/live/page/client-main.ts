/**
 * The page's wiring (browser JavaScript, shipped inline): the Server-Sent Events connection with
 * its reconnects, the queue of received events applied in batches once per animation frame, the
 * header figures, and the stored states. Runs after the helpers, the tree and the panels.
 */
export const clientMainScript = String.raw`
const token = new URLSearchParams(location.search).get('token');

/** A URL of this view (relative to the page), carrying the token when the page has one. */
function endpoint(path, params) {
  const url = new URL(path, location.href);
  url.search = '';
  if (token) url.searchParams.set('token', token);
  for (const [key, value] of Object.entries(params || {})) url.searchParams.set(key, value);
  return url.toString();
}

const body = document.body;
const ui = {
  connection: $('connection'),
  notice: $('notice'),
  events: $('stat-events'),
  runs: $('stat-runs'),
  running: $('stat-running'),
  completed: $('stat-completed'),
  failed: $('stat-failed'),
  cancelled: $('stat-cancelled'),
  retries: $('stat-retries'),
  summary: $('runs-summary'),
  liveTab: $('tab-live'),
  storedTab: $('tab-stored'),
  liveList: $('tree-live'),
  storedBox: $('tree-stored'),
};

const details = new DetailsPanel($('details'));
const liveTree = new RunTree(ui.liveList, (node) => showDetails(liveTree, node));
let activeTree = liveTree;
const groups = new GroupsPanel($('groups'), $('groups-empty'));
const tokens = new TokensPanel($('tokens-body'), $('tokens-total'), $('stat-tokens'));
const limits = new LimitsPanel($('limits-body'), $('limits-empty'));
const log = new LogPanel($('log'), $('log-note'), $('log-empty'));
const timeline = new Timeline($('timeline'), (key) => {
  showTree(liveTree);
  liveTree.reveal(key);
});

function showDetails(tree, node) {
  if (tree === activeTree) details.show(node);
}

function showNotice(text) {
  ui.notice.hidden = false;
  ui.notice.textContent = text;
}

// ---- applying events, in batches -------------------------------------------------------------

let applied = 0;
let lastSeq = 0;
let duplicates = 0;

function apply(e) {
  applied++;
  switch (e.kind) {
    case 'execution':
      liveTree.applyRecord(e);
      if (e.status === 'completed') tokens.apply(e);
      if (e.status === 'started' && typeof e.groupId === 'string' && typeof e.parallelIndex === 'number') timeline.started(e);
      break;
    case 'group':
      groups.apply(e);
      liveTree.applyGroup(e);
      timeline.applyGroup(e);
      break;
    case 'limit':
      limits.apply(e);
      break;
    case 'log':
      log.apply(e);
      break;
    case 'interrupt':
      log.apply(e);
      showNotice('Interrupted (' + e.source + '): ' + e.reason);
      break;
  }
}

const queue = [];
let head = 0;
let scheduled = false;
const FRAME_BUDGET_MS = 12;

function requestFrame() {
  if (scheduled) return;
  scheduled = true;
  // Hidden tabs get no animation frames: keep up with a timer instead.
  if (document.hidden) setTimeout(frame, 100);
  else requestAnimationFrame(frame);
}

function frame() {
  scheduled = false;
  const start = performance.now();
  let n = 0;
  while (head < queue.length) {
    const data = queue[head];
    queue[head++] = undefined;
    try {
      apply(JSON.parse(data));
    } catch (error) {
      console.error('rh-agents live view: an event could not be shown', error);
    }
    if ((++n & 63) === 0 && performance.now() - start > FRAME_BUDGET_MS) break;
  }
  if (head === queue.length) {
    queue.length = 0;
    head = 0;
  }
  let more = head < queue.length;
  if (liveTree.render()) more = true;
  if (activeTree !== liveTree && activeTree.render()) more = true;
  groups.render();
  tokens.render();
  limits.render();
  log.render();
  if (timeline.render(performance.now())) more = true;
  renderStats();
  if (more) requestFrame();
}

function renderStats() {
  const c = liveTree.counts;
  ui.events.textContent = fmtNum(applied);
  ui.runs.textContent = fmtNum(c.runs);
  ui.running.textContent = fmtNum(c.running);
  ui.completed.textContent = fmtNum(c.completed);
  ui.failed.textContent = fmtNum(c.failed);
  ui.cancelled.textContent = fmtNum(c.cancelled);
  ui.retries.textContent = fmtNum(c.retries);
  body.dataset.applied = String(applied);
  body.dataset.lastEventId = String(lastSeq);
  body.dataset.duplicates = String(duplicates);
  body.dataset.queued = String(queue.length - head);
  if (activeTree === liveTree) ui.summary.textContent = 'Live: ' + summarize(c);
}

function summarize(c) {
  return c.runs + ' runs · ' + c.running + ' running · ' + c.completed + ' completed · ' + c.failed + ' failed · ' + c.cancelled + ' cancelled · ' + c.retries + ' retries';
}

// ---- the connection --------------------------------------------------------------------------

let viewId = null;
let closed = false;
let reconnectDelay = 500;

function setConnection(state, text) {
  ui.connection.dataset.state = state;
  ui.connection.textContent = text || state;
}

function connect() {
  const source = new EventSource(endpoint('events', lastSeq > 0 ? { lastEventId: String(lastSeq) } : {}));
  source.onopen = () => {
    reconnectDelay = 500;
    setConnection('live');
  };
  source.onmessage = (e) => {
    const seq = Number(e.lastEventId);
    if (!(seq > lastSeq)) {
      duplicates++;
      requestFrame();
      return;
    }
    lastSeq = seq;
    queue.push(e.data);
    requestFrame();
  };
  source.addEventListener('hello', (e) => {
    const hello = JSON.parse(e.data);
    // Another server on this address (the program ran again): start over with its events.
    if (viewId !== null && hello.viewId !== viewId) return location.reload();
    viewId = hello.viewId;
    if (hello.states && !statesLoaded) loadStates();
  });
  source.addEventListener('gap', (e) => {
    const gap = JSON.parse(e.data);
    showNotice(gap.missed + ' earlier events are no longer kept by the server (its maxEvents) and are not shown.');
  });
  source.addEventListener('close', () => {
    closed = true;
    source.close();
    setConnection('closed', 'closed by the server');
  });
  source.onerror = () => {
    if (closed) return;
    setConnection('reconnecting');
    // The browser retries by itself while readyState is CONNECTING; once it gave up, we retry.
    if (source.readyState === EventSource.CLOSED) {
      setTimeout(connect, reconnectDelay);
      reconnectDelay = Math.min(reconnectDelay * 2, 5000);
    }
  };
}

// ---- stored states ---------------------------------------------------------------------------

let statesLoaded = false;

async function fetchJson(path) {
  const res = await fetch(endpoint(path), { headers: { accept: 'application/json' } });
  const data = await res.json();
  if (!res.ok) throw new Error(data && data.error ? data.error : res.status + ' ' + res.statusText);
  return data;
}

async function loadStates() {
  statesLoaded = true;
  $('states-section').hidden = false;
  const status = $('states-status');
  status.textContent = 'Loading…';
  try {
    const { states } = await fetchJson('api/states');
    const rows = $('states-body');
    rows.textContent = '';
    for (const s of states) {
      const tr = el('tr');
      const th = el('th');
      th.scope = 'row';
      const button = el('button', 'link', s.stateId);
      button.type = 'button';
      button.addEventListener('click', () => openState(s.stateId));
      th.append(button);
      tr.append(th, el('td', '', s.pipeline || ''), el('td', 'status-' + s.status, s.status), el('td', '', (s.tags || []).join(', ')), el('td', '', fmtDate(s.updatedAt)));
      rows.append(tr);
    }
    status.textContent = states.length === 1 ? '1 stored state' : states.length + ' stored states';
  } catch (error) {
    status.textContent = 'Could not list the stored states: ' + error.message;
  }
}

async function openState(stateId) {
  const status = $('states-status');
  status.textContent = 'Loading ' + stateId + '…';
  try {
    const snapshot = await fetchJson('api/states/' + encodeURIComponent(stateId));
    const list = el('ul', 'tree');
    list.setAttribute('role', 'tree');
    list.setAttribute('aria-label', 'Runs of stored state ' + stateId);
    const tree = new RunTree(list, (node) => showDetails(tree, node));
    for (const record of snapshot.history || []) tree.applyRecord(record);
    tree.collapseLarge();
    tree.title = 'State ' + stateId + ' (' + snapshot.status + ')';
    ui.storedBox.textContent = '';
    ui.storedBox.append(list);
    ui.storedTab.textContent = tree.title;
    ui.storedTab.hidden = false;
    ui.storedTab.onclick = () => showTree(tree);
    status.textContent = 'Showing ' + stateId + ': ' + (snapshot.history || []).length + ' records.';
    showTree(tree);
  } catch (error) {
    status.textContent = 'Could not load ' + stateId + ': ' + error.message;
  }
}

function showTree(tree) {
  if (activeTree === tree) return;
  activeTree = tree;
  const live = tree === liveTree;
  ui.liveList.hidden = !live;
  ui.storedBox.hidden = live;
  ui.liveTab.setAttribute('aria-pressed', String(live));
  ui.storedTab.setAttribute('aria-pressed', String(!live));
  ui.summary.textContent = live ? 'Live: ' + summarize(liveTree.counts) : tree.title + ': ' + summarize(tree.counts);
  details.box.textContent = '';
  details.box.append(el('p', 'empty', 'Select a run to see its input, output or error.'));
  requestFrame();
}

ui.liveTab.addEventListener('click', () => showTree(liveTree));
$('states-refresh').addEventListener('click', () => loadStates());
setConnection('connecting');
connect();
requestFrame();
`;
