/**
 * The page's panels (browser JavaScript, shipped inline): parallel groups with progress bars,
 * LLM token usage, adaptive limits, the log, and a run's details. Each keeps its own model and
 * updates only the rows that changed since the last frame; all event text goes in as text.
 */
export const clientPanelsScript = String.raw`
class GroupsPanel {
  constructor(list, empty) {
    this.list = list;
    this.empty = empty;
    this.groups = new Map();
    this.dirty = new Set();
  }

  apply(g) {
    let entry = this.groups.get(g.groupId);
    if (!entry) {
      entry = { event: g, start: g.timestamp, li: null, parts: null };
      this.groups.set(g.groupId, entry);
    }
    entry.event = g;
    this.dirty.add(entry);
  }

  render() {
    for (const entry of this.dirty) {
      if (!entry.li) this.create(entry);
      this.update(entry);
    }
    this.dirty.clear();
    this.empty.hidden = this.groups.size > 0;
  }

  create(entry) {
    const g = entry.event;
    const li = el('li', 'group');
    li.dataset.group = g.groupId;
    const head = el('div', 'group-head');
    const name = el('span', 'group-name', g.name || g.groupId);
    name.title = g.groupId;
    const status = el('span', 'group-status');
    head.append(name, status);
    const bar = el('div', 'bar');
    bar.setAttribute('role', 'progressbar');
    bar.setAttribute('aria-valuemin', '0');
    bar.setAttribute('aria-label', 'Progress of group ' + (g.name || g.groupId));
    const ok = el('span', 'seg ok');
    const failed = el('span', 'seg failed');
    const cancelled = el('span', 'seg cancelled');
    bar.append(ok, failed, cancelled);
    const meta = el('div', 'group-meta');
    const fields = {};
    for (const [field, label] of [['finished', ' of '], ['total', ' finished · '], ['completed', ' completed · '], ['failed', ' failed · '], ['cancelled', ' cancelled · '], ['running', ' running · '], ['rate', ' · '], ['eta', '']]) {
      const value = el('span', 'value', '0');
      value.dataset.field = field;
      fields[field] = value;
      meta.append(value, document.createTextNode(label));
    }
    li.append(head, bar, meta);
    entry.li = li;
    entry.parts = { status, bar, ok, failed, cancelled, fields };
    this.list.append(li);
  }

  update(entry) {
    const g = entry.event;
    const p = entry.parts;
    const finished = g.completed + g.failed + g.cancelled;
    const total = Math.max(g.total, finished);
    const over = g.status !== 'running' && g.status !== 'pending';
    const elapsed = (typeof g.durationMs === 'number' && over ? g.durationMs : g.timestamp - entry.start) / 1000;
    const rate = elapsed > 0 ? finished / elapsed : 0;
    p.status.textContent = g.status;
    entry.li.className = 'group status-' + g.status;
    p.bar.setAttribute('aria-valuemax', String(total));
    p.bar.setAttribute('aria-valuenow', String(finished));
    p.bar.setAttribute('aria-valuetext', finished + ' of ' + total + ' finished, ' + g.failed + ' failed');
    const pct = (n) => (total > 0 ? (100 * n) / total : 0) + '%';
    p.ok.style.width = pct(g.completed);
    p.failed.style.width = pct(g.failed);
    p.cancelled.style.width = pct(g.cancelled);
    const f = p.fields;
    f.finished.textContent = String(finished);
    f.total.textContent = String(total);
    f.completed.textContent = String(g.completed);
    f.failed.textContent = String(g.failed);
    f.cancelled.textContent = String(g.cancelled);
    f.running.textContent = String(g.running);
    f.rate.textContent = rate > 0 ? rate.toFixed(rate < 10 ? 1 : 0) + '/s' : '–/s';
    if (over) f.eta.textContent = 'took ' + fmtMs(elapsed * 1000);
    else f.eta.textContent = 'ETA ' + (rate > 0 ? fmtMs(((total - finished) / rate) * 1000) : '–');
  }
}

class TokensPanel {
  constructor(body, totals, stat) {
    this.body = body;
    this.totals = totals;
    this.stat = stat;
    this.byActor = new Map();
    this.sum = { calls: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0 };
    this.dirty = new Set();
  }

  /**
   * A completed model call (an llm_call run): counts its result.usage, if it has one. An agent's
   * result sums its model calls' usage, so counting it too would count those tokens twice.
   */
  apply(r) {
    if (!r.actor || r.actor.eventType !== 'llm_call') return;
    const usage = r.result && typeof r.result === 'object' ? r.result.usage : null;
    if (!usage || typeof usage !== 'object') return;
    const input = Number(usage.inputTokens) || 0;
    const output = Number(usage.outputTokens) || 0;
    const total = Number(usage.totalTokens) || input + output;
    const name = (r.actor && r.actor.name) || '?';
    let row = this.byActor.get(name);
    if (!row) {
      row = { name, calls: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0, tr: null };
      this.byActor.set(name, row);
    }
    for (const target of [row, this.sum]) {
      target.calls++;
      target.inputTokens += input;
      target.outputTokens += output;
      target.totalTokens += total;
    }
    this.dirty.add(row);
  }

  render() {
    if (this.dirty.size === 0) return;
    for (const row of this.dirty) {
      if (!row.tr) {
        row.tr = el('tr');
        for (let i = 0; i < 5; i++) row.tr.append(el(i === 0 ? 'th' : 'td'));
        row.tr.firstChild.setAttribute('scope', 'row');
        this.body.append(row.tr);
      }
      fillRow(row.tr, [row.name, row.calls, row.inputTokens, row.outputTokens, row.totalTokens]);
    }
    this.dirty.clear();
    const s = this.sum;
    fillRow(this.totals, ['All', s.calls, s.inputTokens, s.outputTokens, s.totalTokens]);
    this.stat.textContent = fmtNum(s.totalTokens);
  }
}

function fillRow(tr, values) {
  values.forEach((value, i) => {
    tr.children[i].textContent = typeof value === 'number' ? fmtNum(value) : String(value);
  });
}

class LimitsPanel {
  constructor(body, empty) {
    this.body = body;
    this.empty = empty;
    this.limits = new Map();
    this.dirty = new Set();
  }

  apply(e) {
    const name = String(e.name);
    let row = this.limits.get(name);
    if (!row) {
      row = { name, changes: 0, event: e, tr: null };
      this.limits.set(name, row);
    }
    row.changes++;
    row.event = e;
    this.dirty.add(row);
  }

  render() {
    for (const row of this.dirty) {
      if (!row.tr) {
        row.tr = el('tr');
        for (let i = 0; i < 6; i++) row.tr.append(el(i === 0 ? 'th' : 'td'));
        row.tr.firstChild.setAttribute('scope', 'row');
        row.tr.dataset.limit = row.name;
        this.body.append(row.tr);
      }
      const e = row.event;
      const arrow = e.concurrency > e.previous ? '▲ ' : e.concurrency < e.previous ? '▼ ' : '';
      fillRow(row.tr, [row.name, arrow + e.concurrency, e.previous, String(e.reason || ''), row.changes, fmtTime(e.timestamp)]);
    }
    this.dirty.clear();
    this.empty.hidden = this.limits.size > 0;
  }
}

const LOG_ROWS = 500;

class LogPanel {
  constructor(list, note, empty) {
    this.list = list;
    this.note = note;
    this.empty = empty;
    this.pending = [];
    this.count = 0;
  }

  apply(e) {
    this.count++;
    this.pending.push(e);
  }

  render() {
    if (this.pending.length === 0) return;
    const fresh = this.pending.slice(-LOG_ROWS);
    this.pending = [];
    const fragment = document.createDocumentFragment();
    for (const e of fresh) fragment.append(this.row(e));
    this.list.append(fragment);
    while (this.list.childElementCount > LOG_ROWS) this.list.firstElementChild.remove();
    const hidden = this.count - this.list.childElementCount;
    this.note.hidden = hidden <= 0;
    this.note.textContent = hidden + ' earlier entries are not shown.';
    this.empty.hidden = true;
  }

  row(e) {
    const li = el('li', 'entry');
    const interrupt = e.kind === 'interrupt';
    const level = interrupt ? 'interrupt' : String(e.severity || 'info');
    li.classList.add('level-' + level.replace(/[^a-z]/g, ''));
    li.append(el('time', 'when', fmtTime(e.timestamp)), el('span', 'level', level));
    if (interrupt) {
      li.append(el('span', 'message', 'Interrupted (' + e.source + '): ' + e.reason));
    } else {
      if (e.address) li.append(el('span', 'address', e.address));
      li.append(el('span', 'message', String(e.message)));
      if (e.metadata !== undefined && e.metadata !== null) li.append(el('code', 'metadata', clip(compact(e.metadata), 300)));
    }
    return li;
  }
}

class DetailsPanel {
  constructor(box) {
    this.box = box;
  }

  show(node) {
    const box = this.box;
    box.textContent = '';
    const dl = el('dl', 'facts');
    const fact = (term, value) => {
      if (value === undefined || value === null || value === '') return;
      dl.append(el('dt', '', term), el('dd', '', String(value)));
    };
    let title = node.label;
    const sections = [];
    if (node.run) {
      const run = node.run;
      title = run.actor.name || node.label;
      fact('Address', node.key + (run.actor.eventType ? '::' + run.actor.eventType : ''));
      fact('Type', run.actor.eventType);
      fact('Status', run.status);
      fact('Duration', typeof run.durationMs === 'number' ? fmtMs(run.durationMs) : run.end === null ? 'running' : '');
      fact('Retries', run.retries);
      fact('Attempt', run.attempt);
      fact('Started', fmtTime(run.start));
      if (run.end !== null) fact('Ended', fmtTime(run.end));
      fact('Group', run.groupId);
      fact('Branch', run.parallelIndex);
      fact('Tag', run.tag);
      fact('Message', run.message);
      sections.push(['Input', run.input], ['Output', run.hasOutput ? run.output : undefined], ['Error', run.error]);
    } else if (node.group) {
      const g = node.group;
      title = g.name || node.label;
      fact('Group id', g.groupId);
      fact('Status', g.status);
      fact('Tasks', g.total);
      fact('Completed', g.completed);
      fact('Failed', g.failed);
      fact('Cancelled', g.cancelled);
      fact('Running', g.running);
      fact('Max workers', g.maxWorkers);
      if (typeof g.durationMs === 'number') fact('Duration', fmtMs(g.durationMs));
      fact('Message', g.message);
    } else {
      fact('Address', node.key);
      if (node.task) {
        fact('Task', node.task.name);
        fact('Outcome', node.task.outcome);
        if (typeof node.task.durationMs === 'number') fact('Duration', fmtMs(node.task.durationMs));
        fact('Attempts', node.task.attempts);
        fact('Message', node.task.message);
      }
    }
    box.append(el('h3', 'details-title', title), dl);
    for (const [label, value] of sections) {
      if (value === undefined) continue;
      box.append(el('h4', '', label), el('pre', 'value ' + label.toLowerCase(), pretty(value)));
    }
  }
}
`;
