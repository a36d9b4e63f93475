// The dashboard's entry point: the node header (GET /api/status), and the cards wired together.
// The header, peers, data sets and ring refresh every kRefreshMs and soon after any event that
// changes them (a peer came or went, a data set was stored or deleted, replicas moved).
import { getJson } from './http.js';
import { formatDuration, plural, shortId } from './format.js';
import { initUpload } from './upload.js';
import { initQuery, suggestQuery } from './query.js';
import { initDatasets, refreshDatasets } from './datasets.js';
import { drawRing } from './ring.js';
import { initFeed } from './feed.js';

const kRefreshMs = 5000;
const kEventRefreshDelayMs = 300;  // a burst of events causes one refresh

let selfId = '';
let peers = [];
let dataset = null;  // the selected data set's detail
let refreshTimer = 0;

function setText(id, text) {
  document.getElementById(id).textContent = text;
}

function redrawRing() {
  drawRing(document.getElementById('ring'), selfId, peers, dataset);
}

async function refreshNode() {
  const state = document.getElementById('node-state');
  try {
    const [status, peerAnswer] = await Promise.all([getJson('/api/status'), getJson('/api/peers')]);
    selfId = status.nodeId;
    peers = peerAnswer.peers || [];
    const idBox = document.getElementById('node-id');
    idBox.textContent = shortId(selfId);
    idBox.title = selfId;
    const connected = peers.filter((p) => p.connected === true).length;
    setText('node-peers', `${peers.length} (${connected} connected)`);
    setText('node-datasets', String(status.datasetsCount));
    setText('node-storage', `${status.storageUsage.formattedSize} · ` +
                            plural(status.storageUsage.totalChunks, 'chunk'));
    setText('node-uptime', formatDuration(status.uptime));
    state.textContent = 'online';
    state.className = 'badge ok';
    redrawRing();
  } catch (e) {
    state.textContent = 'unreachable';
    state.className = 'badge warn';
    state.title = e.message;
  }
}

async function refreshAll() {
  await refreshNode();
  await refreshDatasets().catch(() => {});
}

function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refreshAll, kEventRefreshDelayMs);
}

async function main() {
  await refreshNode();
  initDatasets(() => selfId, (detail) => {
    dataset = detail;
    redrawRing();
    if (detail) suggestQuery(`SELECT * FROM ${detail.name} LIMIT 100`);
  });
  initUpload((receipt) => {
    refreshDatasets(receipt.name).catch(() => {});
    refreshNode();
  });
  initQuery();
  initFeed((event) => {
    if (/^(peer|dataset|replica)\./.test(event.type)) refreshSoon();
  });
  await refreshDatasets().catch(() => {});
  setInterval(refreshAll, kRefreshMs);
}

main();
