/** The work of `letterpress signatories add | remove | import | list` (loaded only when one runs; the options are in ./signatories.ts). */
import { countryCode, countryCodeShown, countryIn, englishCountryNames, type CountryDisplay } from '../../model/countries.js';
import { distance } from 'fastest-levenshtein';
import { nearKey } from '../../signatories/nearDuplicates.js';
import { builtinTemplateNames, loadTemplate, resolveTemplatePath } from '../../load/template.js';
import { listSettings, type ListSettings } from '../../template/schema.js';
import path from 'node:path';
import { VFile } from 'vfile';
import { parseMarkdown } from '../../parse/parseMarkdown.js';
import { readFrontMatter } from '../../load/frontMatter.js';
import { findNamedFiles, loadSharedFrontMatter, reporterAtFields } from '../../load/letter.js';
import { BuildError, fileFailure, formatDiagnostics, reportError } from '../../diagnostics/index.js';
import { guessedFamily } from '../../signatories/sort.js';
import { chooseLetter } from '../letters.js';
import { listSettingsOf, today, type LetterMeta, type SignatoryList } from '../../model/types.js';
import { readInput } from '../../io/readInput.js';
import { projectRoot, resolveContained } from '../../io/paths.js';
import { signatoriesFromText } from '../../signatories/index.js';
import { EditRefused } from '../../signatories/errors.js';
import { FIELDS, newSignatory } from '../../signatories/schema.js';
import type { CliIo } from '../io.js';

const edits = () => import('../../signatories/edit.js');

export interface FileOptions {
  /** The letter whose data file to use; without it the folder's letter (../letters.ts). */
  letter?: string;
  file?: string;
}

/** The list settings of a letter: its front matter's, else its template's (the defaults when the template cannot be read). */
async function letterListSettings(letter: string | null, meta: LetterMeta | null): Promise<ListSettings> {
  const defaults: ListSettings = listSettings.parse({});
  if (!meta || letter === null) return defaults;
  const root = projectRoot(letter);
  const templatePath = resolveTemplatePath(meta.template ?? meta.lang, path.dirname(path.resolve(letter)), root);
  const fromTemplate = typeof templatePath === 'string' ? await loadTemplate(templatePath, root).then((t) => t.list).catch(() => defaults) : defaults;
  return listSettingsOf(meta, { list: fromTemplate });
}

/**
 * The data file: --file (inside its own folder), or the `signatories` field of the letter
 * (inside the letter's project, as for a build); symlinks resolved and checked the same way.
 */
async function dataFile(cwd: string, options: FileOptions, example: string): Promise<{ file: string; lang: string; date: string; list: ListSettings }> {
  const chosen = options.letter !== undefined ? { letter: options.letter } : chooseLetter(cwd, example);
  if (options.file) {
    const contained = resolveContained(path.dirname(path.resolve(cwd, options.file)), cwd, options.file, 'Signatory file');
    if ('error' in contained) throw fileFailure(options.file, contained.error, 'signatories-path');
    // Sorted for the letter's language when there is a letter (`list` prints the editions' order).
    const letter = 'letter' in chosen ? chosen.letter : null;
    const meta = letter === null ? null : await readInput(letter, '', 'letter-missing')
      .then((text) => readFrontMatter(new VFile({ path: letter, value: text }), parseMarkdown(text)))
      .catch(() => null);
    return { file: path.relative(cwd, contained.path) || contained.path, lang: meta?.lang ?? 'und', date: meta?.date ?? today(), list: await letterListSettings(letter, meta) };
  }
  if ('problem' in chosen) throw fileFailure('.', `${chosen.problem} Or give the data file with --file.`, 'letter-missing');
  const { letter } = chosen;
  const text = await readInput(letter, 'give --letter or --file.', 'letter-missing');
  const vfile = new VFile({ path: letter, value: text });
  const shared = await loadSharedFrontMatter(letter);
  const files = shared ? [vfile, shared.file] : [vfile];
  const meta = readFrontMatter(vfile, parseMarkdown(text), shared);
  if (!meta) throw new BuildError(files);
  if (!meta.signatories) {
    reportError(vfile, 'The letter names no signatory file: add `signatories: signatories.yaml` to its front matter (or to letter.yaml beside it).', { line: 1, column: 1 }, 'signatories-missing');
    throw new BuildError(files);
  }
  // Found as a build finds it: inside the project, and a mistyped name reported at the field with the data files there.
  const { signatoriesPath } = findNamedFiles({ signatories: meta.signatories }, reporterAtFields(meta, files), path.dirname(path.resolve(letter)), projectRoot(letter));
  if (signatoriesPath === null) throw new BuildError(files);
  return { file: path.relative(cwd, signatoriesPath) || signatoriesPath, lang: meta.lang, date: meta.date, list: await letterListSettings(letter, meta) };
}

