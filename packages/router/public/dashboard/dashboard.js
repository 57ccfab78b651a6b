/* global document, EventSource, Node */
// The dashboard page: renders the state the server pushes over server-sent events (a whole state, then
// patches) and keeps the "ago" figures ticking between pushes. Plain browser JavaScript, no build step.
'use strict';

const base = document.body.dataset.base;
const page = { state: null, offset: 0, queuesSeen: new Set() };

/** Creates an element: `h('td', { class: 'num', data: { field: 'queued' } }, 'text', child)`. */
function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'data') {
      for (const [name, v] of Object.entries(value))
        if (v !== undefined && v !== null) el.dataset[name] = String(v);
    } else if (key === 'style') Object.assign(el.style, value);
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const serverNow = () => Date.now() + page.offset;

function duration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const hours = Math.floor(m / 60);
  if (hours < 48) return `${hours}h ${m % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

function ago(at) {
  const ms = serverNow() - at;
  return ms < 2000 ? 'just now' : `${duration(ms)} ago`;
}

function count(n) {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

function rate(perSec) {
  return `${count(Math.abs(perSec))}/s`;
}

// --- rendering -----------------------------------------------------------------------------------

function render() {
  const state = page.state;
  if (!state) return;
  const banner = document.getElementById('banner');
  banner.hidden = !state.error;
  banner.textContent = state.error ? `⚠ ${state.error} — showing the last state read` : '';
  renderSummary(state);
  renderServices(state);
  renderQueues(state);
  renderLog(state);
  tickClocks();
}

function renderSummary(state) {
  const instances = state.services.flatMap((s) => s.instances);
  const up = instances.filter((i) => i.status === 'up').length;
  const silent = instances.filter((i) => i.status === 'not-answering').length;
  const queued = sum(state.services, (s) => s.queue.queued);
  const dead = sum(state.services, (s) => s.queue.incomplete);
  const messages = sum(state.services, (s) => s.messagesPerSec);
  const tiles = [
    ['services', 'Services', count(state.services.length), ''],
    ['instances', 'Instances up', count(up), up > 0 ? 'good' : ''],
    ['silent', 'Not answering', count(silent), silent > 0 ? 'bad' : ''],
    ['queued', 'Queued', count(queued), queued > 0 ? 'warn' : ''],
    ['dead', 'Dead letters', count(dead), dead > 0 ? 'bad' : ''],
    ['messages', 'Messages / s', state.messageRates ? count(Math.round(messages)) : '—', ''],
  ];
  document
    .getElementById('summary')
    .replaceChildren(
      ...tiles.map(([key, label, value, tone]) =>
        h(
          'div',
          { class: `tile ${tone}`, data: { summary: key } },
          h('div', { class: 'label' }, label),
          h('div', { class: 'value' }, value),
        ),
      ),
    );
}

function renderServices(state) {
  const root = document.getElementById('services');
  if (state.services.length === 0) {
    root.replaceChildren(
      h(
        'div',
        { class: 'empty' },
        'No services registered yet. Start one and it appears here within a second.',
      ),
    );
    return;
  }
  root.replaceChildren(...state.services.map((service) => serviceCard(service, state)));
}

function serviceCard(service, state) {
  const up = service.instances.filter((i) => i.status === 'up').length;
  const silent = service.instances.some((i) => i.status === 'not-answering');
  const unhealthy = service.instances.some(
    (i) => i.status === 'up' && i.health !== 'up' && i.health !== 'unknown',
  );
  const tone =
    service.instances.length === 0 || (up === 0 && !silent)
      ? 'idle'
      : up === 0
        ? 'down'
        : silent || unhealthy
          ? 'degraded'
          : '';
  const versions = [
    ...new Set(service.instances.filter((i) => i.status === 'up' && i.version).map((i) => i.version)),
  ];
  return h(
    'article',
    { class: `card ${tone}`, data: { service: service.name, up } },
    h(
      'div',
      { class: 'card-head' },
      h('h3', {}, service.name),
      h(
        'div',
        { class: 'card-meta' },
        versions.length ? h('span', { class: 'mono' }, versions.map((v) => `v${v}`).join(' · ')) : null,
        state.messageRates
          ? h(
              'span',
              { class: service.messagesPerSec ? 'rate' : 'rate zero', data: { field: 'messages' } },
              `${count(Math.round(Math.abs(service.messagesPerSec)))} msg/s`,
            )
          : null,
        h('span', { class: 'count', data: { field: 'up' } }, `${up}/${service.instances.length} up`),
      ),
    ),
    instanceTable(service),
    routeChips(service),
  );
}

function instanceTable(service) {
  const head = h(
    'tr',
    {},
    ...['Instance', 'Address', 'Version', 'Uptime', 'Health', 'Last seen'].map((t) => h('th', {}, t)),
  );
  const rows = service.instances.map((i) =>
    h(
      'tr',
      { class: i.status, data: { instance: i.id, status: i.status, health: i.health } },
      h(
        'td',
        { title: `${i.id}${i.hostName ? ` on ${i.hostName}` : ''}` },
        h(
          'span',
          { class: 'id' },
          h('span', { class: 'dot' }),
          h('span', { class: 'mono' }, i.id.slice(0, 8)),
          i.status === 'up'
            ? null
            : h(
                'span',
                { class: `badge ${i.status}`, data: { field: 'status' } },
                i.status === 'not-answering' ? 'not answering' : 'stopped',
              ),
        ),
      ),
      h('td', { class: 'mono', data: { field: 'address' } }, i.port ? `${i.ip}:${i.port}` : i.ip),
      h('td', { class: 'mono', data: { field: 'version' } }, i.version || '—'),
      h(
        'td',
        { data: { field: 'uptime', since: i.status === 'up' ? i.startedAt : undefined } },
        i.status === 'up' && i.startedAt ? '' : '—',
      ),
      h(
        'td',
        { data: { field: 'health' } },
        i.status === 'stopped' ? '—' : h('span', { class: `badge ${i.health}` }, i.health),
      ),
      h('td', { data: { field: 'last-seen', seen: i.lastSeenAt } }, ''),
    ),
  );
  if (rows.length === 0)
    rows.push(h('tr', {}, h('td', { colspan: 6, class: 'zero' }, 'no instance running')));
  return h('table', { class: 'instances' }, h('thead', {}, head), h('tbody', {}, rows));
}

function routeChips(service) {
  const defaults = new Set([
    `[get]/${service.name}`,
    `[get]/${service.name}/`,
    `[get]/${service.name}/:rest`,
  ]);
  const own = service.routes.filter((r) => !defaults.has(r));
  const hidden = service.routes.length - own.length;
  const chips = own.map((route) => {
    const match = /^\[([a-z]+)\](.*)$/i.exec(route);
    const method = match ? match[1].toLowerCase() : 'any';
    const path = match ? match[2] : route;
    return h(
      'span',
      { class: 'route', data: { route } },
      h('span', { class: `method m-${method}` }, method),
      h('span', { class: 'path' }, path),
    );
  });
  if (hidden) chips.push(h('span', { class: 'more' }, `+${hidden} Hydra default${hidden === 1 ? '' : 's'}`));
  if (chips.length === 0) return null;
  return h('div', { class: 'routes', data: { field: 'routes' } }, chips);
}

function renderQueues(state) {
  for (const s of state.services) {
    const q = s.queue;
    if (q.queued || q.inProgress || q.incomplete || q.delayed || q.queuedPerSec) page.queuesSeen.add(s.name);
  }
  const shown = state.services.filter((s) => page.queuesSeen.has(s.name));
  const root = document.getElementById('queues');
  if (shown.length === 0) {
    root.replaceChildren(
      h('div', { class: 'empty' }, 'No queued work. Queues appear here once a message is queued.'),
    );
    return;
  }
  const most = Math.max(1, ...shown.map((s) => s.queue.queued));
  const cell = (field, n, cls = '') =>
    h('td', { class: `num ${n === 0 ? 'zero' : cls}`, data: { field } }, count(n));
  const head = h(
    'tr',
    {},
    h('th', {}, 'Service'),
    ...['Queued', 'In progress', 'Dead letter', 'Delayed', 'Flow'].map((t) => h('th', { class: 'num' }, t)),
  );
  const rows = shown.map((s) => {
    const q = s.queue;
    const flow =
      q.queuedPerSec > 0
        ? ['up', `▲ ${rate(q.queuedPerSec)}`]
        : q.queuedPerSec < 0
          ? ['down', `▼ ${rate(q.queuedPerSec)}`]
          : ['flat', '—'];
    return h(
      'tr',
      { data: { queue: s.name } },
      h(
        'td',
        {},
        s.name,
        h('div', { class: 'bar' }, h('span', { style: { width: `${(100 * q.queued) / most}%` } })),
      ),
      cell('queued', q.queued),
      cell('inProgress', q.inProgress),
      cell('incomplete', q.incomplete, 'dead'),
      cell('delayed', q.delayed),
      h(
        'td',
        {
          class: `num flow ${flow[0]}`,
          data: { field: 'flow' },
          title: q.deadLettersPerSec ? `${rate(q.deadLettersPerSec)} new dead letters` : undefined,
        },
        flow[1],
      ),
    );
  });
  root.replaceChildren(h('table', { class: 'queues' }, h('thead', {}, head), h('tbody', {}, rows)));
}

function renderLog(state) {
  const root = document.getElementById('log');
  if (state.log.length === 0) {
    root.replaceChildren(h('li', { class: 'empty' }, 'Nothing recorded yet.'));
    return;
  }
  root.replaceChildren(
    ...state.log.map((entry) =>
      h(
        'li',
        {
          data: { logService: entry.service, type: entry.type },
          title: `${entry.ts} · ${entry.service} · ${entry.instanceId}\n${entry.msg}`,
        },
        h('time', { datetime: entry.ts }, new Date(entry.ts).toLocaleTimeString([], { hour12: false })),
        h('span', { class: `badge type ${entry.type}` }, entry.type),
        h('div', { class: 'msg' }, h('span', { class: 'service' }, entry.service), entry.msg),
      ),
    ),
  );
}

function tickClocks() {
  for (const el of document.querySelectorAll('[data-since]'))
    el.textContent = duration(serverNow() - Number(el.dataset.since));
  for (const el of document.querySelectorAll('[data-seen]')) el.textContent = ago(Number(el.dataset.seen));
  if (page.state) document.getElementById('updated').textContent = `· read ${ago(page.state.at)}`;
}

function sum(list, pick) {
  return list.reduce((total, item) => total + pick(item), 0);
}

// --- live feed -----------------------------------------------------------------------------------

function received(at) {
  page.offset = at - Date.now();
}

function applyPatch(patch) {
  const state = page.state;
  if (!state) return;
  state.at = patch.at;
  const byName = new Map(state.services.map((s) => [s.name, s]));
  for (const name of patch.remove) byName.delete(name);
  for (const service of patch.upsert) byName.set(service.name, service);
  state.services = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  if (patch.log) state.log = patch.log;
  if (patch.error !== undefined) state.error = patch.error || undefined;
  if (patch.messageRates !== undefined) state.messageRates = patch.messageRates;
}

function setConnection(mode, text) {
  const el = document.querySelector('.connection');
  el.dataset.connection = mode;
  el.querySelector('.connection-text').textContent = text;
}

function connect() {
  const events = new EventSource(`${base}/events`);
  events.addEventListener('open', () => setConnection('live', 'live'));
  events.addEventListener('error', () => setConnection('reconnecting', 'reconnecting…'));
  events.addEventListener('state', (event) => {
    page.state = JSON.parse(event.data);
    received(page.state.at);
    setConnection('live', 'live');
    render();
  });
  events.addEventListener('patch', (event) => {
    const patch = JSON.parse(event.data);
    received(patch.at);
    applyPatch(patch);
    render();
  });
}

connect();
setInterval(tickClocks, 1000);
