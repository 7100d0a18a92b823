/**
 * The page's timeline of parallel tasks (browser JavaScript, shipped inline): one block of lanes
 * per group, one bar per task from its first start to its end, drawn on a canvas (cheap at
 * thousands of bars) at most a few times a second. A click on a bar selects its branch.
 */
export const clientTimelineScript = String.raw`
const LABEL_WIDTH = 140;
const ROW_GAP = 6;
const REDRAW_MS = 200;
const COLORS = { running: '#3b82f6', completed: '#16a34a', failed: '#dc2626', cancelled: '#9ca3af' };

class Timeline {
  constructor(canvas, onPick) {
    this.canvas = canvas;
    this.onPick = onPick;
    this.groups = new Map();
    this.bars = new Map();
    this.t0 = Infinity;
    this.t1 = -Infinity;
    this.dirty = false;
    this.drawnAt = 0;
    this.layout = [];
    canvas.addEventListener('click', (e) => this.pick(e));
  }

  group(groupId, name) {
    let g = this.groups.get(groupId);
    if (!g) {
      g = { id: groupId, name: name || groupId, lanes: [], count: 0 };
      this.groups.set(groupId, g);
    }
    if (name) g.name = name;
    return g;
  }

  bar(groupId, index, start) {
    const key = groupId + '[' + index + ']';
    let bar = this.bars.get(key);
    if (bar) {
      if (start < bar.start) bar.start = start;
      return bar;
    }
    const g = this.group(groupId);
    // The first lane whose task has ended by this start: lanes show how many ran at once.
    let lane = g.lanes.findIndex((other) => other.end !== null && other.end <= start);
    bar = { key, groupId, start, end: null, status: 'running', lane: 0, row: null };
    if (lane < 0) {
      lane = g.lanes.length;
      g.lanes.push(bar);
    } else g.lanes[lane] = bar;
    bar.lane = lane;
    g.count++;
    this.bars.set(key, bar);
    this.extend(start);
    return bar;
  }

  extend(t) {
    if (t < this.t0) this.t0 = t;
    if (t > this.t1) this.t1 = t;
    this.dirty = true;
  }

  /** A run inside a branch started. */
  started(r) {
    this.bar(r.groupId, r.parallelIndex, r.timestamp);
  }

  /** A group event: names the group; a task event ends its bar. */
  applyGroup(g) {
    this.group(g.groupId, g.name);
    if (g.type !== 'task' || typeof g.index !== 'number') return;
    const duration = typeof g.taskDurationMs === 'number' ? g.taskDurationMs : 0;
    const bar = this.bar(g.groupId, g.index, g.timestamp - duration);
    bar.end = g.timestamp;
    bar.status = g.outcome || 'completed';
    this.extend(g.timestamp);
  }

  /**
   * Draws when something changed, less often the more bars there are (at most every REDRAW_MS,
   * and about every second at thousands); returns whether a draw is due later.
   */
  render(now) {
    if (!this.dirty) return false;
    if (now - this.drawnAt < Math.min(1000, REDRAW_MS + this.bars.size / 4)) return true;
    this.dirty = false;
    this.drawnAt = now;
    this.draw();
    return false;
  }

  draw() {
    const canvas = this.canvas;
    const width = Math.max(canvas.clientWidth, 300);
    const laneHeight = (g) => Math.max(2, Math.min(10, Math.floor(90 / Math.max(1, g.lanes.length))));
    let height = 0;
    this.layout = [];
    const rows = new Map();
    for (const g of this.groups.values()) {
      if (g.lanes.length === 0) continue;
      const h = laneHeight(g);
      const row = { g, top: height, laneHeight: h };
      this.layout.push(row);
      rows.set(g.id, row);
      height += Math.max(16, g.lanes.length * h) + ROW_GAP;
    }
    const ratio = window.devicePixelRatio || 1;
    const pixelWidth = Math.floor(width * ratio);
    const pixelHeight = Math.floor(height * ratio);
    if (canvas.width !== pixelWidth || canvas.height !== pixelHeight) {
      canvas.style.height = height + 'px';
      canvas.width = pixelWidth;
      canvas.height = pixelHeight;
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const span = Math.max(1, this.t1 - this.t0);
    const scale = (width - LABEL_WIDTH - 4) / span;
    this.scale = scale;
    ctx.font = '12px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    const ink = getComputedStyle(canvas).color;
    for (const row of this.layout) {
      ctx.fillStyle = ink;
      ctx.fillText(clip(row.g.name, 20) + ' (' + row.g.count + ')', 2, row.top + 1, LABEL_WIDTH - 8);
    }
    // One path per colour: a few fills instead of a style change per bar.
    const paths = {};
    for (const bar of this.bars.values()) {
      const row = rows.get(bar.groupId);
      bar.row = row || null;
      if (!row) continue;
      const color = COLORS[bar.status] || COLORS.running;
      const path = paths[color] || (paths[color] = new Path2D());
      const end = bar.end === null ? this.t1 : bar.end;
      const x = LABEL_WIDTH + (bar.start - this.t0) * scale;
      path.rect(x, row.top + bar.lane * row.laneHeight, Math.max(1, (end - bar.start) * scale), Math.max(1, row.laneHeight - 1));
    }
    for (const color of Object.keys(paths)) {
      ctx.fillStyle = color;
      ctx.fill(paths[color]);
    }
    canvas.setAttribute('aria-label', 'Timeline: ' + this.bars.size + ' parallel tasks in ' + this.layout.length + ' groups over ' + fmtMs(span) + '.');
  }

  pick(e) {
    const rect = this.canvas.getBoundingClientRect();
    const x = e.clientX - rect.left;
    const y = e.clientY - rect.top;
    for (const bar of this.bars.values()) {
      const row = bar.row;
      if (!row) continue;
      const top = row.top + bar.lane * row.laneHeight;
      const left = LABEL_WIDTH + (bar.start - this.t0) * this.scale;
      const right = left + Math.max(3, ((bar.end === null ? this.t1 : bar.end) - bar.start) * this.scale);
      if (y >= top && y < top + row.laneHeight && x >= left && x <= right) {
        this.onPick(bar.key);
        return;
      }
    }
  }
}
`;
