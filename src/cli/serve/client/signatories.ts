/**
 * The signatory list: a table per kind in the editions' order, a search, and forms generated from
 * the schema's fields (sent by the server from src/signatories/schema.ts). The server validates
 * with the same code as `letterpress signatories add`, so the messages are the same.
 */
import type { DataState, EditRequest, EditResponse, FieldInfo, ImportRequest, ImportResponse, ImportSummary, Kind, LetterState, SignatoryRow } from '../protocol.js';
import { announce, h } from './dom.js';
import { t } from './i18n.js';
import { problemList } from './problems.js';

export interface SignatoryHost {
  letter(): LetterState | null;
  fields(): FieldInfo[];
  /** Fetch the state again now (after a refusal because the file changed). */
  reload(): Promise<void>;
  reveal(name: string): void;
}

const KINDS: Kind[] = ['organization', 'individual'];

export class SignatoryPanel {
  private query = '';
  private readonly dialog: HTMLDialogElement;
  private returnFocus: HTMLElement | null = null;

  constructor(private readonly root: HTMLElement, private readonly host: SignatoryHost) {
    this.dialog = h('dialog', { class: 'editor', 'aria-labelledby': 'editor-title' });
    document.body.append(this.dialog);
    this.dialog.addEventListener('close', () => this.restoreFocus());
  }

  private toolbar: { head: HTMLElement; add: HTMLButtonElement; info: HTMLElement; broken: HTMLElement; tables: HTMLElement } | null = null;

  /** Draw the panel; the search box and the add button stay the same elements (and keep focus) across updates. */
  render(): void {
    const data = this.host.letter()?.data ?? null;
    if (!this.toolbar) {
      const search = h('input', {
        id: 'search',
        type: 'search',
        autocomplete: 'off',
        oninput: (e: Event) => {
          this.query = (e.target as HTMLInputElement).value;
          this.renderTables(this.host.letter()?.data ?? null);
        },
      });
      const add = h('button', { type: 'button', id: 'add', onclick: (e: Event) => this.openForm(null, e.currentTarget as HTMLElement) }, t.add);
      const upload = h('input', {
        id: 'import-file',
        type: 'file',
        class: 'visually-hidden',
        accept: '.csv,.xlsx,.json,text/csv',
        onchange: (e: Event) => {
          const input = e.target as HTMLInputElement;
          const file = input.files?.[0];
          input.value = '';
          if (file) void this.previewImport(file, importLabel);
        },
      });
      // The file input keeps the keyboard focus (Enter or Space opens the file chooser); its label is the visible button.
      const importLabel = h('label', { for: 'import-file', class: 'button' }, t.importFile);
      this.root.addEventListener('dragover', (e) => e.preventDefault());
      this.root.addEventListener('drop', (e) => {
        e.preventDefault();
        const file = e.dataTransfer?.files[0];
        if (file) void this.previewImport(file, importLabel);
      });
      this.toolbar = {
        head: h(
          'div',
          {},
          h('div', { class: 'toolbar' }, h('label', { for: 'search' }, t.search), search, add),
          h('p', { class: 'import' }, upload, importLabel, ' ', h('small', {}, t.dropHint)),
        ),
        add,
        info: h('p', { class: 'data-file' }),
        broken: h('p', { class: 'banner warning', role: 'alert', hidden: true }, t.dataBroken),
        tables: h('div', { id: 'tables' }),
      };
      this.root.replaceChildren(this.toolbar.head, this.toolbar.info, this.toolbar.broken, this.toolbar.tables);
    }
    const { add, info, broken } = this.toolbar;
    add.disabled = !data || data.broken;
    info.textContent = data ? t.dataFile(data.file) : t.noData;
    broken.hidden = !data?.broken;
    this.renderTables(data);
  }

