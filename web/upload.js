// The upload card: a CSV file sent as POST /api/upload (text/csv, ?name=) through
// XMLHttpRequest so a progress bar can follow the body going out; the node's receipt (rows,
// columns, chunks, replicas, replication status) or its error, with line and column for a
// malformed CSV.
import { authHeaders } from './token.js';
import { parseBody, withToken } from './http.js';
import { el, formatBytes, formatMs, plural } from './format.js';

// What a file name implies as a data set name: its base name with every other character '_'.
function nameFromFile(fileName) {
  let name = fileName.replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z_]/.test(name)) name = `_${name}`;
  return name.slice(0, 128);
}

function sendOnce(file, name, progress) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/upload?name=${encodeURIComponent(name)}`);
    xhr.setRequestHeader('Content-Type', 'text/csv');
    xhr.setRequestHeader('Accept', 'application/json');
    for (const [header, value] of Object.entries(authHeaders())) xhr.setRequestHeader(header, value);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) progress.value = (100 * event.loaded) / event.total;
    };
    // All sent: the node now splits, stores and replicates it; the bar shows it is still busy.
    xhr.upload.onload = () => progress.removeAttribute('value');
    xhr.onload = () => resolve({ status: xhr.status, body: parseBody(xhr.responseText, xhr.statusText) });
    xhr.onerror = () => resolve({ status: 0, body: { error: 'the node did not answer' } });
    xhr.send(file);
  });
}

function showReceipt(box, r) {
  box.replaceChildren();
  const title = el('p', 'receipt-title');
  title.append(el('strong', '', r.name), ` version ${r.version} stored`);
  box.append(title);
  const facts = el('dl', 'facts');
  const add = (term, value, className) => {
    const row = el('div', className);
    row.append(el('dt', '', term), el('dd', '', value));
    facts.append(row);
    return row;
  };
  add('Rows', String(r.rows)).dataset.field = 'rows';
  add('Chunks', String(r.chunks)).dataset.field = 'chunks';
  add('Size', formatBytes(r.bytes));
  add('Replicas', `min ${r.replicas.min} / target ${r.replicas.target}`).dataset.field = 'replicas';
  add('Replication', r.replicationStatus, `status-${r.replicationStatus}`).dataset.field =
      'replicationStatus';
  if (r.executionTime !== undefined) add('Time', formatMs(r.executionTime));
  box.append(facts);
  const columns = el('ul', 'columns');
  for (const c of r.columns || []) {
    const item = el('li', 'column-chip');
    item.append(el('span', '', c.name), el('span', 'type', c.type));
    columns.append(item);
  }
  box.append(el('p', 'muted', plural((r.columns || []).length, 'column')), columns);
  box.hidden = false;
}

// Wires the card; `onStored(receipt)` runs after each successful upload.
export function initUpload(onStored) {
  const form = document.getElementById('upload-form');
  const fileInput = document.getElementById('upload-file');
  const nameInput = document.getElementById('upload-name');
  const button = document.getElementById('upload-button');
  const progress = document.getElementById('upload-progress');
  const result = document.getElementById('upload-result');
  const error = document.getElementById('upload-error');

  fileInput.addEventListener('change', () => {
    const file = fileInput.files[0];
    if (file) nameInput.value = nameFromFile(file.name);
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const file = fileInput.files[0];
    error.hidden = true;
    if (!file) {
      error.textContent = 'Choose a CSV file first.';
      error.hidden = false;
      return;
    }
    const name = nameInput.value.trim() || nameFromFile(file.name);
    button.disabled = true;
    result.hidden = true;
    progress.value = 0;
    progress.hidden = false;
    try {
      const receipt = await withToken(() => sendOnce(file, name, progress));
      showReceipt(result, receipt);
      onStored(receipt);
    } catch (e) {
      // A malformed CSV's line and column, unless the message already names them.
      const b = e.body || {};
      const where = b.line ? `line ${b.line}, column ${b.column}` : '';
      error.textContent = where && !e.message.includes(where) ? `${e.message} (${where})` : e.message;
      error.hidden = false;
    } finally {
      button.disabled = false;
      progress.hidden = true;
    }
  });
}
