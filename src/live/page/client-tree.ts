/**
 * The page's tree of runs by address (browser JavaScript, shipped inline). `A::G[2]::T::tool_call`
 * becomes run `A` > group `G` > branch `[2]` > run `T`. Rows are created only under expanded
 * nodes and only for nodes that changed since the last frame, so 10 000 events stay cheap.
 * Event text reaches the DOM through `textContent` and attributes only, never as HTML.
 */
export const clientTreeScript = String.raw`
const BRANCH_RE = /^(.*)\[(\d+)\]$/;
const TERMINAL = { completed: 'completed', recovered: 'completed', failed: 'failed', cancelled: 'cancelled', interrupted: 'cancelled' };
const EXPAND_LIMIT = 50;
const RENDER_BATCH = 400;

function bucketOf(status) {
  return TERMINAL[status] || 'running';
}

class RunTree {
  constructor(list, onSelect) {
    this.list = list;
    this.onSelect = onSelect;
    this.nextId = 1;
    this.byKey = new Map();
    this.byId = new Map();
    this.root = { id: 0, key: '', kind: 'root', children: [], expanded: true, parent: null, li: null, childList: list, depth: 0 };
    this.dirty = [];
    this.pendingChildren = [];
    this.selected = null;
    this.focused = null;
    this.counts = { runs: 0, running: 0, completed: 0, failed: 0, cancelled: 0, retries: 0 };
    list.addEventListener('click', (e) => this.onClick(e));
    list.addEventListener('keydown', (e) => this.onKey(e));
  }

  ensure(key) {
    let node = this.byKey.get(key);
    if (node) return node;
    const cut = key.lastIndexOf('::');
    const segment = cut < 0 ? key : key.slice(cut + 2);
    let parentKey = cut < 0 ? '' : key.slice(0, cut);
    const branch = BRANCH_RE.exec(segment);
    let kind = 'path';
    let index = -1;
    let label = segment;
    if (branch) {
      parentKey = parentKey ? parentKey + '::' + branch[1] : branch[1];
      kind = 'branch';
      index = Number(branch[2]);
      label = '[' + branch[2] + ']';
    }
    const parent = parentKey ? this.ensure(parentKey) : this.root;
    if (branch && parent.kind === 'path') parent.kind = 'group';
    node = { id: this.nextId++, key, kind, label, index, parent, children: [], expanded: true, li: null, row: null, childList: null, depth: parent.depth + 1, run: null, group: null, task: null, dirty: false };
    this.byKey.set(key, node);
    this.byId.set(node.id, node);
    this.insertChild(parent, node);
    this.markDirty(node);
    return node;
  }

  insertChild(parent, node) {
    const children = parent.children;
    let at = children.length;
    if (node.kind === 'branch') {
      // Branches in index order, whatever order they started in (binary search; mostly appends).
      let lo = 0;
      let hi = children.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const other = children[mid];
        if (other.kind === 'branch' && other.index > node.index) hi = mid;
        else lo = mid + 1;
      }
      at = lo;
    }
    children.splice(at, 0, node);
    if (children.length === 1 && parent !== this.root) this.markDirty(parent);
  }

  markDirty(node) {
    if (node.dirty || node === this.root) return;
    node.dirty = true;
    this.dirty.push(node);
  }

  count(bucket, delta) {
    this.counts[bucket] += delta;
  }

  /** One execution record (live event or stored record). */
  applyRecord(r) {
    if (typeof r.address !== 'string') return null;
    const cut = r.address.lastIndexOf('::');
    const key = cut < 0 ? r.address : r.address.slice(0, cut);
    const node = this.ensure(key);
    if (node.kind === 'path') node.kind = 'run';
    let run = node.run;
    if (!run) {
      run = node.run = { actor: r.actor || { name: node.label, eventType: '' }, status: 'started', start: r.timestamp, end: null, durationMs: null, retries: 0, attempt: 1, starts: 0, input: undefined, output: undefined, hasOutput: false, error: undefined, message: undefined, tag: r.tag, groupId: r.groupId, parallelIndex: r.parallelIndex };
      this.counts.runs++;
      this.count('running', 1);
    }
    const before = bucketOf(run.status);
    const status = String(r.status);
    if (status === 'started') {
      // A second 'started' with a higher attempt: the group ran the branch again (its retries keep
      // the addresses). The same attempt again is a restored state running it anew, not a retry.
      if (run.starts++ > 0 && typeof r.retryAttempt === 'number' && r.retryAttempt > run.attempt) {
        run.retries++;
        this.counts.retries++;
      }
      run.input = r.detail;
      run.end = null;
      run.error = undefined;
      run.message = undefined;
    } else if (status === 'retrying') {
      run.retries++;
      this.counts.retries++;
      run.message = r.message;
    } else if (TERMINAL[status]) {
      run.end = r.timestamp;
      if (TERMINAL[status] === 'completed') {
        run.output = r.result !== undefined ? r.result : r.detail;
        run.hasOutput = r.result !== undefined || r.detail !== undefined;
      } else {
        run.error = r.error;
      }
      run.message = r.message;
    }
    if (typeof r.executionTimeMs === 'number') run.durationMs = r.executionTimeMs;
    if (typeof r.retryAttempt === 'number') run.attempt = r.retryAttempt;
    run.status = status;
    const after = bucketOf(status);
    if (before !== after) {
      this.count(before, -1);
      this.count(after, 1);
    }
    this.markDirty(node);
    return node;
  }

  /** A group lifecycle event: the group's counts, and a settled task's outcome on its branch. */
  applyGroup(g) {
    if (typeof g.groupId !== 'string') return;
    const node = this.ensure(g.groupId);
    const fresh = !node.group;
    node.kind = 'group';
    node.group = g;
    // A big group starts collapsed: its rows are built only when someone opens it.
    if (fresh) this.setExpanded(node, g.total <= EXPAND_LIMIT);
    this.markDirty(node);
    if (g.type === 'task' && typeof g.index === 'number') {
      const branch = this.ensure(g.groupId + '[' + g.index + ']');
      branch.task = { name: g.taskName, outcome: g.outcome, durationMs: g.taskDurationMs, attempts: g.attempts, message: g.message };
      this.markDirty(branch);
    }
  }

  /** Collapses the groups with many branches (a stored history has no group events to say so). */
  collapseLarge() {
    for (const node of this.byKey.values()) {
      if (node.kind === 'group' && node.children.length > EXPAND_LIMIT) this.setExpanded(node, false);
    }
  }

  isOpen(node) {
    return node === this.root || (node.expanded && node.li !== null && this.isOpen(node.parent));
  }

  setExpanded(node, expanded) {
    if (node.expanded === expanded) return;
    node.expanded = expanded;
    this.markDirty(node);
    if (expanded && node.li) this.pendingChildren.push(node);
  }

  /** Creates or updates the rows that changed; returns whether work is left for another frame. */
  render() {
    let budget = RENDER_BATCH;
    while (this.pendingChildren.length > 0 && budget > 0) {
      const parent = this.pendingChildren[0];
      const open = parent.expanded && this.isOpen(parent);
      let done = true;
      if (open) {
        for (const child of parent.children) {
          if (child.li) continue;
          if (budget-- <= 0) {
            done = false;
            break;
          }
          this.createRow(child);
        }
      }
      if (done) this.pendingChildren.shift();
    }
    const dirty = this.dirty;
    this.dirty = [];
    for (const node of dirty) {
      node.dirty = false;
      if (!node.li) {
        if (this.isOpen(node.parent)) this.createRow(node);
        else continue;
      }
      this.updateRow(node);
      if (node === this.selected) this.onSelect(node, false);
    }
    return this.pendingChildren.length > 0;
  }

  createRow(node) {
    const li = document.createElement('li');
    li.setAttribute('role', 'treeitem');
    li.setAttribute('aria-level', String(node.depth));
    li.setAttribute('aria-selected', 'false');
    li.tabIndex = -1;
    li.dataset.id = String(node.id);
    const row = document.createElement('div');
    row.className = 'row';
    row.style.paddingLeft = (node.depth - 1) * 16 + 4 + 'px';
    const twisty = el('span', 'twisty');
    twisty.setAttribute('aria-hidden', 'true');
    const name = el('span', 'name');
    name.title = node.key;
    row.append(twisty, el('span', 'dot'), name, el('span', 'badge'), el('span', 'meta'));
    li.append(row);
    node.li = li;
    node.row = row;
    const parent = node.parent;
    let list = parent.childList;
    if (!list) {
      list = parent.childList = document.createElement('ul');
      list.setAttribute('role', 'group');
      parent.li.append(list);
    }
    // Before the next sibling that has a row already, so the DOM keeps the model's order.
    const siblings = parent.children;
    let next = null;
    for (let i = siblings.indexOf(node) + 1; i < siblings.length; i++) {
      if (siblings[i].li) {
        next = siblings[i].li;
        break;
      }
    }
    list.insertBefore(li, next);
    if (!this.focused) this.setFocus(node, false);
    this.updateRow(node);
    if (node.expanded && node.children.length > 0) this.pendingChildren.push(node);
  }

  updateRow(node) {
    const li = node.li;
    const [twisty, dot, name, badge, meta] = node.row.children;
    const parts = describeNode(node);
    li.className = 'node ' + node.kind + ' status-' + parts.status;
    li.setAttribute('aria-selected', String(node === this.selected));
    if (node.children.length > 0) {
      li.setAttribute('aria-expanded', String(node.expanded));
      twisty.textContent = node.expanded ? '▾' : '▸';
    } else {
      li.removeAttribute('aria-expanded');
      twisty.textContent = '';
    }
    if (node.childList) node.childList.hidden = !node.expanded;
    dot.title = parts.status;
    name.textContent = parts.name;
    badge.textContent = parts.badge;
    meta.textContent = parts.meta;
    li.setAttribute('aria-label', parts.name + ' ' + parts.badge + ', ' + parts.status + (parts.meta ? ', ' + parts.meta : ''));
  }

  nodeOf(target) {
    const li = target instanceof Element ? target.closest('li[role="treeitem"]') : null;
    return li ? this.byId.get(Number(li.dataset.id)) || null : null;
  }

  onClick(e) {
    const node = this.nodeOf(e.target);
    if (!node) return;
    if (e.target.classList.contains('twisty')) this.toggle(node);
    else this.select(node);
    this.setFocus(node, true);
  }

  /** Opens or closes a node; its own row answers at once, its children's rows come by frame. */
  toggle(node) {
    if (node.children.length === 0) return;
    this.setExpanded(node, !node.expanded);
    if (node.li) this.updateRow(node);
    requestFrame();
  }

  select(node) {
    const previous = this.selected;
    this.selected = node;
    if (previous && previous.li) this.updateRow(previous);
    if (node.li) this.updateRow(node);
    else this.markDirty(node);
    this.onSelect(node, true);
    requestFrame();
  }

  setFocus(node, move) {
    if (this.focused && this.focused.li) this.focused.li.tabIndex = -1;
    this.focused = node;
    node.li.tabIndex = 0;
    if (move) node.li.focus();
  }

  /** Selects the node with this key (expanding its ancestors); returns whether it exists. */
  reveal(key) {
    const node = this.byKey.get(key);
    if (!node) return false;
    for (let p = node.parent; p !== this.root; p = p.parent) this.setExpanded(p, true);
    this.select(node);
    return true;
  }

  visible(node) {
    return node.children.filter((c) => c.li !== null);
  }

  nextVisible(node) {
    if (node.expanded) {
      const kids = this.visible(node);
      if (kids.length > 0) return kids[0];
    }
    for (let n = node; n !== this.root; n = n.parent) {
      const siblings = this.visible(n.parent);
      const next = siblings[siblings.indexOf(n) + 1];
      if (next) return next;
    }
    return null;
  }

  lastVisible(node) {
    let n = node;
    for (;;) {
      const kids = n.expanded ? this.visible(n) : [];
      if (kids.length === 0) return n;
      n = kids[kids.length - 1];
    }
  }

  previousVisible(node) {
    const siblings = this.visible(node.parent);
    const at = siblings.indexOf(node);
    if (at > 0) return this.lastVisible(siblings[at - 1]);
    return node.parent === this.root ? null : node.parent;
  }

  onKey(e) {
    const node = this.nodeOf(e.target);
    if (!node) return;
    let target = null;
    switch (e.key) {
      case 'ArrowDown':
        target = this.nextVisible(node);
        break;
      case 'ArrowUp':
        target = this.previousVisible(node);
        break;
      case 'ArrowRight':
        if (node.children.length > 0 && !node.expanded) this.toggle(node);
        else if (node.expanded) target = this.visible(node)[0] || null;
        break;
      case 'ArrowLeft':
        if (node.expanded && node.children.length > 0) this.toggle(node);
        else if (node.parent !== this.root) target = node.parent;
        break;
      case 'Home':
        target = this.visible(this.root)[0] || null;
        break;
      case 'End': {
        const top = this.visible(this.root);
        target = top.length > 0 ? this.lastVisible(top[top.length - 1]) : null;
        break;
      }
      case 'Enter':
      case ' ':
        this.select(node);
        break;
      default:
        return;
    }
    e.preventDefault();
    if (target && target.li) this.setFocus(target, true);
  }
}

function describeNode(node) {
  if (node.run) {
    const run = node.run;
    const meta = [];
    const ms = run.durationMs;
    if (typeof ms === 'number') meta.push(fmtMs(ms));
    if (run.retries > 0) meta.push(run.retries === 1 ? '1 retry' : run.retries + ' retries');
    return { name: run.actor.name || node.label, badge: shortType(run.actor.eventType), status: run.status, meta: run.status + (meta.length ? ' · ' + meta.join(' · ') : '') };
  }
  if (node.group) {
    const g = node.group;
    const done = g.completed + g.failed + g.cancelled;
    const meta = done + '/' + g.total + ' finished' + (g.failed ? ' · ' + g.failed + ' failed' : '') + (g.cancelled ? ' · ' + g.cancelled + ' cancelled' : '');
    return { name: g.name || node.label, badge: 'group', status: g.status, meta };
  }
  if (node.task) {
    const t = node.task;
    const meta = [t.outcome];
    if (typeof t.durationMs === 'number') meta.push(fmtMs(t.durationMs));
    if (t.attempts > 1) meta.push(t.attempts + ' attempts');
    return { name: node.label + (t.name ? ' ' + t.name : ''), badge: 'task', status: t.outcome, meta: meta.join(' · ') };
  }
  return { name: node.label, badge: node.kind === 'branch' ? 'branch' : '', status: 'none', meta: '' };
}

function shortType(eventType) {
  return { tool_call: 'tool', agent_call: 'agent', llm_call: 'llm' }[eventType] || String(eventType || '');
}
`;
