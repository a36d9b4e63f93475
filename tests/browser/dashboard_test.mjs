// The dashboard in a real browser: a 3-node network of `p2plake node` processes on 127.0.0.1,
// headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) on node 1's page.
// Node 1 has an API token: the page's first query answers 401, which the token form answers.
// Through the page it then uploads sample-data/products.csv, runs a
// query with Ctrl+Enter and downloads its CSV, checks what the page shows against answers
// computed independently (`p2plake sql`, the embedded engine on the same file), the ring against
// the network and the live feed against the upload, and deletes the data set. Saves a
// screenshot to BUILD/dashboard.png (before the delete, or where a failed step left the page).
//   usage: node tests/browser/dashboard_test.mjs [--build-dir build] [--source-dir .]
// playwright-core is installed in BUILD/browser by scripts/install-browser-deps.sh.
// Prints "N passed, M failed" last and exits non-zero on any failure; the nodes are killed and
// the scratch directory removed in every case.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const kNodes = 3;
const kToken = 's3cret';  // node 1's security.apiToken
const kOverallTimeoutMs = 100_000;  // the whole test; ctest's own timeout is larger
const kStepTimeoutMs = 20_000;
const kChromium = '/usr/bin/chromium';
const kChromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
                       '--no-first-run', '--disable-background-networking',
                       '--disable-component-update', '--disable-sync'];