export type AddOptions = FileOptions & { org?: string; person?: string; nameIn?: string[] } & Record<string, string | string[] | boolean | undefined>;

/** `--name-in ko=…` values as names per language. */
function namesIn(values: string[] | undefined): Record<string, string> | undefined {
  if (!values || values.length === 0) return undefined;
  const names: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0) throw new EditRefused(`--name-in "${value}" is not LANG=NAME, e.g. --name-in ko=전환기정의워킹그룹.`);
    names[value.slice(0, eq).trim()] = value.slice(eq + 1);
  }
  return names;
}

/** `signatories add` (with `--update`, a change to the signatory listed under that name). */
export async function addCommand(io: CliIo, opts: AddOptions): Promise<void> {
  if ((opts.org === undefined) === (opts.person === undefined)) throw new EditRefused('Give either --org "NAME" or --person "NAME".');
  const kind = opts.org !== undefined ? 'organization' : 'individual';
  const given: Record<string, string> = {};
  const flags: Record<string, string> = {};
  for (const f of FIELDS) {
    if (!('option' in f)) continue;
    const value = opts[f.option.attr];
    if (typeof value === 'string') given[f.key] = value;
    flags[f.key] = f.option.flags.split(' ')[0] ?? f.key;
  }
  const entry = newSignatory(kind, (opts.org ?? opts.person) as string, given, (key) => flags[key] ?? key);
  const names = namesIn(opts.nameIn);
  const { file } = await dataFile(io.cwd, opts, 'letterpress signatories add --org "Name" --letter my-letter.md');
  if (opts['update'] === true) {
    const { name: _name, kind: _kind, ...set } = entry;
    const before = await (await edits()).amendSignatory(file, entry.name, kind, { set, ...(names ? { names } : {}) }, { force: opts['force'] !== undefined });
    io.stdout.write(`Updated ${kind} "${before.name}" in ${file}. Run "letterpress build" to rebuild the editions.\n`);
    return;
  }
  await (await edits()).addSignatory(file, { ...entry, ...(names ? { names } : {}) }, { defaultSignedOn: today(), force: opts['force'] !== undefined });
  io.stdout.write(`Added ${entry.kind} "${entry.name.trim()}" to ${file}. Run "letterpress build" to rebuild the editions.\n`);
}

/** `signatories remove NAME`. */
export async function removeCommand(io: CliIo, name: string, opts: FileOptions): Promise<void> {
  const { file } = await dataFile(io.cwd, opts, 'letterpress signatories remove "Name" --letter my-letter.md');
  const removed = await (await edits()).removeSignatory(file, name);
  io.stdout.write(`Removed ${removed.kind} "${removed.name}" from ${file}. Run "letterpress build" to rebuild the editions.\n`);
}

/** `signatories import SPREADSHEET`: resolves with the exit code (1 when rows were refused). */
export async function importCommand(io: CliIo, spreadsheet: string, opts: ImportFlags): Promise<number> {
  if (opts.org && opts.person) throw new EditRefused('Give --org or --person, not both.');
  if (opts.dateOrder !== undefined && opts.dateOrder !== 'dmy' && opts.dateOrder !== 'mdy') throw new EditRefused(`--date-order is dmy (26/09/2023) or mdy (09/26/2023), not "${opts.dateOrder}".`);
  const { file } = await dataFile(io.cwd, opts, 'letterpress signatories import sheet.csv --letter my-letter.md');
  const { importSignatories } = await edits();
  const { formatPlan } = await import('../importReport.js');
  const { plan, written } = await importSignatories(file, { path: spreadsheet }, {
    ...(opts.org ? { kind: 'organization' as const } : opts.person ? { kind: 'individual' as const } : {}),
    ...(opts.map !== undefined ? { map: opts.map } : {}),
    ...(opts.sheet !== undefined ? { sheet: opts.sheet } : {}),
    ...(opts.dateOrder !== undefined ? { dateOrder: opts.dateOrder } : {}),
    defaultSignedOn: today(),
    force: opts.force === true,
    dryRun: opts.dryRun === true,
  });
  const diagnostics = formatDiagnostics([plan.report]);
  if (diagnostics) io.stderr.write(`${diagnostics}\n`);
  io.stdout.write(formatPlan(plan, { file, written, dryRun: opts.dryRun === true, all: opts.all === true }));
  return plan.refused.length > 0 ? 1 : 0;
}

/** `signatories list`. */
export async function listCommand(io: CliIo, opts: FileOptions & { lang?: string; check?: boolean }): Promise<void> {
  const { file, lang, date, list: settings } = await dataFile(io.cwd, opts, 'letterpress signatories list --letter my-letter.md');
  const text = await readInput(file, 'check the `signatories` field of the letter.', 'signatories-missing');
  const { list } = signatoriesFromText(file, text, opts.lang ?? lang, date, settings.names);
  const out = listLines(file, list, opts.lang ?? lang, opts.check === true, settings.countries);
  io.stdout.write(`${out.join('\n')}\n`);
}