  private renderTables(data: DataState | null): void {
    const tables = this.toolbar?.tables;
    if (!tables) return;
    if (!data) {
      tables.replaceChildren();
      return;
    }
    const q = this.query.trim().toLowerCase();
    const match = (row: SignatoryRow) => q === '' || Object.values(row.values).some((v) => v.toLowerCase().includes(q));
    const parts = KINDS.map((kind) => {
      const all = kind === 'organization' ? data.organizations : data.individuals;
      const rows = all.filter(match);
      const fields = this.host.fields().filter((f) => f.kinds.includes(kind));
      return h(
        'table',
        { class: 'list', 'data-kind': kind },
        h('caption', {}, `${kind === 'organization' ? t.organizations : t.individuals} (${rows.length === all.length ? all.length : `${rows.length}/${all.length}`})`),
        h('thead', {}, h('tr', {}, fields.map((f) => h('th', { scope: 'col' }, t.field[f.key] ?? f.key)), h('th', { scope: 'col', class: 'actions' }, ''))),
        h(
          'tbody',
          {},
          rows.length === 0
            ? h('tr', {}, h('td', { colspan: fields.length + 1, class: 'empty' }, t.noMatches))
            : rows.map((row) =>
                h(
                  'tr',
                  {},
                  fields.map((f, i) =>
                    i === 0
                      ? h('th', { scope: 'row' }, h('button', { type: 'button', class: 'link', title: t.show, onclick: () => this.host.reveal(row.name) }, row.name))
                      : h('td', { 'data-label': t.field[f.key] ?? f.key }, row.values[f.key] ?? ''),
                  ),
                  h(
                    'td',
                    { class: 'actions' },
                    h('button', { type: 'button', 'data-key': `edit:${row.kind}:${row.name}`, 'aria-label': `${t.edit}: ${row.name}`, disabled: data.broken, onclick: (e: Event) => this.openForm(row, e.currentTarget as HTMLElement) }, t.edit),
                    h('button', { type: 'button', class: 'danger', 'data-key': `remove:${row.kind}:${row.name}`, 'aria-label': `${t.remove}: ${row.name}`, disabled: data.broken, onclick: (e: Event) => this.confirmRemove(row, e.currentTarget as HTMLElement) }, t.remove),
                  ),
                ),
              ),
        ),
      );
    });
    tables.replaceChildren(...parts);
  }

