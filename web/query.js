// The SQL card: POST /api/query ({sql, rowMode: "array"}, run with the button or Ctrl+Enter),
// the result as a table (at most kShownRows rows drawn), the query's stats, an error with the
// position it names, and the whole result as a CSV download.
import { send } from './http.js';
import { cellText, el, formatMs, plural } from './format.js';

const kShownRows = 1000;
let lastResult = null;  // {columns, data} of the last answer, for the download

// RFC 4180 fields (one holding a comma, quote or line break is quoted, quotes doubled), lines
// ending in \n as `p2plake sql --format csv` writes them.
function csvField(value) {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function resultToCsv(result) {
  const lines = [result.columns.map((c) => csvField(c.name)).join(',')];
  for (const row of result.data) lines.push(row.map(csvField).join(','));
  return `${lines.join('\n')}\n`;
}

function renderTable(table, result) {
  const head = el('thead');
  const headRow = el('tr');
  for (const c of result.columns) {
    const th = el('th', '', c.name);
    th.append(el('span', 'type', c.type));
    headRow.append(th);
  }
  head.append(headRow);
  const body = el('tbody');
  for (const row of result.data.slice(0, kShownRows)) {
    const tr = el('tr');
    row.forEach((value, i) => {
      const td = el('td', value === null ? 'null' : '', cellText(value));
      if (typeof value === 'number' || /BIGINT|DOUBLE/.test(result.columns[i].type)) {
        td.classList.add('num');
      }
      tr.append(td);
    });
    body.append(tr);
  }
  table.replaceChildren(head, body);
}

function renderStats(list, answer) {
  const s = answer.stats || {};
  const facts = [
    ['Rows', answer.rowCount], ['Time', formatMs(answer.executionTime)],
    ['Chunks scanned', s.chunksScanned], ['Chunks pruned', s.chunksPruned],
    ['Chunks total', s.chunksTotal], ['Nodes contacted', s.nodesContacted],
  ];
  if (s.cached) facts.push(['Cached', 'yes']);
  list.replaceChildren();
  for (const [term, value] of facts) {
    const row = el('div');
    row.append(el('dt', '', term), el('dd', '', String(value ?? '–')));
    list.append(row);
  }
  list.hidden = false;
}

// The line of `sql` holding 1-based character `position`, and a caret under it.
function errorContext(sql, position) {
  const before = sql.slice(0, position - 1);
  const lineStart = before.lastIndexOf('\n') + 1;
  const lineEnd = sql.indexOf('\n', lineStart);
  const line = sql.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
  return `${line}\n${' '.repeat(position - 1 - lineStart)}^`;
}

// Wires the card.
export function initQuery() {
  const form = document.getElementById('query-form');
  const editor = document.getElementById('sql');
  const button = document.getElementById('run-query');
  const download = document.getElementById('download-csv');
  const error = document.getElementById('query-error');
  const context = document.getElementById('query-error-context');
  const stats = document.getElementById('query-stats');
  const table = document.getElementById('result-table');
  const note = document.getElementById('result-note');

  const run = async () => {
    const sql = editor.value.trim();
    if (!sql || button.disabled) return;
    button.disabled = true;
    error.hidden = context.hidden = true;
    table.setAttribute('aria-busy', 'true');
    try {
      const answer = await send('POST', '/api/query', JSON.stringify({ sql, rowMode: 'array' }),
                                'application/json');
      lastResult = { columns: answer.columns, data: answer.data };
      renderTable(table, lastResult);
      renderStats(stats, answer);
      note.hidden = answer.data.length <= kShownRows;
      note.textContent = `Showing the first ${kShownRows} of ${plural(answer.data.length, 'row')}; ` +
                         'the download holds them all.';
      download.disabled = false;
    } catch (e) {
      // The message names the position ("... (at position P)"); the context shows it.
      const position = e.body && e.body.position;
      error.textContent = e.message;
      error.hidden = false;
      if (position) {
        context.textContent = errorContext(sql, position);
        context.hidden = false;
      }
    } finally {
      button.disabled = false;
      table.removeAttribute('aria-busy');
    }
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run();
  });
  editor.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    }
  });
  download.addEventListener('click', () => {
    if (!lastResult) return;
    const url = URL.createObjectURL(new Blob([resultToCsv(lastResult)], { type: 'text/csv' }));
    const link = el('a');
    link.href = url;
    link.download = 'result.csv';
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  });
}

// Puts `sql` in the editor (when a data set is picked and the editor is empty).
export function suggestQuery(sql) {
  const editor = document.getElementById('sql');
  if (!editor.value.trim()) editor.value = sql;
}