export interface ImportFlags extends FileOptions {
  dryRun?: boolean;
  org?: boolean;
  person?: boolean;
  map?: string;
  sheet?: string;
  dateOrder?: string;
  force?: boolean;
  all?: boolean;
}

/**
 * The countries a name no table maps may have meant, for "did you mean …?": the names within a few
 * typing slips (Belgum → Belgium), or every name that holds it whole (Congo → Congo - Brazzaville,
 * Congo - Kinshasa: both, the reader chooses). Never a name the written one merely holds: a
 * qualifier makes another country (Northern Ireland is not Ireland, Czechoslovakia not Slovakia).
 */
function closestCountries(written: string): Array<{ name: string; code: string }> {
  const typed = nearKey(written);
  if (typed === '') return [];
  const found: Array<{ name: string; code: string; d: number }> = [];
  for (const [name, code] of englishCountryNames()) {
    const other = nearKey(name);
    const d = distance(other, typed);
    if (d <= Math.max(2, Math.floor(typed.length / 3))) found.push({ name, code, d });
    else if (typed.length >= 4 && ` ${other} `.includes(` ${typed} `)) found.push({ name, code, d: 0.5 });
  }
  found.sort((a, b) => a.d - b.d || a.name.localeCompare(b.name));
  const best = found[0]?.d;
  return found.filter((f) => f.d === best).slice(0, 3).map(({ name, code }) => ({ name, code }));
}

/**
 * What `signatories list` prints: the names in the editions' order (the same sorted list the
 * editions are made from), and with `check`, the individuals sorted by a guessed family name.
 */
export function listLines(file: string, list: SignatoryList, lang: string, check = false, countries: CountryDisplay = 'localised'): string[] {
  const order = lang === 'und' ? 'not sorted for any language (give --letter to see the order of that letter\'s editions)' : `sorted for ${lang}`;
  const out = [`${file}: ${list.organizations.length} organisation(s), ${list.individuals.length} individual(s), as of ${list.asOf}, ${order}`, ''];
  out.push('Organisations:', ...list.organizations.map((o) => `  ${o.name}${o.country ? ` / ${o.country}` : ''}`), '');
  out.push('Individuals:', ...list.individuals.map((p) => `  ${p.name}${p.title ? ` / ${p.title}` : ''}`));
  if (check) {
    const guessed = list.individuals.flatMap((p) => {
      const family = guessedFamily(p);
      return family ? [`  ${p.name}: sorted under "${family}" (a guess); if that is not the family name, add sortAs (${file}:${p.place?.line ?? '?'})`] : [];
    });
    out.push('', guessed.length === 0 ? 'Every individual has a sortAs or a name that sorts as written.' : `Sorted by a guessed family name (${guessed.length}):`, ...guessed);
    // Countries: a code, or a name the table maps, is shown in each edition's language (unless the
    // letter keeps them as written); any other name as written.
    const written = [...new Set(list.organizations.flatMap((o) => (o.country ? [o.country] : [])))].filter((c) => !countryIn(c, lang, countries).mapped);
    const unknown = written.filter((c) => countryCode(c) === null);
    // The languages of the built-in templates besides English, whose country names are recognised.
    const otherLanguages = builtinTemplateNames().filter((l) => l !== 'en');
    // A name in one of the letters' languages (德国, 독일): its code shows it in every edition.
    const inLanguage = (c: string) => otherLanguages.flatMap((l) => {
      const code = countryCodeShown(c, l);
      return code ? [{ code, l }] : [];
    })[0];
    const inOtherLanguage = unknown.flatMap((c) => {
      const found = inLanguage(c);
      return found ? [`  ${c}: warning: the name of ${found.code} in ${found.l}, shown as written in every edition; write ${found.code} to show it in each edition's language`] : [];
    });
    const unnamed = unknown.filter((c) => !inLanguage(c)).map((c) => {
      const close = closestCountries(c);
      const hint = close.length === 0 ? '' : `did you mean ${close.map(({ name, code }) => `${name} (${code})`).join(' or ')}? `;
      return `  ${c}: warning: not an ISO 3166 code or a country name letterpress knows, so every edition shows it as written; ${hint}write its ISO 3166 code (BE, KR, US …) to show it in each edition's language`;
    });
    const kept = written.length - unknown.length;
    out.push(
      '',
      kept > 0 ? `Countries written as names are shown as written (list.countries: as-written): ${kept}.` : "Every country known by its code or name is shown in each edition's language.",
      ...(inOtherLanguage.length > 0 ? [`Countries named in another language, shown as written (${inOtherLanguage.length}):`, ...inOtherLanguage] : []),
      ...(unnamed.length > 0 ? [`Countries letterpress cannot name (${unnamed.length}):`, ...unnamed] : []),
    );
  }
  return out;
}
