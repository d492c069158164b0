/**
 * One letter in the preview: its rebuilds in this long-lived process (the watch of
 * `letterpress watch`, which keeps fonts, the parsed letter and set lines between builds), the
 * last good editions on disk, the diagnostics of the last build, and the signatory table read
 * from the data file itself (so the table and its version always come from the same text).
 */
import path from 'node:path';
import { VFile } from 'vfile';
import type { BuildOptions, BuildResult } from '../../build/build.js';
import { watch, type WatchHandle } from '../watch.js';
import { compareSets, formatSetChanges, readReleases, releasesPath, signatorySet } from '../releases.js';
import { BuildError } from '../../diagnostics/index.js';
import { ALL_FORMATS, type Format } from '../../render/index.js';
import { readForExcerpt, readInputWithForm } from '../../io/readInput.js';
import { editionOrder, formatOf, readAndCheck } from '../../signatories/index.js';
import { signatoryVersion } from '../../signatories/edit.js';
import { FIELDS, type SignatoryRecord } from '../../signatories/schema.js';
import type { DataState, LetterState, Problem, SignatoryRow } from './protocol.js';
import { shownPath } from '../../io/paths.js';
import { listSettingsOf } from '../../model/types.js';

const isEdition = (format: string): format is Format => (ALL_FORMATS as string[]).includes(format);

/** Diagnostics of some files as the page shows them, with the source line of each. */
export function problemsOf(files: readonly VFile[], readable: (file: string) => string | undefined = () => undefined): Problem[] {
  const problems: Problem[] = [];
  for (const file of files) {
    const text = file.value !== undefined && file.value !== null ? String(file.value) : readable(file.path ?? '');
    const lines = text?.split(/\r?\n/);
    for (const m of file.messages) {
      const problem: Problem = { severity: m.fatal === true ? 'error' : 'warning', file: file.path ?? '<input>', message: m.reason };
      if (m.line) {
        problem.line = m.line;
        problem.column = m.column ?? 1;
        const source = lines?.[m.line - 1];
        if (source !== undefined) problem.source = source.slice(0, 300);
      }
      if (m.ruleId) problem.rule = m.ruleId;
      problems.push(problem);
    }
  }
  return problems;
}

/** Plain text of a model node (a note's blocks), for finding the page it stands on. */
function plainText(node: unknown): string {
  if (Array.isArray(node)) return node.map(plainText).join('');
  if (node && typeof node === 'object') {
    const n = node as { type?: string; value?: unknown; children?: unknown; blocks?: unknown; items?: unknown };
    if (n.type === 'text' && typeof n.value === 'string') return n.value;
    return plainText(n.children ?? n.blocks ?? n.items ?? []);
  }
  return '';
}

function rowOf(record: SignatoryRecord): SignatoryRow {
  const values: Record<string, string> = {};
  for (const f of FIELDS) {
    const v = (record as Record<string, unknown>)[f.key];
    if (typeof v === 'string' && v !== '') values[f.key] = v;
  }
  return { kind: record.kind, name: record.name, values, line: (record.fieldPlaces.name ?? record.place).line };
}

export interface SessionEvents {
  /** The letter's state changed; `now`: tell the page at once (a new PDF to show), not with the next batch. */
  changed(now?: boolean): void;
}

export class LetterSession {
  readonly letterPath: string;
  private handle: WatchHandle | null = null;
  private lastGood: BuildResult | null = null;
  /** The PDF the page shows: the one just made by a build in progress, or the last good build's. */
  private pdfBytes: Uint8Array | null = null;
  private goodPdf: Uint8Array | null = null;
  private state: LetterState;
  /** The data file (real path), from the last build that got as far as reading the letter. */
  dataPath: string | null = null;
  private lastRows: { organizations: SignatoryRow[]; individuals: SignatoryRow[] } = { organizations: [], individuals: [] };

  constructor(
    readonly id: number,
    letterPath: string,
    private readonly options: BuildOptions,
    private readonly events: SessionEvents,
  ) {
    this.letterPath = path.resolve(letterPath);
    this.state = {
      id,
      letter: shownPath(this.letterPath),
      lang: 'und',
      title: path.basename(letterPath),
      status: 'building',
      build: 0,
      pdf: 0,
      builtAt: null,
      buildMs: null,
      editions: [],
      changes: [],
      sinceRelease: null,
      problems: [],
      data: null,
      notes: [],
    };
  }

  snapshot(): LetterState {
    return this.state;
  }

  /** Start watching; resolves after the first build. */
  async start(): Promise<void> {
    const rendered = (format: Format, data: Uint8Array) => {
      if (format !== 'pdf') return;
      this.pdfBytes = data;
      // Told at once: the page fetches and draws the PDF while the other editions are made.
      this.update({ pdf: this.state.pdf + 1 }, true);
    };
    this.handle = watch(this.letterPath, { ...this.options, rendered }, {
      started: () => this.update({ status: 'building' }),
      built: (result) => void this.onBuilt(result),
      failed: (err) => void this.onFailed(err),
    });
    await this.handle.ready;
  }

