/**
 * The mailing PDF drawn page by page with pdf.js (served by letterpress itself, with its worker),
 * a text layer over each page (selectable, searchable, read by screen readers), zoom, and finding
 * the page that holds a name or a note.
 */
import { h } from './dom.js';
import { t } from './i18n.js';

type PdfJs = typeof import('pdfjs-dist');
type PdfDocument = Awaited<ReturnType<PdfJs['getDocument']>['promise']>;

let pdfjs: PdfJs | null = null;
/** One worker for every PDF shown: starting pdf.js's worker anew for each rebuild costs more than drawing the pages. */
let worker: InstanceType<PdfJs['PDFWorker']> | null = null;
async function library(): Promise<PdfJs> {
  if (!pdfjs) {
    const url = '/vendor/pdf.mjs';
    pdfjs = (await import(url)) as PdfJs;
    pdfjs.GlobalWorkerOptions.workerSrc = '/vendor/pdf.worker.mjs';
    worker = new pdfjs.PDFWorker();
  }
  return pdfjs;
}

/** Whitespace and line breaks removed: text found across the PDF's lines. */
const squash = (s: string) => s.replace(/\s+/gu, '').normalize('NFC');

export class PageView {
  private doc: PdfDocument | null = null;
  private texts: string[] = [];
  /** null: fit the width of the pane. */
  private zoom: number | null = null;
  private renderId = 0;
  /** The newest load asked for: an older one still fetching or parsing is dropped when it ends. */
  private loadId = 0;
  /** The build number of the pages shown. */
  shown = -1;

  constructor(private readonly container: HTMLElement, private readonly zoomLabel: HTMLElement) {}

  /** Show PDF number `build` of letter `id` (fetched by its format id, never by a file name). */
  async load(id: number, build: number): Promise<void> {
    // Loads overlap when edits come quickly (or a failed build's PDF is taken back): a PDF that
    // arrives after a newer one was asked for is not shown, nor is its failure.
    const mine = ++this.loadId;
    const stale = () => mine !== this.loadId;
    const lib = await library();
    const response = await fetch(`/editions/${id}/pdf?view&build=${build}`, { cache: 'no-store' });
    if (stale()) return;
    if (!response.ok) throw new Error(`${response.status}`);
    const data = new Uint8Array(await response.arrayBuffer());
    if (stale()) return;
    // Glyphs drawn as paths: no web font to load and sanitise for each rebuild's new font subsets.
    const doc = await lib.getDocument({ data, worker: worker ?? undefined, isEvalSupported: false, useSystemFonts: false, disableFontFace: true }).promise.catch((err: unknown) => {
      if (stale()) return null;
      throw err;
    });
    if (!doc) return;
    if (stale()) {
      await doc.destroy();
      return;
    }
    const old = this.doc;
    this.doc = doc;
    this.texts = [];
    await this.render(() => {
      this.shown = build;
      this.container.dataset.build = String(build);
    });
    await old?.destroy();
  }

  clear(message: string): void {
    this.loadId++; // a load still under way is not shown over the message
    this.container.replaceChildren(h('p', { class: 'empty' }, message));
    delete this.container.dataset.build;
  }

  private scale(width: number): number {
    if (this.zoom !== null) return this.zoom;
    const available = Math.max(200, this.container.clientWidth - 24);
    return Math.min(2, available / width);
  }

  setZoom(change: 'in' | 'out' | 'fit'): void {
    const current = this.zoom ?? this.lastScale;
    this.zoom = change === 'fit' ? null : Math.max(0.3, Math.min(4, change === 'in' ? current * 1.25 : current / 1.25));
    void this.render();
  }

  private lastScale = 1;

  /** The pages now in view (1-based), from the frames on screen; the first two when there are none. */
  private inView(count: number): number[] {
    const box = this.container.getBoundingClientRect();
    const seen = [...this.container.querySelectorAll<HTMLElement>('.page')]
      .filter((frame) => {
        const r = frame.getBoundingClientRect();
        return r.bottom > box.top && r.top < box.bottom;
      })
      .map((frame) => Number(frame.dataset.page))
      .filter((n) => n >= 1 && n <= count);
    return seen.length > 0 ? seen : [1, 2].filter((n) => n <= count);
  }