  /** Back to the button that opened the dialog, or to its new copy if the list was drawn again meanwhile; else to the add button. */
  private restoreFocus(): void {
    const opener = this.returnFocus;
    if (!opener) return;
    const key = opener.dataset.key;
    const again = opener.isConnected ? opener : key ? this.root.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`) : null;
    (again ?? this.toolbar?.add)?.focus();
  }

  /** The add or edit form: one labelled input per schema field of the chosen kind. */
  private openForm(row: SignatoryRow | null, opener: HTMLElement): void {
    this.returnFocus = opener;
    let kind: Kind = row?.kind ?? 'organization';
    const form = h('form', { method: 'dialog', novalidate: true });
    const problems = h('div', { class: 'form-problems', role: 'alert' });
    const inputs = h('div', { class: 'fields' });
    const values: Record<string, string> = { ...(row?.values ?? {}) };
    const drawFields = () => {
      inputs.replaceChildren(
        ...this.host
          .fields()
          .filter((f) => f.kinds.includes(kind))
          .map((f) => {
            const id = `field-${f.key}`;
            const hint = t.hint[f.key];
            const input = h('input', {
              id,
              name: f.key,
              type: f.type === 'date' ? 'date' : 'text',
              value: values[f.key] ?? '',
              required: f.required,
              'aria-required': f.required ? 'true' : undefined,
              'aria-describedby': hint ? `${id}-hint` : undefined,
              autocomplete: 'off',
              oninput: (e: Event) => (values[f.key] = (e.target as HTMLInputElement).value),
            });
            return h(
              'div',
              { class: 'field' },
              h('label', { for: id }, t.field[f.key] ?? f.key, f.required ? h('span', { class: 'req' }, ` (${t.required})`) : null),
              input,
              hint ? h('small', { id: `${id}-hint` }, hint) : null,
            );
          }),
      );
    };
    const kindChoice = row
      ? null
      : h(
          'fieldset',
          { class: 'kind' },
          h('legend', {}, t.kind),
          KINDS.map((k) =>
            h(
              'label',
              {},
              h('input', {
                type: 'radio',
                name: 'kind',
                value: k,
                checked: k === kind,
                onchange: () => {
                  kind = k;
                  drawFields();
                },
              }),
              ` ${k === 'organization' ? t.organization : t.individual}`,
            ),
          ),
        );
    drawFields();
    const save = h('button', { type: 'submit', class: 'primary' }, t.save);
    form.append(
      h('h2', { id: 'editor-title' }, row ? `${t.edit}: ${row.name}` : t.add),
      ...(kindChoice ? [kindChoice] : []),
      inputs,
      problems,
      h('div', { class: 'buttons' }, save, h('button', { type: 'button', onclick: () => this.dialog.close() }, t.cancel)),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const entry: Record<string, string> = { kind };
      for (const f of this.host.fields()) if (f.kinds.includes(kind) && values[f.key] !== undefined) entry[f.key] = values[f.key] as string;
      const request: EditRequest = row ? { action: 'update', name: row.name, entry, version: '' } : { action: 'add', entry, version: '' };
      save.disabled = true;
      void this.send(request, problems, (name) => (row ? t.updated(name) : t.added(name))).finally(() => (save.disabled = false));
    });
    this.dialog.replaceChildren(form);
    this.dialog.showModal();
    form.querySelector<HTMLInputElement>('input:not([type=radio])')?.focus();
  }

  private confirmRemove(row: SignatoryRow, opener: HTMLElement): void {
    this.returnFocus = opener;
    const problems = h('div', { class: 'form-problems', role: 'alert' });
    const yes = h('button', { type: 'submit', class: 'danger' }, t.remove);
    const form = h(
      'form',
      { method: 'dialog' },
      h('h2', { id: 'editor-title' }, t.confirmRemove(row.name)),
      problems,
      h('div', { class: 'buttons' }, yes, h('button', { type: 'button', onclick: () => this.dialog.close() }, t.cancel)),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.send({ action: 'remove', name: row.name, version: '' }, problems, t.removed);
    });
    this.dialog.replaceChildren(form);
    this.dialog.showModal();
    yes.focus();
  }

  /** Send the spreadsheet for a dry run and show its plan; the Import button applies the same file. */
  private async previewImport(file: File, opener: HTMLElement): Promise<void> {
    const letter = this.host.letter();
    if (!letter?.data) return;
    this.returnFocus = opener;
    const bytes = new Uint8Array(await file.arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    const request: ImportRequest = { fileName: file.name, data: btoa(binary), dryRun: true, version: letter.data.version };
    const send = async (): Promise<ImportResponse | string> => {
      const response = await fetch(`/api/letters/${letter.id}/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
      return response.ok ? ((await response.json()) as ImportResponse) : `${t.refused} ${await response.text()}`;
    };
    const problems = h('div', { class: 'form-problems', role: 'alert' });
    const body = h('div', { class: 'import-plan' });
    const apply = h('button', { type: 'submit', class: 'primary', disabled: true }, t.importApply);
    const form = h(
      'form',
      { method: 'dialog' },
      h('h2', { id: 'editor-title' }, t.importTitle(file.name)),
      body,
      problems,
      h('div', { class: 'buttons' }, apply, h('button', { type: 'button', onclick: () => this.dialog.close() }, t.cancel)),
    );
    const show = (result: ImportResponse | string) => {
      if (typeof result === 'string') {
        problems.replaceChildren(h('p', {}, result));
        return;
      }
      if (!result.ok) {
        problems.replaceChildren(h('p', {}, result.stale ? t.stale : t.refused), problemList(result.problems.filter((p) => p.rule !== 'signatories-stale'), null));
        return;
      }
      body.replaceChildren(...planView(result.plan));
      const nothing = result.plan.added.length + result.plan.updated.length === 0;
      apply.disabled = result.plan.refused > 0 || nothing;
    };
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const current = this.host.letter()?.data;
      if (!current) return;
      request.dryRun = false;
      request.version = current.version;
      apply.disabled = true;
      void send().then(async (result) => {
        if (typeof result !== 'string' && result.ok && result.written) {
          this.dialog.close();
          announce(t.imported(result.plan.added.length, result.plan.updated.length));
          await this.host.reload();
          return;
        }
        if (typeof result !== 'string' && !result.ok && result.stale) await this.host.reload();
        request.dryRun = true;
        show(result);
      });
    });
    this.dialog.replaceChildren(form);
    this.dialog.showModal();
    show(await send());
    (apply.disabled ? form.querySelector<HTMLButtonElement>('button[type=button]') : apply)?.focus();
  }

  /** Send an edit with the version of the list on screen; close on success, else show why. */
  private async send(request: EditRequest, problems: HTMLElement, done: (name: string) => string): Promise<void> {
    const letter = this.host.letter();
    if (!letter?.data) return;
    request.version = letter.data.version;
    const response = await fetch(`/api/letters/${letter.id}/signatories`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    if (!response.ok) {
      problems.replaceChildren(h('p', {}, `${t.refused} ${await response.text()}`));
      return;
    }
    const result = (await response.json()) as EditResponse;
    if (result.ok) {
      this.dialog.close();
      announce(done(request.entry?.name?.trim() ?? request.name ?? ''));
      if (result.warnings.length) announce(result.warnings.map((w) => w.message).join(' '));
      await this.host.reload();
      this.restoreFocus();
      return;
    }
    if (result.stale) await this.host.reload();
    // A name that only looks like one already listed: the user may know it is another signatory.
    const lookAlike = !result.stale && request.action !== 'remove' && result.problems.some((p) => p.rule === 'signatories-near-duplicate');
    const anyway = lookAlike
      ? h('button', { type: 'button', class: 'anyway', onclick: () => void this.send({ ...request, force: true }, problems, done) }, t.saveAnyway)
      : null;
    problems.replaceChildren(h('p', {}, result.stale ? t.stale : t.refused), problemList(result.problems.filter((p) => !result.stale || p.rule !== 'signatories-stale'), null), ...(anyway ? [anyway] : []));
    problems.setAttribute('tabindex', '-1');
    problems.focus();
  }
}