const kQuery = 'SELECT category, COUNT(*) AS n, ROUND(AVG(price), 2) AS avg_price, ' +
               'SUM(stock_quantity) AS stock FROM products GROUP BY category ORDER BY category';

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? path.resolve(process.argv[i + 1]) : fallback;
}
const sourceDir = option('--source-dir', path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..'));
const buildDir = option('--build-dir', path.join(sourceDir, 'build'));
const binary = path.join(buildDir, 'p2plake');
const csvPath = path.join(sourceDir, 'sample-data', 'products.csv');
const scratch = path.join(buildDir, 'test-tmp', `browser-${process.pid}`);

function fail(message) {
  throw new Error(message);
}

function check(condition, message) {
  if (!condition) fail(message);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// --- The network --------------------------------------------------------------------------------

const nodes = [];  // {process, url, p2p, id, dir, output}

// Starts one node on free ports (0) and resolves once it printed its URLs. `token`: the node's
// security.apiToken (written to a config file of its own).
function startNode(index, seed, token = '') {
  const dir = path.join(scratch, `node-${index}`);
  const args = ['node', '--data-dir', dir, '--http-port', '0', '--p2p-port', '0'];
  if (seed) args.push('--seed', seed);
  if (token) {
    const config = path.join(scratch, `node-${index}.json`);
    fs.writeFileSync(config, JSON.stringify({ security: { apiToken: token } }));
    args.push('--config', config);
  }
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const node = { process: child, dir, output: '', url: '', p2p: '', id: '' };
  nodes.push(node);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node ${index} printed no URL in 20 s:\n${node.output}`)),
                             kStepTimeoutMs);
    const read = (chunk) => {
      node.output += chunk;
      node.id ||= (node.output.match(/^p2plake node ([0-9a-f]{64})$/m) || [])[1] || '';
      node.url ||= (node.output.match(/^\s+http\s+(http:\/\/\S+)$/m) || [])[1] || '';
      node.p2p ||= (node.output.match(/^\s+p2p\s+(\S+)$/m) || [])[1] || '';
      if (node.id && node.url && node.p2p) {
        clearTimeout(timer);
        resolve(node);
      }
    };
    child.stdout.setEncoding('utf8').on('data', read);
    child.stderr.setEncoding('utf8').on('data', (chunk) => { node.output += chunk; });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`node ${index} exited (${code ?? signal}):\n${node.output}`));
    });
  });
}

async function getJson(url) {
  const res = await fetch(url);
  if (!res.ok) fail(`GET ${url}: HTTP ${res.status}`);
  return res.json();
}

// Polls `probe` (an async predicate) every 200 ms until it holds or `ms` pass.
async function waitFor(what, probe, ms = kStepTimeoutMs) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      if (await probe()) return;
    } catch {
      // not ready yet
    }
    if (Date.now() > deadline) fail(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

async function stopNodes() {
  await Promise.all(nodes.map(async ({ process: child }) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }));
}

// --- Independent answers --------------------------------------------------------------------------

// `p2plake sql` over the CSV file itself: the embedded engine, no network, no page.
function embedded(sql, format) {
  return execFileSync(binary, ['sql', '--table', `products=${csvPath}`, sql, '--format', format],
                      { encoding: 'utf8' });
}

// A result cell as the page writes it (web/format.js cellText).
function cellText(value) {
  if (value === null || value === undefined) return 'NULL';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

// Equal as numbers when both are, else as text (the two CSV writers may spell a double apart).
function sameCell(a, b) {
  const x = Number(a);
  const y = Number(b);
  return a === b || (a !== '' && b !== '' && Number.isFinite(x) && Number.isFinite(y) &&
                     Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x)));
}

// --- The test ---------------------------------------------------------------------------------------

const results = [];  // {name, ok}
let browser = null;  // the Chromium context, once launched

async function step(name, body) {
  const started = Date.now();
  await body();
  results.push({ name, ok: true });
  console.log(`ok   ${name} (${Date.now() - started} ms)`);
}

async function run(consoleErrors) {
  await step('three nodes start and see each other', async () => {
    const first = await startNode(1, '', kToken);
    await Promise.all([startNode(2, first.p2p), startNode(3, first.p2p)]);
    for (const node of nodes) {
      await waitFor(`${node.url} to list ${kNodes - 1} peers`,
                    async () => (await getJson(`${node.url}/api/peers`)).peers.length >= kNodes - 1);
    }
  });

  const require = createRequire(path.join(buildDir, 'browser', 'package.json'));
  let chromium;
  try {
    ({ chromium } = require('playwright-core'));
  } catch {
    fail(`playwright-core is not installed in ${buildDir}/browser: run scripts/install-browser-deps.sh`);
  }
  browser = await chromium.launchPersistentContext(path.join(scratch, 'chromium-profile'), {
    executablePath: kChromium, headless: true, args: kChromiumArgs,
    viewport: { width: 1440, height: 960 }, acceptDownloads: true,
  });
  try {
    const page = browser.pages()[0] || await browser.newPage();
    page.setDefaultTimeout(kStepTimeoutMs);
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
    try {
      await testPage(page, nodes[0]);
    } catch (e) {
      // The CI artifact shows where a failed step left the page.
      await screenshot(page).catch(() => {});
      throw e;
    }
  } finally {
    await browser.close();
  }
}

function screenshot(page) {
  return page.screenshot({ path: path.join(buildDir, 'dashboard.png'), fullPage: true });
}

async function testPage(page, node) {
  await step('the page loads and shows this node in its header', async () => {
    const res = await page.goto(node.url);
    check(res.ok(), `GET / answered ${res.status()}`);
    await page.waitForFunction((id) => document.getElementById('node-id').title === id, node.id);
    check((await page.textContent('#node-id')) === node.id.slice(0, 8), 'the header shows another id');
  });

  await step('a 401 asks for the token once through the page\'s form, and the retry carries it', async () => {
    // This node has security.apiToken set: a query without it answers 401.
    const seen = [];
    const record = (request) => {
      if (request.url().includes('/api/query')) seen.push(request.headers().authorization || '');
    };
    page.on('request', record);
    const sql = 'SELECT 6 * 7 AS n';
    await page.fill('#sql', sql);
    await page.click('#run-query');
    await page.waitForSelector('#token-overlay:not([hidden])');
    await page.fill('#token-input', kToken);
    await page.click('#token-submit');
    await page.waitForFunction(() => document.querySelectorAll('#result-table thead th').length === 1);
    const expected = JSON.parse(embedded(sql, 'json'))[0].n;
    check(await page.textContent('#result-table tbody td') === String(expected), 'the retried query shows another answer');
    check(JSON.stringify(seen) === JSON.stringify(['', `Bearer ${kToken}`]), `the queries carried ${JSON.stringify(seen)}`);
    check(await page.isHidden('#token-overlay'), 'the token form stayed open');
    check(await page.evaluate(() => sessionStorage.getItem('p2plake.token')) === kToken, 'the token was not kept');
    page.off('request', record);
  });

  let stored;  // the node's own account of the data set uploaded (GET /api/datasets/products)
  await step('an upload through the file input shows the node\'s receipt', async () => {
    await page.setInputFiles('#upload-file', csvPath);
    check((await page.inputValue('#upload-name')) === 'products', 'the name is not the file\'s');
    const reply = page.waitForResponse((r) => r.url().includes('/api/upload'));
    await page.click('#upload-button');
    check((await reply).ok(), `the upload answered ${(await reply).status()}`);
    await page.waitForSelector('#upload-result:not([hidden])');
    stored = await getJson(`${node.url}/api/datasets/products`);
    const expectedRows = JSON.parse(embedded('SELECT COUNT(*) AS n FROM products', 'json'))[0].n;
    check(stored.rowCount === expectedRows, `the node stored ${stored.rowCount} rows, the file has ${expectedRows}`);
    const shown = async (field) => page.textContent(`#upload-result [data-field=${field}] dd`);
    check(await shown('rows') === String(expectedRows), 'the page shows other rows');
    check(await shown('chunks') === String(stored.chunks.length), 'the page shows other chunks');
    const replicas = (await shown('replicas')).match(/^min (\d+) \/ target (\d+)$/);
    check(replicas && Number(replicas[2]) === stored.replicas.target, 'the page shows other replicas');
    check(await shown('replicationStatus') === (Number(replicas[1]) < Number(replicas[2]) ? 'degraded' : 'complete'),
          'the replication status shown does not follow from the replicas');
    const chips = await page.$$eval('#upload-result .column-chip', (items) => items.map((i) => i.textContent));
    check(JSON.stringify(chips) === JSON.stringify(stored.columns.map((c) => c.name + c.type)),
          `the columns shown ${JSON.stringify(chips)} are not the node's`);
  });

  await step('a query run with Ctrl+Enter shows the embedded engine\'s rows', async () => {
    await page.fill('#sql', kQuery);
    const reply = page.waitForResponse((r) => r.url().includes('/api/query'));
    await page.press('#sql', 'Control+Enter');
    check((await reply).ok(), `the query answered ${(await reply).status()}`);
    await page.waitForSelector('#query-stats:not([hidden])');
    const headers = await page.$$eval('#result-table thead th', (ths) => ths.map((th) => th.firstChild.textContent));
    const cells = await page.$$eval('#result-table tbody tr',
                                    (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent)));
    const expected = JSON.parse(embedded(kQuery, 'json'));
    check(JSON.stringify(headers) === JSON.stringify(['category', 'n', 'avg_price', 'stock']),
          `the columns shown are ${JSON.stringify(headers)}`);
    check(expected.length > 0, 'the embedded engine found no rows');
    const expectedCells = expected.map((row) => headers.map((h) => cellText(row[h])));
    check(JSON.stringify(cells) === JSON.stringify(expectedCells),
          `the page shows ${JSON.stringify(cells)}, the embedded engine ${JSON.stringify(expectedCells)}`);
    const stats = await page.textContent('#query-stats');
    check(/Chunks scanned/.test(stats) && /Nodes contacted/.test(stats), `the stats read "${stats}"`);
  });

  await step('Download CSV gives the embedded engine\'s CSV', async () => {
    const download = page.waitForEvent('download');
    await page.click('#download-csv');
    const file = await (await download).path();
    const parse = (text) => text.trim().split('\n').map((line) => line.split(','));
    const got = parse(fs.readFileSync(file, 'utf8'));
    const want = parse(embedded(kQuery, 'csv'));
    check(got.length === want.length && got.every((row, r) => row.length === want[r].length &&
                                                              row.every((c, i) => sameCell(c, want[r][i]))),
          `downloaded ${JSON.stringify(got)}, the embedded engine wrote ${JSON.stringify(want)}`);
  });

  await step('the ring shows the three nodes, this one highlighted, edges to the connected peers, and the chunks', async () => {
    await page.waitForFunction((n) => document.querySelectorAll('#ring [data-node-id]').length === n, kNodes);
    const ids = await page.$$eval('#ring [data-node-id]', (gs) => gs.map((g) => g.dataset.nodeId).sort());
    check(JSON.stringify(ids) === JSON.stringify(nodes.map((n) => n.id).sort()), `the ring shows ${ids}`);
    check(await page.getAttribute('#ring .node.self', 'data-node-id') === node.id, 'another node is highlighted');
    const peers = (await getJson(`${node.url}/api/peers`)).peers;
    check(peers.every((p) => typeof p.connected === 'boolean'), '/api/peers gives no `connected`');
    const connected = peers.filter((p) => p.connected).length;
    check(connected > 0, 'no peer is connected');
    await page.waitForFunction((n) => document.querySelectorAll('#ring [data-edge-to]').length === n, connected);
    await page.waitForFunction((n) => document.querySelectorAll('#ring rect[data-chunk-id]').length === n,
                               stored.chunks.length);
  });

  await step('the live feed shows the upload', async () => {
    await page.waitForSelector('#feed [data-event-type="dataset.stored"]');
    const text = await page.textContent('#feed [data-event-type="dataset.stored"]');
    check(text.includes('products') && text.includes(`v${stored.version}`), `the feed reads "${text}"`);
  });
  // The CI artifact: the page with everything above on it.
  await screenshot(page);

  await step('deleting the data set takes two presses and empties the list', async () => {
    await page.click('#dataset-delete');
    check(await page.isVisible('#dataset-list [data-dataset="products"]'), 'one press deleted it');
    await page.click('#dataset-delete');
    await page.waitForSelector('#datasets-empty:not([hidden])');
    check((await getJson(`${node.url}/api/datasets`)).datasets.length === 0, 'the node still lists it');
    await page.waitForFunction(() => document.querySelectorAll('#ring [data-chunk-id]').length === 0);
  });
}

