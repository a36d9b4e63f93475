// How the dashboard writes numbers, sizes, ids, times and table cells.

export function formatBytes(bytes) {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = Number(bytes) || 0;
  let unit = 0;
  while (value >= 1024 && unit + 1 < units.length) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function formatCount(n) {
  return Number(n).toLocaleString('en-US');
}

export function plural(n, word, many = `${word}s`) {
  return `${formatCount(n)} ${Number(n) === 1 ? word : many}`;
}

// The first 8 hex digits: enough to tell nodes and chunks apart on one screen.
export function shortId(hex) {
  return String(hex || '').slice(0, 8);
}

export function formatMs(ms) {
  const value = Number(ms) || 0;
  return value < 10 ? `${value.toFixed(2)} ms` : value < 1000 ? `${value.toFixed(1)} ms`
                                                              : `${(value / 1000).toFixed(2)} s`;
}

export function formatDuration(seconds) {
  const s = Math.floor(Number(seconds) || 0);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export function formatClock(unixMs) {
  return new Date(Number(unixMs) || Date.now()).toLocaleTimeString('en-GB', { hour12: false });
}

// A result cell as the table shows it: NULL for null, JSON values as their text.
export function cellText(value) {
  if (value === null || value === undefined) return 'NULL';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

// An element with a class and text (the page builds all its content this way: no innerHTML of
// data).
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}
