/**
 * Small helpers of the page's script (browser JavaScript, shipped inline): element creation with
 * text only, and formatting of durations, counts, times and values.
 */
export const clientBaseScript = String.raw`
const $ = (id) => document.getElementById(id);

/** An element with a class and text content; never parses HTML. */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function fmtMs(ms) {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 1000) return (ms < 10 ? ms.toFixed(1) : Math.round(ms)) + ' ms';
  const s = ms / 1000;
  if (s < 60) return s.toFixed(s < 10 ? 2 : 1) + ' s';
  const m = Math.floor(s / 60);
  if (m < 60) return m + ' min ' + Math.round(s % 60) + ' s';
  return Math.floor(m / 60) + ' h ' + (m % 60) + ' min';
}

const numberFormat = new Intl.NumberFormat('en-US');

function fmtNum(n) {
  return numberFormat.format(n);
}

function fmtTime(ts) {
  if (typeof ts !== 'number' || !Number.isFinite(ts)) return '';
  const d = new Date(ts);
  const pad = (n, w) => String(n).padStart(w, '0');
  return pad(d.getHours(), 2) + ':' + pad(d.getMinutes(), 2) + ':' + pad(d.getSeconds(), 2) + '.' + pad(d.getMilliseconds(), 3);
}

function fmtDate(ts) {
  if (typeof ts !== 'number' || !Number.isFinite(ts)) return '';
  return new Date(ts).toISOString().replace('T', ' ').slice(0, 19);
}

function clip(text, max) {
  const s = String(text);
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

function compact(value) {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** A value for a <pre>: JSON pretty-printed (also JSON held in a string), an error as "Name: message". */
function pretty(value) {
  if (typeof value === 'string') {
    try {
      const parsed = JSON.parse(value);
      if (parsed !== null && typeof parsed === 'object') return JSON.stringify(parsed, null, 2);
    } catch {
      // Not JSON (or truncated JSON): shown as it is.
    }
    return value;
  }
  if (value && typeof value === 'object' && typeof value.name === 'string' && typeof value.message === 'string' && Object.keys(value).length === 2) {
    return value.name + ': ' + value.message;
  }
  try {
    return JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
}
`;
