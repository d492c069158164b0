/**
 * The signatory list: a table per kind in the editions' order, a search, and forms generated from
 * the schema's fields (sent by the server from src/signatories/schema.ts). The server validates
 * with the same code as `letterpress signatories add`, so the messages are the same.
 */
import type { DataState, EditRequest, EditResponse, FieldInfo, Kind, LetterState, SignatoryRow } from '../protocol.js';
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
      this.toolbar = {
        head: h('div', { class: 'toolbar' }, h('label', { for: 'search' }, t.search), search, add),
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
    problems.replaceChildren(h('p', {}, result.stale ? t.stale : t.refused), problemList(result.problems.filter((p) => !result.stale || p.rule !== 'signatories-stale'), null));
    problems.setAttribute('tabindex', '-1');
    problems.focus();
  }
}
