/** The import plan as campaign staff read it in a terminal: one block per outcome, names listed. */
import type { ImportPlan } from '../signatories/import/plan.js';

/** Names shown per group unless --all. */
export const SHOWN = 20;

const kindWord = (kind: string) => (kind === 'organization' ? 'organisation' : 'individual');

function block<T>(title: string, items: T[], line: (item: T) => string, all: boolean): string[] {
  if (items.length === 0) return [];
  const shown = all ? items : items.slice(0, SHOWN);
  const rest = items.length - shown.length;
  return [`${title} (${items.length}):`, ...shown.map((item) => `  ${line(item)}`), ...(rest > 0 ? [`  … ${rest} more (add --all to list them all)`] : []), ''];
}

export function formatPlan(plan: ImportPlan, context: { file: string; written: boolean; dryRun: boolean; all: boolean }): string {
  const at = (line: number) => `${plan.type === 'xlsx' ? 'row' : 'line'} ${line}`;
  const out: string[] = [];
  out.push(`${plan.source}${plan.sheet !== undefined ? ` (sheet "${plan.sheet}")` : ''} → ${context.file}`);
  if (plan.headerLine > 0) {
    const title = plan.titleRows.length > 0 ? `; ${plan.titleRows.map(at).join(', ')} above it passed over as a title` : '';
    out.push(`  header on ${at(plan.headerLine)}${title}`);
  }
  const used = plan.columns.filter((c) => c.field !== null);
  const ignored = plan.columns.filter((c) => c.field === null);
  if (used.length > 0) out.push(`  columns used: ${used.map((c) => `"${c.header}" → ${c.field}${c.language ? ` in ${c.language}` : ''}`).join(', ')}`);
  if (ignored.length > 0) out.push(`  columns ignored (never written to the data file or an edition): ${ignored.map((c) => `"${c.header}"`).join(', ')}`);
  out.push('');
  out.push(
    ...block(context.written ? 'Added' : 'Would add', plan.added, (a) => `+ ${kindWord(a.entry.kind)} ${a.entry.name}${a.entry.country ? ` / ${a.entry.country}` : ''}${a.entry.title ? ` / ${a.entry.title}` : ''}${a.entry.signedOn ? `, signed ${a.entry.signedOn}` : ''}  (${at(a.row.line)})`, context.all),
    ...block(context.written ? 'Updated' : 'Would update', plan.updated, (u) => `~ ${u.name}: ${u.changes.map((c) => `${c.field} ${c.from ?? '(none)'} → ${c.to}`).join(', ')}  (${at(u.row.line)}; ${context.file}:${u.existing.line})`, context.all),
    ...block('Skipped', plan.skipped, (s) => `= ${s.name}: ${s.reason}  (${at(s.row.line)})`, context.all),
    ...block('Refused, for the reasons printed above', plan.refused, (r) => `! ${r.name !== undefined && r.name !== '' ? r.name : '—'}  (${at(r.place.line)}, ${r.ruleId})`, context.all),
  );
  const counts = `${plan.added.length} added, ${plan.updated.length} updated, ${plan.skipped.length} skipped, ${plan.refused.length} refused`;
  if (context.dryRun) {
    const would = `${plan.added.length} to add, ${plan.updated.length} to update, ${plan.skipped.length} skipped, ${plan.refused.length} refused`;
    out.push(
      plan.refused.length > 0
        ? `Dry run: ${would}. Nothing was changed. An import changes nothing while a row is refused: fix the refused rows (or see --force / --date-order / --map / --org), then run the dry run again.`
        : `Dry run: ${would}. Nothing was changed; run the same command without --dry-run to write it.`,
    );
  } else if (context.written) {
    out.push(`Imported: ${counts}; ${context.file} was changed in one edit. Run "letterpress build" to rebuild the editions.`);
  } else if (plan.refused.length > 0) {
    out.push(`Nothing was changed (${counts}): fix or remove the refused rows, or see --force / --date-order / --map, then import again.`);
  } else {
    out.push(`Nothing to change: ${counts}.`);
  }
  return `${out.join('\n')}\n`;
}
