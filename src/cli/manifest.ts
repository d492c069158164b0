/**
 * The build manifest, written beside the editions (`letter.manifest.json`): hashes of the inputs,
 * the signatory names and the as-of date. The next build (and `letterpress diff`) compares
 * against it to say what changed: "+3 organisations (…), −1 individual (…), as-of … → …".
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { LoadedLetter } from '../load/letter.js';
import { buildFrame } from '../frame/index.js';

export interface Manifest {
  version: 1;
  inputs: { letter: string; signatories: string | null; template: string };
  asOf: string | null;
  organizations: string[];
  individuals: string[];
  notes: number;
  editions: Record<string, { file: string; bytes: number; sha256: string }>;
}

export const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

export function manifestPath(editionBase: string): string {
  return `${editionBase}.manifest.json`;
}

export function manifestOf(letter: LoadedLetter, editions: Manifest['editions'] = {}): Manifest {
  const [letterFile, signatoriesFile] = letter.files;
  const { document } = letter;
  const list = document.signatories;
  const blocks = list ? buildFrame(document).blocks : [];
  const entries = (section: 'organizations' | 'individuals') =>
    blocks.flatMap((block) => (block.role === 'signatoryEntry' && block.section === section ? [block.text] : []));
  return {
    version: 1,
    inputs: {
      letter: sha256(String(letterFile?.value ?? '')),
      signatories: signatoriesFile ? sha256(String(signatoriesFile.value ?? '')) : null,
      template: sha256(JSON.stringify({ ...document.template, sourcePath: undefined })),
    },
    asOf: list?.asOf ?? null,
    organizations: entries('organizations'),
    individuals: entries('individuals'),
    notes: document.notes.length,
    editions,
  };
}

const manifestSchema = z.object({
  version: z.literal(1),
  inputs: z.object({ letter: z.string(), signatories: z.string().nullable(), template: z.string() }),
  asOf: z.string().nullable(),
  organizations: z.array(z.string()),
  individuals: z.array(z.string()),
  notes: z.number().int().nonnegative(),
  editions: z.record(z.string(), z.object({ file: z.string(), bytes: z.number(), sha256: z.string() })),
});

/**
 * The previous build's manifest, or null when there is none or it is not one letterpress wrote
 * (damaged, edited by hand): it is only compared against, so a bad one is treated as absent
 * (and replaced by the next good build).
 */
export async function readManifest(path: string): Promise<Manifest | null> {
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * A warning when a build would drop more than half of the previous build's signatories (a data
 * file truncated or replaced by mistake); null otherwise.
 */
export function droppedWarning(before: Manifest | null, after: Manifest): string | null {
  if (!before) return null;
  const count = (m: Manifest) => m.organizations.length + m.individuals.length;
  const dropped = count(before) - count(after);
  if (dropped * 2 <= count(before)) return null;
  return `This build drops ${dropped} of the previous build's ${count(before)} signatories (now ${count(after)}); check the data file if that was not intended.`;
}

/** Names listed per change in the build's report; `letterpress diff --all` lists every one. */
export const SHOWN_NAMES = 5;

function listChange(sign: '+' | '−', items: string[], one: string, many: string, limit: number): string | null {
  if (items.length === 0) return null;
  const shown = items.slice(0, limit).map((s) => s.split(' / ')[0]).join(', ');
  const more = items.length > limit ? `, … ${items.length - limit} more: "letterpress diff --all" before building, or "letterpress diff --since RELEASE --all", lists them all` : '';
  return `${sign}${items.length} ${items.length === 1 ? one : many} (${shown}${more})`;
}

/** What changed between two manifests, as short phrases; empty when nothing did. */
export function describeChanges(before: Manifest | null, after: Manifest, limit = SHOWN_NAMES): string[] {
  if (!before) return ['first build (no earlier manifest)'];
  const changes: string[] = [];
  const diff = (a: string[], b: string[]) => {
    const setA = new Set(a);
    return b.filter((x) => !setA.has(x));
  };
  const added = [
    listChange('+', diff(before.organizations, after.organizations), 'organisation', 'organisations', limit),
    listChange('+', diff(before.individuals, after.individuals), 'individual', 'individuals', limit),
  ];
  const removed = [
    listChange('−', diff(after.organizations, before.organizations), 'organisation', 'organisations', limit),
    listChange('−', diff(after.individuals, before.individuals), 'individual', 'individuals', limit),
  ];
  changes.push(...[...added, ...removed].filter((c): c is string => c !== null));
  if (before.asOf !== after.asOf) changes.push(`as-of ${before.asOf ?? '—'} → ${after.asOf ?? '—'}`);
  if (before.inputs.letter !== after.inputs.letter) changes.push('letter text changed');
  if (before.inputs.template !== after.inputs.template) changes.push('template changed');
  if (before.notes !== after.notes) changes.push(`notes ${before.notes} → ${after.notes}`);
  return changes;
}
