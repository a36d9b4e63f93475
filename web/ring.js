// The network picture: an SVG ring of the id space. A node or chunk sits at the angle its id's
// first 8 hex digits give (as a fraction of 2^32 of a full turn, clockwise from the top). This
// node is highlighted, each peer drawn, an edge joins this node to each peer with a session open
// now, and the selected data set's chunks sit on an inner ring with a line to each holder.
// Elements carry data-node-id / data-chunk-id / data-edge-to / data-holder so tests can count.
import { shortId } from './format.js';

const kNs = 'http://www.w3.org/2000/svg';
const kCenter = 200;
const kNodeRadius = 150;
const kChunkRadius = 100;

function idAngle(hex) {
  const prefix = parseInt(String(hex).slice(0, 8), 16);
  return ((Number.isFinite(prefix) ? prefix : 0) / 2 ** 32) * 2 * Math.PI;
}

function point(hex, radius) {
  const a = idAngle(hex);
  return { x: kCenter + radius * Math.sin(a), y: kCenter - radius * Math.cos(a), angle: a };
}

function svg(tag, attributes, parent) {
  const node = document.createElementNS(kNs, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (parent) parent.append(node);
  return node;
}

function titled(node, text) {
  svg('title', {}, node).textContent = text;
  return node;
}

function line(from, to, className, parent) {
  return svg('line', { x1: from.x, y1: from.y, x2: to.x, y2: to.y, class: className }, parent);
}

// Redraws `root` for `selfId`, `peers` (/api/peers entries) and `dataset` (a /api/datasets/{name}
// answer, or null).
export function drawRing(root, selfId, peers, dataset) {
  root.replaceChildren();
  svg('circle', { cx: kCenter, cy: kCenter, r: kNodeRadius, class: 'ring' }, root);
  const edges = svg('g', { class: 'edges' }, root);
  const chunkLayer = svg('g', { class: 'chunks' }, root);
  const nodeLayer = svg('g', { class: 'nodes' }, root);

  // Every node: this one, the peers, and any chunk holder neither names.
  const nodes = new Map();
  if (selfId) nodes.set(selfId, { id: selfId, kind: 'self', title: `this node ${selfId}` });
  for (const p of peers) {
    if (p.nodeId === selfId) continue;
    const rtt = p.rttMs === null ? '' : `, rtt ${p.rttMs} ms`;
    const state = p.connected ? 'session open' : 'no session';
    nodes.set(p.nodeId, { id: p.nodeId, kind: 'peer', connected: p.connected,
                          title: `peer ${p.nodeId}\n${p.address}${rtt}\n${state}` });
  }
  for (const chunk of dataset ? dataset.chunks : []) {
    for (const h of chunk.holders) {
      if (!nodes.has(h)) nodes.set(h, { id: h, kind: 'unknown', title: `holder ${h} (not a peer)` });
    }
  }

  const self = selfId ? point(selfId, kNodeRadius) : null;
  for (const n of nodes.values()) {
    if (n.kind === 'peer' && n.connected && self) {
      line(self, point(n.id, kNodeRadius), 'edge', edges).dataset.edgeTo = n.id;
    }
  }

  for (const chunk of dataset ? dataset.chunks : []) {
    const at = point(chunk.id, kChunkRadius);
    for (const h of chunk.holders) {
      const l = line(at, point(h, kNodeRadius), 'holder-line', chunkLayer);
      l.dataset.holder = h;
      l.dataset.chunkId = chunk.id;
    }
    const mark = svg('rect', { x: at.x - 5, y: at.y - 5, width: 10, height: 10, rx: 2,
                               class: 'chunk' }, chunkLayer);
    mark.dataset.chunkId = chunk.id;
    titled(mark, `chunk ${chunk.id}\n${chunk.rows} rows on ${chunk.holders.length} nodes`);
  }

  // Nodes whose ids lie close together would write their labels over each other: going round
  // the ring, each label closer than kCrowdedAngle to the one before moves one step outwards.
  const kCrowdedAngle = 0.35;
  const byAngle = [...nodes.values()].sort((a, b) => idAngle(a.id) - idAngle(b.id));
  let level = 0;
  byAngle.forEach((n, i) => {
    level = i > 0 && idAngle(n.id) - idAngle(byAngle[i - 1].id) < kCrowdedAngle ? level + 1 : 0;
    n.labelRadius = kNodeRadius + 20 + 14 * level;
  });

  for (const n of nodes.values()) {
    const at = point(n.id, kNodeRadius);
    const group = svg('g', { class: `node ${n.kind}${n.connected ? ' connected' : ''}` }, nodeLayer);
    group.dataset.nodeId = n.id;
    svg('circle', { cx: at.x, cy: at.y, r: n.kind === 'self' ? 11 : 8 }, group);
    // Labels go outside the ring, anchored away from the centre so they never cross it.
    const label = point(n.id, n.labelRadius);
    const sin = Math.sin(at.angle);
    const anchor = sin > 0.3 ? 'start' : sin < -0.3 ? 'end' : 'middle';
    svg('text', { x: label.x, y: label.y + 4, 'text-anchor': anchor }, group).textContent =
        shortId(n.id);
    titled(group, n.title);
  }

  if (dataset) {
    svg('text', { x: kCenter, y: kCenter + 4, 'text-anchor': 'middle', class: 'ring-caption' },
        root).textContent = dataset.name;
  }
}
