/** The preview page: tabs per letter, the pages, the problems, the signatory list and the downloads, kept current by server-sent events. */
import type { AppState, LetterState } from '../protocol.js';
import { announce, byId, h } from './dom.js';
import { lang, t } from './i18n.js';
import { PageView } from './pages.js';
import { problemList } from './problems.js';
import { SignatoryPanel } from './signatories.js';

document.documentElement.lang = lang;
document.title = t.appTitle;
for (const [id, text] of [
  ['h-pages', t.pages],
  ['h-problems', t.problems],
  ['h-signatories', t.signatories],
  ['h-downloads', t.downloads],
  ['zoom-out', t.zoomOut],
  ['zoom-in', t.zoomIn],
  ['zoom-fit', t.zoomFit],
] as const) {
  byId(id).textContent = text;
}
byId('tabs').setAttribute('aria-label', t.tabsLabel);

let state: AppState | null = null;
let current = 0;
/** The PDF number asked for last (pages.load may still be drawing it). */
let requested = -1;
const pages = new PageView(byId('pages'), byId('zoom-level'));
const letter = (): LetterState | null => state?.letters[current] ?? state?.letters[0] ?? null;

const signatories = new SignatoryPanel(byId('signatories'), {
  letter,
  fields: () => state?.fields ?? [],
  reload: async () => {
    const response = await fetch('/api/state', { cache: 'no-store' });
    if (response.ok) apply((await response.json()) as AppState);
  },
  reveal: (name) => {
    if (!pages.reveal(name)) announce(t.notFoundInPages(name));
  },
});

byId('zoom-in').addEventListener('click', () => pages.setZoom('in'));
byId('zoom-out').addEventListener('click', () => pages.setZoom('out'));
byId('zoom-fit').addEventListener('click', () => pages.setZoom('fit'));
let resizeTimer = 0;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(() => void pages.render(), 200);
});

function renderTabs(): void {
  const tabs = byId('tabs');
  const letters = state?.letters ?? [];
  tabs.hidden = letters.length < 2;
  tabs.replaceChildren(
    ...letters.map((l, i) =>
      h(
        'button',
        {
          type: 'button',
          role: 'tab',
          id: `tab-${i}`,
          'aria-selected': i === current ? 'true' : 'false',
          tabindex: i === current ? 0 : -1,
          onclick: () => select(i),
          onkeydown: (e: Event) => {
            const key = (e as KeyboardEvent).key;
            if (key === 'ArrowRight' || key === 'ArrowLeft') {
              const next = (i + (key === 'ArrowRight' ? 1 : letters.length - 1)) % letters.length;
              select(next);
              byId(`tab-${next}`).focus();
            }
          },
        },
        `${l.lang} · ${l.letter}`,
      ),
    ),
  );
}

function select(index: number): void {
  current = index;
  requested = -1;
  render();
}

function renderStatus(l: LetterState): void {
  const banner = byId('banner');
  banner.hidden = l.status !== 'failed';
  banner.textContent = l.status === 'failed' ? t.failedBanner : '';
  const built = byId('built');
  built.textContent =
    l.status === 'building' ? t.building : l.builtAt && l.buildMs !== null ? t.builtAt(new Date(l.builtAt).toLocaleTimeString(lang), l.buildMs) : '';
  document.body.dataset.status = l.status;
  document.body.dataset.build = String(l.pdf);
  document.body.dataset.buildMs = String(l.buildMs ?? '');
}

function renderDownloads(l: LetterState): void {
  const list = h(
    'ul',
    { class: 'downloads' },
    l.editions.map((e) => h('li', {}, h('a', { href: `/editions/${l.id}/${e.format}`, download: e.file }, e.file), ` (${Math.ceil(e.bytes / 1024)} KB)`)),
    l.build > 0 ? h('li', {}, h('a', { href: `/editions/${l.id}/changes.txt`, download: 'changes.txt' }, t.changeReport)) : null,
  );
  const changes = h('div', {}, h('h3', {}, t.changes), l.changes.length ? h('ul', { class: 'changes' }, l.changes.map((c) => h('li', {}, c))) : h('p', { class: 'empty' }, t.noChanges));
  const notes = l.notes.length
    ? h(
        'div',
        {},
        h('h3', {}, t.notes),
        h(
          'ol',
          { class: 'notes' },
          l.notes.map((n) => h('li', { value: n.number }, h('button', { type: 'button', class: 'link', onclick: () => pages.reveal(n.text.slice(0, 12)) || announce(t.notFoundInPages(n.text.slice(0, 12))) }, n.text))),
        ),
      )
    : null;
  const release = l.sinceRelease
    ? h('div', {}, h('h3', {}, t.sinceRelease(l.sinceRelease.name, l.sinceRelease.recordedAt.slice(0, 10))), l.sinceRelease.changes.length ? h('ul', { class: 'changes' }, l.sinceRelease.changes.map((c) => h('li', {}, c))) : h('p', { class: 'empty' }, t.noChanges))
    : null;
  byId('downloads').replaceChildren(list, changes, ...(release ? [release] : []), ...(notes ? [notes] : []));
}

function render(): void {
  const l = letter();
  renderTabs();
  if (!l) return;
  // A new PDF first: it is fetched while the rest of the page is redrawn.
  if (l.pdf !== requested) {
    requested = l.pdf;
    if (l.pdf === 0) pages.clear(t.noPages);
    else void pages.load(l.id, l.pdf).catch(() => pages.clear(t.noPages));
  }
  renderStatus(l);
  byId('problems').replaceChildren(problemList(l.problems, t.noProblems));
  byId('problem-count').textContent = l.problems.length ? `(${l.problems.length})` : '';
  signatories.render();
  renderDownloads(l);
}

function apply(next: AppState): void {
  state = next;
  render();
}

const events = new EventSource('/api/events');
events.addEventListener('state', (e) => {
  byId('offline').hidden = true;
  apply(JSON.parse((e as MessageEvent<string>).data) as AppState);
});
events.addEventListener('error', () => {
  byId('offline').hidden = false;
  byId('offline').textContent = t.connectionLost;
});