  /**
   * Draw every page, those in view first, each replacing its old frame as soon as it is drawn
   * (so a rebuild changes what the reader sees without a blank moment); `visible` is called once
   * the pages in view are new.
   */
  async render(visible?: () => void): Promise<void> {
    const doc = this.doc;
    if (!doc) return;
    const lib = await library();
    const id = ++this.renderId;
    const count = doc.numPages;
    const first = this.inView(count);
    const order = [...first, ...Array.from({ length: count }, (_, i) => i + 1).filter((n) => !first.includes(n))];
    // One slot per page: keep the old frames where they are, drop pages that no longer exist.
    const frames = [...this.container.querySelectorAll<HTMLElement>('.page')];
    if (frames.length === 0) this.container.replaceChildren();
    for (const frame of frames) if (Number(frame.dataset.page) > count) frame.remove();
    const ratio = window.devicePixelRatio || 1;
    let done = 0;
    for (const n of order) {
      const page = await doc.getPage(n);
      if (id !== this.renderId) return;
      const scale = this.scale(page.getViewport({ scale: 1 }).width);
      this.lastScale = scale;
      this.zoomLabel.textContent = t.zoomLevel(Math.round(scale * 100));
      const viewport = page.getViewport({ scale });
      const canvas = h('canvas', { width: Math.floor(viewport.width * ratio), height: Math.floor(viewport.height * ratio), 'aria-hidden': 'true' });
      canvas.style.width = `${Math.floor(viewport.width)}px`;
      canvas.style.height = `${Math.floor(viewport.height)}px`;
      const textLayer = h('div', { class: 'textLayer' });
      const frame = h('section', { class: 'page', 'aria-label': t.pageLabel(n, count), 'data-page': n }, canvas, textLayer);
      frame.style.width = `${Math.floor(viewport.width)}px`;
      frame.style.height = `${Math.floor(viewport.height)}px`;
      for (const [name, value] of [['--scale-factor', scale], ['--user-unit', 1], ['--total-scale-factor', scale]] as const) frame.style.setProperty(name, String(value));
      const context = canvas.getContext('2d');
      if (!context) continue;
      await page.render({ canvas, canvasContext: context, viewport, transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : undefined }).promise;
      if (id !== this.renderId) return;
      this.place(frame, n);
      if (++done === first.length) visible?.();
      // The text layer (selection, search, screen readers) follows the drawn page.
      const content = await page.getTextContent();
      this.texts[n - 1] = squash(content.items.map((item) => ('str' in item ? item.str : '')).join(''));
      await new lib.TextLayer({ textContentSource: content, container: textLayer, viewport }).render();
      if (id !== this.renderId) return;
    }
    this.container.dataset.rendered = String(count);
  }

  /** Put the frame of page `n` in its slot, replacing the old one. */
  private place(frame: HTMLElement, n: number): void {
    const old = this.container.querySelector(`.page[data-page="${n}"]`);
    if (old) {
      old.replaceWith(frame);
      return;
    }
    const next = [...this.container.querySelectorAll<HTMLElement>('.page')].find((f) => Number(f.dataset.page) > n);
    this.container.insertBefore(frame, next ?? null);
  }

  /** Scroll to the first page that holds `text`; false if none does. */
  reveal(text: string): boolean {
    const needle = squash(text);
    const index = this.texts.findIndex((page) => page.includes(needle));
    if (index < 0) return false;
    const frame = this.container.querySelector<HTMLElement>(`[data-page="${index + 1}"]`);
    if (!frame) return false;
    frame.scrollIntoView({ block: 'start', behavior: 'smooth' });
    frame.classList.add('found');
    setTimeout(() => frame.classList.remove('found'), 1500);
    return true;
  }

  /** The text of every page (what the pages show, for search and tests). */
  text(): string {
    return this.texts.join('\n');
  }
}
