/**
 * The release record: what was sent. `letterpress release [NAME]` appends to
 * `<letter>.releases.json`, beside the letter and meant to be committed with it, the signatory set
 * of the editions just built and each edition's hash; `letterpress diff --since NAME|DATE` lists
 * everyone added, removed or changed since that release. Format (version 1):
 *
 *   { "version": 1,
 *     "releases": [ { "name": "mailed-2023-09-21", "recordedAt": "2023-09-21T10:02:11.000Z",
 *       "letter": "letter.md", "asOf": "2023-09-21",
 *       "organizations": [ { "name": "…", "country": "…" } ],
 *       "individuals": [ { "name": "…", "title": "…" } ],
 *       "editions": { "pdf": { "file": "letter.pdf", "bytes": 123, "sha256": "…" } } } ] }
 *
 * Releases are only ever appended; a name is used once.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { LetterDocument } from '../model/types.js';
import { fileFailure } from '../diagnostics/index.js';
import { writeFilesAtomically } from '../io/writeAtomic.js';
import { readBounded, sizeText } from '../io/readBounded.js';
import { sha256, type Manifest } from '../build/manifest.js';

const entrySchema = z.object({ name: z.string(), country: z.string().optional(), title: z.string().optional() });
const releaseSchema = z.object({
  name: z.string(),
  recordedAt: z.string(),
  letter: z.string(),
  asOf: z.string().nullable(),
  organizations: z.array(entrySchema),
  individuals: z.array(entrySchema),
  editions: z.record(z.string(), z.object({ file: z.string(), bytes: z.number(), sha256: z.string() })),
});
const fileSchema = z.object({ version: z.literal(1), releases: z.array(releaseSchema) });

export type Release = z.infer<typeof releaseSchema>;
export type ReleaseEntry = z.infer<typeof entrySchema>;

/** `letter.md` → `letter.releases.json` beside it. */
export function releasesPath(letterPath: string): string {
  const parsed = path.parse(letterPath);
  return path.join(parsed.dir, `${parsed.name}.releases.json`);
}

/** A release record lists the signatories of every release: far above any campaign's at this size. */
const MAX_RELEASES_BYTES = 64 * 1024 * 1024;

export async function readReleases(file: string): Promise<Release[]> {
  // Bounded like every other input: a FIFO or a device under the record's name would block or never end.
  const read = await readBounded(file, MAX_RELEASES_BYTES);
  if (!read.ok) {
    if (read.reason === 'missing') return [];
    const what = read.reason === 'too-large' ? `larger than ${sizeText(MAX_RELEASES_BYTES)}` : 'not a regular file';
    throw fileFailure(file, `The release record is ${what}; restore it from version control.`, 'releases');
  }
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder().decode(read.bytes));
  } catch (err) {
    throw fileFailure(file, `The release record is not valid JSON (${(err as Error).message}); restore it from version control.`, 'releases');
  }
  const parsed = fileSchema.safeParse(data);
  if (!parsed.success) throw fileFailure(file, `The release record is not one letterpress wrote (${parsed.error.issues[0]?.message ?? 'bad shape'}); restore it from version control.`, 'releases');
  return parsed.data.releases;
}

/** The signatory set of a document, as a release stores it (in the editions' order). */
export function signatorySet(document: LetterDocument): Pick<Release, 'asOf' | 'organizations' | 'individuals'> {
  const list = document.signatories;
  return {
    asOf: list?.asOf ?? null,
    organizations: (list?.organizations ?? []).map((o) => ({ name: o.name, ...(o.country ? { country: o.country } : {}) })),
    individuals: (list?.individuals ?? []).map((p) => ({ name: p.name, ...(p.title ? { title: p.title } : {}) })),
  };
}

/**
 * Record a release: the current signatory set and the built editions' hashes. Refused when the
 * editions on disk are not the ones the manifest describes for the current inputs (build first).
 */