// Chromium may still be writing its profile as it goes: a few tries, and never an exception.
function removeScratch(dir = scratch) {
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  } catch (e) {
    console.error(`could not remove ${dir}: ${e.message}`);
  }
}

// The scratch directories of runs that were killed outright (their process is gone).
function removeAbandonedScratch() {
  const parent = path.dirname(scratch);
  for (const name of fs.existsSync(parent) ? fs.readdirSync(parent) : []) {
    const pid = Number((name.match(/^browser-(\d+)$/) || [])[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch {
      removeScratch(path.join(parent, name));
    }
  }
}

async function main() {
  removeAbandonedScratch();
  removeScratch();
  fs.mkdirSync(scratch, { recursive: true });
  const consoleErrors = [];
  let failure = null;
  // Past the deadline, or stopped from outside: the nodes go with the test.
  const abandon = async (why) => {
    console.error(`FAIL: ${why}`);
    for (const { process: child } of nodes) child.kill('SIGKILL');
    await Promise.race([browser?.close(), sleep(3000)]).catch(() => {});
    removeScratch();
    console.log(`${results.length} passed, 1 failed`);
    process.exit(1);
  };
  const overall = setTimeout(() => abandon(`the test took longer than ${kOverallTimeoutMs / 1000} s`),
                             kOverallTimeoutMs);
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => abandon(`received ${signal}`));
  try {
    await run(consoleErrors);
    await step('the page logged no errors', async () => {
      // The 401s the token step provokes are the browser's note of an answer the page expects.
      const unexpected = consoleErrors.filter((e) => !/status of 401 \(Unauthorized\)/.test(e));
      check(unexpected.length === 0, 'the page logged errors');
    });
  } catch (e) {
    failure = e;
  }
  clearTimeout(overall);
  await stopNodes();
  if (failure) {
    console.error(`FAIL: ${failure.message}`);
    for (const line of consoleErrors) console.error(`  ${line}`);
    for (const [i, n] of nodes.entries()) {
      const log = path.join(n.dir, 'node.log');
      if (!fs.existsSync(log)) continue;
      console.error(`--- node ${i + 1} (${n.url}) log, last lines:`);
      console.error(fs.readFileSync(log, 'utf8').split('\n').slice(-15).join('\n'));
    }
  }
  removeScratch();
  console.log(`${results.length} passed, ${failure ? 1 : 0} failed`);
  process.exit(failure ? 1 : 0);
}

main();