/** The dry run's plan: counts, then the rows added, updated and skipped, then the refusals with their places. */
function planView(plan: ImportSummary): Node[] {
  const name = (values: Record<string, string>) => [values.name, values.country ?? values.title].filter(Boolean).join(' / ');
  const list = (title: string, items: string[]) => (items.length ? [h('h3', {}, `${title} (${items.length})`), h('ul', { class: 'plan' }, items.map((i) => h('li', {}, i)))] : []);
  return [
    h('p', { class: 'counts' }, t.importCounts(plan.added.length, plan.updated.length, plan.skipped.length, plan.refused)),
    ...list(t.importAdd, plan.added.map((a) => `${name(a.values)} (${t.line(a.line)})`)),
    ...list(t.importUpdate, plan.updated.map((u) => `${u.name}: ${u.changes.map((c) => `${c.field} ${c.from ?? '—'} → ${c.to}`).join(', ')} (${t.line(u.line)})`)),
    ...list(t.importSkip, plan.skipped.map((s) => `${s.name}: ${s.reason} (${t.line(s.line)})`)),
    ...(plan.problems.length ? [problemList(plan.problems, null)] : []),
    ...(plan.refused > 0 ? [h('p', { class: 'banner warning' }, t.importRefusedNote)] : plan.added.length + plan.updated.length === 0 ? [h('p', { class: 'empty' }, t.importNothing)] : []),
  ];
}