export async function recordRelease(options: {
  letterPath: string;
  name: string;
  document: LetterDocument;
  current: Manifest;
  built: Manifest | null;
  outDir: string;
  now?: Date;
}): Promise<{ file: string; release: Release }> {
  const { letterPath, built, current } = options;
  if (!built || Object.keys(built.editions).length === 0) throw fileFailure(letterPath, 'No editions are built yet: run "letterpress build" first, then record the release.', 'releases');
  if (JSON.stringify(built.inputs) !== JSON.stringify(current.inputs)) {
    throw fileFailure(letterPath, 'The editions were built before the letter, its signatories or its template last changed: run "letterpress build", check the PDF, then record the release.', 'releases');
  }
  for (const [format, edition] of Object.entries(built.editions)) {
    const file = path.join(options.outDir, edition.file);
    const data = await readFile(file).catch(() => null);
    if (!data || sha256(data) !== edition.sha256) {
      throw fileFailure(file, `The ${format} edition is missing or not the one last built: run "letterpress build" again, then record the release.`, 'releases');
    }
  }
  const file = releasesPath(letterPath);
  const releases = await readReleases(file);
  if (releases.some((r) => r.name === options.name)) throw fileFailure(file, `A release named "${options.name}" is already recorded; give another name.`, 'releases');
  const release: Release = {
    name: options.name,
    recordedAt: (options.now ?? new Date()).toISOString(),
    letter: path.basename(letterPath),
    ...signatorySet(options.document),
    editions: built.editions,
  };
  await writeFilesAtomically([{ path: file, data: `${JSON.stringify({ version: 1, releases: [...releases, release] }, null, 2)}\n` }]);
  return { file, release };
}

/** The release named `since`, or (for a date YYYY-MM-DD) the last one recorded on or before that day. */
export function findRelease(releases: Release[], since: string): Release | null {
  const named = releases.find((r) => r.name === since);
  if (named) return named;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(since)) return null;
  return releases.filter((r) => r.recordedAt.slice(0, 10) <= since).at(-1) ?? null;
}

export interface SetChanges {
  added: ReleaseEntry[];
  removed: ReleaseEntry[];
  changed: Array<{ name: string; from: string; to: string }>;
}

const detail = (e: ReleaseEntry) => e.country ?? e.title ?? '';

/** Who was added, removed or changed (country, title) between two signatory sets. */
export function compareSets(before: Pick<Release, 'organizations' | 'individuals'>, after: Pick<Release, 'organizations' | 'individuals'>): { organizations: SetChanges; individuals: SetChanges } {
  const compare = (a: ReleaseEntry[], b: ReleaseEntry[]): SetChanges => {
    const old = new Map(a.map((e) => [e.name, e]));
    const now = new Map(b.map((e) => [e.name, e]));
    return {
      added: b.filter((e) => !old.has(e.name)),
      removed: a.filter((e) => !now.has(e.name)),
      changed: b.flatMap((e) => {
        const was = old.get(e.name);
        return was && detail(was) !== detail(e) ? [{ name: e.name, from: detail(was), to: detail(e) }] : [];
      }),
    };
  };
  return { organizations: compare(before.organizations, after.organizations), individuals: compare(before.individuals, after.individuals) };
}

/** The changes as lines; at most `limit` names per group unless `limit` is Infinity. */
export function formatSetChanges(changes: ReturnType<typeof compareSets>, limit: number): string[] {
  const out: string[] = [];
  const group = (title: string, lines: string[]) => {
    if (lines.length === 0) return;
    out.push(`${title} (${lines.length}):`, ...lines.slice(0, limit).map((l) => `  ${l}`));
    if (lines.length > limit) out.push(`  … ${lines.length - limit} more (add --all to list them all)`);
  };
  const show = (e: ReleaseEntry) => (detail(e) ? `${e.name} / ${detail(e)}` : e.name);
  for (const [kind, word] of [['organizations', 'organisations'], ['individuals', 'individuals']] as const) {
    const c = changes[kind];
    group(`Added ${word}`, c.added.map((e) => `+ ${show(e)}`));
    group(`Removed ${word}`, c.removed.map((e) => `− ${show(e)}`));
    group(`Changed ${word}`, c.changed.map((e) => `~ ${e.name}: ${e.from || '(none)'} → ${e.to || '(none)'}`));
  }
  return out;
}
