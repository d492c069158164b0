/** The diagnostics of the last build (or of a refused edit) as a list: file:line:col, severity, message, the source line. */
import type { Problem } from '../protocol.js';
import { h } from './dom.js';
import { t } from './i18n.js';

export function problemList(problems: Problem[], emptyText: string | null): HTMLElement {
  if (problems.length === 0) return h('p', { class: 'empty' }, emptyText ?? '');
  return h(
    'ul',
    { class: 'problems' },
    problems.map((p) => {
      // A refusal of the form's values is about the form, not a file.
      const where = p.file === 'command line' ? '' : `${p.file}${p.line ? `:${p.line}:${p.column ?? 1}` : ''}`;
      return h(
        'li',
        { class: `problem ${p.severity}` },
        h('span', { class: 'severity' }, p.severity === 'error' ? t.error : t.warning),
        where ? h('code', { class: 'where' }, where) : null,
        h('span', { class: 'message' }, p.message),
        p.rule ? h('span', { class: 'rule' }, p.rule) : null,
        p.source !== undefined ? sourceLine(p) : null,
      );
    }),
  );
}

/** The source line with the problem's column marked. */
function sourceLine(p: Problem): HTMLElement {
  const chars = [...(p.source ?? '')];
  const at = Math.max(0, Math.min(chars.length, (p.column ?? 1) - 1));
  return h(
    'pre',
    { class: 'source' },
    h('span', { class: 'line-no' }, `${p.line} | `),
    chars.slice(0, at).join(''),
    h('mark', {}, chars[at] ?? ' '),
    chars.slice(at + 1).join(''),
  );
}
