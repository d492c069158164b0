/** The signatory list as labelled lines, shared by every renderer so they read the same. */
import type { SignatoryList } from '../model/types.js';
import { fillLabel, formatDate } from '../template/format.js';
import { type Template } from '../template/schema.js';

export interface SignatoryLines {
  heading: string;
  organizations: string[];
  individuals: string[];
}

export function signatoryLines(list: SignatoryList, template: Template): SignatoryLines {
  const sep = template.labels.nameSeparator;
  return {
    heading: fillLabel(template.labels.signatoriesHeading, { date: formatDate(list.asOf, template) }),
    organizations: list.organizations.map((o) => (o.country ? `${o.name}${sep}${o.country}` : o.name)),
    individuals: list.individuals.map((p) => (p.title ? `${p.name}${sep}${p.title}` : p.name)),
  };
}