  async close(): Promise<void> {
    await this.handle?.close();
  }

  /** The PDF to show in the page (in memory). */
  pdfToShow(): Uint8Array | null {
    return this.pdfBytes;
  }

  /** The file of an edition of the last good build, by format id (never by a name from the page). */
  editionFile(format: Format): string | null {
    return this.lastGood?.editions.find((e) => e.format === format)?.path ?? null;
  }

  private update(patch: Partial<LetterState>, now = false): void {
    this.state = { ...this.state, ...patch };
    this.events.changed(now);
  }

  private inputsText = new Map<string, string>();

  /** Source lines for problems on files this letter reads (never another file). */
  private readable = (file: string): string | undefined => this.inputsText.get(path.resolve(file));

  private async rememberInputs(result: BuildResult | null): Promise<void> {
    const inputs = result ? [result.letter.inputs.letter, result.letter.inputs.template, result.letter.inputs.signatories] : [this.letterPath];
    for (const file of inputs) {
      if (!file) continue;
      const text = await readForExcerpt(file);
      if (text === undefined) this.inputsText.delete(path.resolve(file));
      else this.inputsText.set(path.resolve(file), text);
    }
  }

  private async onBuilt(result: BuildResult): Promise<void> {
    this.lastGood = result;
    this.goodPdf = this.pdfBytes;
    this.dataPath = result.letter.inputs.signatories;
    const { document } = result.letter;
    await this.rememberInputs(result);
    const data = await this.readData();
    this.update({
      status: 'ok',
      build: this.state.build + 1,
      builtAt: new Date().toISOString(),
      buildMs: Math.round(result.totalMs),
      lang: document.meta.lang,
      title: document.meta.subject || this.state.title,
      // The preview builds the editions only (no copies, envelopes or labels).
      editions: result.editions.flatMap((e) => (isEdition(e.format) ? [{ format: e.format, file: path.basename(e.path), bytes: e.bytes }] : [])),
      changes: result.changes,
      sinceRelease: await this.sinceRelease(result),
      problems: problemsOf([...result.letter.files, ...result.warnings], this.readable),
      data,
      notes: document.notes.map((n) => ({ number: n.number, text: plainText(n.blocks).slice(0, 80) })),
    });
  }

  private async onFailed(err: unknown): Promise<void> {
    await this.rememberInputs(this.lastGood);
    const problems =
      err instanceof BuildError
        ? problemsOf(err.files, this.readable)
        : [{ severity: 'error' as const, file: this.state.letter, message: `Internal error: ${err instanceof Error ? err.message : String(err)}` }];
    // A PDF shown from this build goes: the last good one comes back.
    const revert = this.pdfBytes !== this.goodPdf;
    this.pdfBytes = this.goodPdf;
    this.update({ status: 'failed', problems, data: await this.readData(), ...(revert ? { pdf: this.state.pdf + 1 } : {}) });
  }

  /** The signatory changes since the last release recorded beside the letter (none recorded: null). */
  private async sinceRelease(result: BuildResult): Promise<LetterState['sinceRelease']> {
    try {
      const last = (await readReleases(releasesPath(this.letterPath))).at(-1);
      if (!last) return null;
      const changes = formatSetChanges(compareSets(last, signatorySet(result.letter.document)), 200);
      return { name: last.name, recordedAt: last.recordedAt, changes };
    } catch {
      return null; // a damaged record is reported by `letterpress diff --since`
    }
  }

  /** Read the data file again (after an edit, before the rebuild it causes has finished). */
  async refreshData(): Promise<void> {
    this.update({ data: await this.readData() });
  }

  private async readData(): Promise<DataState | null> {
    const file = this.dataPath;
    const format = file ? formatOf(file) : null;
    if (!file || !format) return null;
    const shown = path.relative(path.dirname(this.letterPath), file) || file; // as the letter names it
    let text: string;
    try {
      text = (await readInputWithForm(file, 'check the `signatories` field of the letter.', 'signatories-missing', false)).text;
    } catch {
      return { file: shown, version: '', ...this.lastRows, broken: true };
    }
    const version = signatoryVersion(text);
    try {
      const { records } = readAndCheck(new VFile({ path: shown, value: text.normalize('NFC') }), format, { requireSignatories: false });
      const document = this.lastGood?.letter.document;
      const lang = document?.meta.lang ?? 'und';
      // In the editions' order, by the name each shows in the letter's language.
      const order = editionOrder(records, lang, document ? listSettingsOf(document.meta, document.template).names : 'local');
      this.lastRows = { organizations: order.organizations.map(rowOf), individuals: order.individuals.map(rowOf) };
      return { file: shown, version, ...this.lastRows, broken: false };
    } catch (err) {
      if (!(err instanceof BuildError)) throw err;
      return { file: shown, version, ...this.lastRows, broken: true };
    }
  }
}
