// The data sets card: GET /api/datasets as a list; picking one shows GET /api/datasets/{name}
// (schema with types, version, rows, and each chunk with the nodes holding its replicas) and
// hands the detail to the ring. The detail's delete button asks to be pressed twice, then sends
// DELETE /api/datasets/{name} with the token.
import { getJson, send } from './http.js';
import { el, formatBytes, formatCount, plural, shortId } from './format.js';

let selected = '';    // the name picked, '' for none
let onSelect = null;  // (detail or null) => void
let selfIdOf = () => '';  // this node's id, once known

function renderList(list, empty, datasets) {
  list.replaceChildren();
  for (const d of datasets) {
    const item = el('li');
    const button = el('button', d.name === selected ? 'dataset selected' : 'dataset');
    button.type = 'button';
    button.dataset.dataset = d.name;
    button.append(el('span', 'dataset-name', d.name),
                  el('span', 'muted', `v${d.version} · ${plural(d.rowCount, 'row')} · ` +
                                      `${plural(d.chunks, 'chunk')} · ${formatBytes(d.bytes)}`));
    button.addEventListener('click', () => select(d.name));
    item.append(button);
    list.append(item);
  }
  empty.hidden = datasets.length > 0;
}

function table(headers, rows) {
  const t = el('table', 'compact');
  const head = el('tr');
  for (const h of headers) head.append(el('th', '', h));
  const body = el('tbody');
  for (const cells of rows) {
    const tr = el('tr');
    for (const cell of cells) tr.append(cell instanceof Node ? wrap(cell) : el('td', '', cell));
    body.append(tr);
  }
  t.append(el('thead'), body);
  t.tHead.append(head);
  return t;
}

function wrap(node) {
  const td = el('td');
  td.append(node);
  return td;
}

function holderList(holders) {
  const span = el('span', 'holders');
  if (holders.length === 0) span.append(el('span', 'warn', 'none known'));
  for (const h of holders) {
    const chip = el('span', h === selfIdOf() ? 'node-chip self' : 'node-chip', shortId(h));
    chip.title = h;
    span.append(chip);
  }
  return span;
}

function renderDetail(box, d) {
  box.replaceChildren();
  box.dataset.dataset = d.name;
  const title = el('h3');
  title.append(`${d.name} `, el('span', 'muted', `version ${d.version}`));
  const facts = el('p', 'muted', `${plural(d.rowCount, 'row')} · ${plural(d.chunks.length, 'chunk')} · ` +
                                 `${formatBytes(d.bytes)} · ${d.replicas.target} replicas per chunk`);
  const schema = table(['Column', 'Type'], d.columns.map((c) => [c.name, c.type]));
  schema.classList.add('schema');
  const chunks = table(['Chunk', 'Rows', 'Size', 'Replicas on'],
                       d.chunks.map((c) => {
                         const id = el('span', 'mono', shortId(c.id));
                         id.title = c.id;
                         return [id, formatCount(c.rows), formatBytes(c.bytes), holderList(c.holders)];
                       }));
  chunks.classList.add('chunks');
  box.append(title, facts, schema, chunks, deleteButton(d.name));
  box.hidden = false;
}

function deleteButton(name) {
  const row = el('div', 'row delete-row');
  const button = el('button', 'danger', 'Delete data set');
  button.type = 'button';
  button.id = 'dataset-delete';
  const message = el('span', 'error');
  button.addEventListener('click', async () => {
    if (!button.classList.contains('armed')) {
      button.classList.add('armed');
      button.textContent = `Press again to delete ${name}`;
      return;
    }
    button.disabled = true;
    try {
      await send('DELETE', `/api/datasets/${encodeURIComponent(name)}`);
      if (selected === name) selected = '';
      await refreshDatasets();
    } catch (e) {
      message.textContent = e.message;
      button.disabled = false;
    }
  });
  row.append(button, message);
  return row;
}

async function select(name) {
  selected = name;
  for (const b of document.querySelectorAll('#dataset-list .dataset')) {
    b.classList.toggle('selected', b.dataset.dataset === name);
  }
  await refreshDetail();
}

async function refreshDetail() {
  const box = document.getElementById('dataset-detail');
  if (!selected) {
    box.hidden = true;
    onSelect(null);
    return;
  }
  try {
    const detail = await getJson(`/api/datasets/${encodeURIComponent(selected)}`);
    // Redrawn only when it changed, so a periodic refresh keeps the reader's place (and a delete
    // button pressed once).
    const text = JSON.stringify(detail);
    if (box.hidden || box.dataset.shown !== text) {
      renderDetail(box, detail);
      box.dataset.shown = text;
    }
    onSelect(detail);
  } catch (e) {
    box.replaceChildren(el('p', 'error', `${selected}: ${e.message}`));
    box.dataset.shown = '';
    box.hidden = false;
    onSelect(null);
  }
}

// Re-reads the list (and the selected data set); `pick` selects that name afterwards.
export async function refreshDatasets(pick) {
  const list = document.getElementById('dataset-list');
  const empty = document.getElementById('datasets-empty');
  const answer = await getJson('/api/datasets');
  const datasets = answer.datasets || [];
  if (pick) selected = pick;
  if (selected && !datasets.some((d) => d.name === selected)) selected = '';
  renderList(list, empty, datasets);
  await refreshDetail();
}

// `selectCallback(detail or null)` learns each change of the selected data set's detail;
// `selfId()` names this node.
export function initDatasets(selfId, selectCallback) {
  selfIdOf = selfId;
  onSelect = selectCallback;
  document.getElementById('datasets-refresh').addEventListener('click', () => refreshDatasets());
}
