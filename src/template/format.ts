/** Filling the template's patterns: dates and labels with {placeholders}. */
import type { Template } from './schema.js';

/** Format an ISO date (YYYY-MM-DD) with the template's pattern. */
export function formatDate(iso: string, template: Template): string {
  const [year, month, day] = iso.split('-').map((part) => Number(part)) as [number, number, number];
  const monthName = template.date.monthNames?.[month - 1] ?? String(month);
  return template.date.format
    .replaceAll('{year}', String(year))
    .replaceAll('{month}', String(month))
    .replaceAll('{day}', String(day))
    .replaceAll('{monthName}', monthName);
}

export function fillLabel(pattern: string, values: Record<string, string | number>): string {
  return pattern.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));
}
