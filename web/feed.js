// The live feed: the node's events from GET /api/events (server-sent events, one JSON object per
// message: {id, type, time, ...fields}), newest first, at most kMaxItems kept. EventSource
// reconnects by itself (sending Last-Event-ID, so the node replays what was missed).
import { el, formatBytes, formatClock, formatMs, plural, shortId } from './format.js';

const kMaxItems = 100;
const kReopenMs = 10000;

function describe(e) {
  switch (e.type) {
    case 'peer.joined':
      return `Peer ${shortId(e.nodeId)} joined${e.address ? ` from ${e.address}` : ''}`;
    case 'peer.left':
      return `Peer ${shortId(e.nodeId)} left`;
    case 'dataset.stored':
      return `${e.name} v${e.version} stored ${e.origin === 'upload' ? 'by an upload' : 'from the network'}: ` +
             `${plural(e.rows, 'row')}, ${plural(e.chunks, 'chunk')}, ${formatBytes(e.bytes)}`;
    case 'dataset.deleted':
      return `${e.name} v${e.version} deleted`;
    case 'upload.progress':
      return `Upload of ${e.name}: ${e.percent}% of ${formatBytes(e.bytes)} parsed`;
    case 'upload.failed':
      return `Upload of ${e.name} failed: ${e.error}`;
    case 'replica.repaired':
      return `Repair: ${plural(e.copies, 'copy', 'copies')} made, ${plural(e.handoffs, 'handoff')}, ` +
             `${e.pending} pending`;
    case 'query.done':
      return `Query ${e.outcome} in ${formatMs(e.ms)}: ${plural(e.rows, 'row')}, ` +
             `${plural(e.nodesContacted, 'node')} — ${e.sql}`;
    default: {
      const { id, type, time, ...fields } = e;
      return `${type} ${JSON.stringify(fields)}`;
    }
  }
}

function kindOf(type) {
  if (type.startsWith('peer.')) return 'peer';
  if (type === 'upload.failed' || type === 'dataset.deleted') return 'warn';
  if (type === 'upload.progress') return 'data';
  if (type.startsWith('dataset.')) return 'data';
  if (type.startsWith('replica.')) return 'repair';
  return 'query';
}

// Opens the stream; `onEvent(event)` runs after each event is shown.
export function initFeed(onEvent) {
  const list = document.getElementById('feed');
  const empty = document.getElementById('feed-empty');
  const state = document.getElementById('feed-state');
  const setState = (text, className) => {
    state.textContent = text;
    state.className = `badge ${className}`;
  };

  const onMessage = (message) => {
    let event;
    try {
      event = JSON.parse(message.data);
    } catch {
      return;  // not the contract's JSON: nothing to show
    }
    if (!event || typeof event.type !== 'string') return;
    const item = el('li', `feed-item kind-${kindOf(event.type)}`);
    item.dataset.eventType = event.type;
    item.append(el('time', '', formatClock(event.time)), el('span', 'feed-type', event.type),
                el('span', 'feed-text', describe(event)));
    list.prepend(item);
    while (list.children.length > kMaxItems) list.lastElementChild.remove();
    empty.hidden = true;
    onEvent(event);
  };

  // EventSource retries a dropped stream by itself, but gives up on an answer other than 200
  // (a node without the endpoint, a proxy's error page): then a new one is opened later.
  const connect = () => {
    const source = new EventSource('/api/events');
    source.onopen = () => setState('live', 'ok');
    source.onmessage = onMessage;
    source.onerror = () => {
      if (source.readyState !== EventSource.CLOSED) return setState('reconnecting', 'warn');
      setState('offline', 'warn');
      setTimeout(connect, kReopenMs);
    };
  };
  connect();
}
