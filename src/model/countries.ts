/**
 * A signatory's country in the letter's language. The data may give an ISO 3166-1 alpha-2 code
 * (BE, KR), shown in the edition's language with the CLDR region names Node ships
 * (Intl.DisplayNames): BE → 比利时 / 比利時 / 벨기에 / ベルギー / Belgium; or an English name or alias
 * (Belgium, USA, South Korea), mapped to its code through CLDR's English names and the alias table
 * below. `signatories list --check` names those it cannot map (another language, a region CLDR
 * does not name, a typo): they are shown as written.
 */
import type { ListSettings } from '../template/schema.js';

/** Names in common use that are not CLDR's English names. */
const ALIASES: Record<string, string> = {
  usa: 'US', us: 'US', 'the us': 'US', 'the usa': 'US', 'united states': 'US', 'the united states': 'US', 'u.s.': 'US', 'u.s.a.': 'US', 'united states of america': 'US', america: 'US',
  uk: 'GB', 'the uk': 'GB', 'u.k.': 'GB', 'the united kingdom': 'GB', britain: 'GB', 'great britain': 'GB', england: 'GB', scotland: 'GB', wales: 'GB', 'northern ireland': 'GB',
  'republic of korea': 'KR', 'the republic of korea': 'KR', rok: 'KR', korea: 'KR', 'korea, south': 'KR', 'korea, north': 'KP', 'dprk': 'KP', "democratic people's republic of korea": 'KP',
  'czech republic': 'CZ', turkey: 'TR', 'russian federation': 'RU', burma: 'MM', holland: 'NL', 'the netherlands': 'NL',
  'ivory coast': 'CI', "côte d'ivoire": 'CI', macedonia: 'MK', swaziland: 'SZ', 'hong kong': 'HK', macau: 'MO', macao: 'MO',
  'democratic republic of the congo': 'CD', 'the democratic republic of the congo': 'CD', 'dr congo': 'CD', drc: 'CD', 'republic of the congo': 'CG',
  'republic of china': 'TW', prc: 'CN', "people's republic of china": 'CN', 'viet nam': 'VN', 'the philippines': 'PH', 'the gambia': 'GM', 'czechia': 'CZ', 'timor-leste': 'TL', 'east timor': 'TL',
};

/** Two capitals that are a name or a grouping, not a country's ISO 3166-1 code. */
const NOT_COUNTRY_CODES = new Set(['UK', 'EU', 'EZ', 'UN', 'QO', 'XA', 'XB', 'ZZ']);

let byName: Map<string, string> | null = null;

/** The region code a code stands for today (DD → DE, BU → MM; BCP 47's region aliases). */
const canonicalRegion = (code: string): string => new Intl.Locale(`und-${code}`).region ?? code;

let codesInUse: string[] | null = null;

/**
 * The two-letter region codes AA–ZZ in use today, built once: a withdrawn code CLDR still names
 * (DD "Germany", BU "Burma") is not the code of that name.
 */
function regionCodes(): string[] {
  if (codesInUse) return codesInUse;
  codesInUse = [];
  for (let a = 65; a <= 90; a++) {
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      if (canonicalRegion(code) === code) codesInUse.push(code);
    }
  }
  return codesInUse;
}

const key = (name: string) => name.trim().toLowerCase().replace(/[’‘]/g, "'").replace(/\s+/g, ' ');

/** English CLDR region names (and their short forms) → code, built once. */
function englishNames(): Map<string, string> {
  if (byName) return byName;
  byName = new Map(Object.entries(ALIASES));
  const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  const short = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none', style: 'short' });
  for (const code of regionCodes()) {
    for (const name of [names.of(code), short.of(code)]) if (name && name !== code && !byName.has(key(name))) byName.set(key(name), code);
  }
  return byName;
}

/** The ISO 3166-1 alpha-2 code for a code or an English country name, or null. */
export function countryCode(written: string): string | null {
  const text = written.trim();
  if (/^[A-Z]{2}$/.test(text)) {
    // Not ISO 3166-1 country codes, though CLDR names them: UK is how lists write Britain's name.
    if (NOT_COUNTRY_CODES.has(text)) return englishNames().get(key(text)) ?? null;
    const code = canonicalRegion(text);
    const named = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' }).of(code);
    return named && named !== code ? code : null;
  }
  return englishNames().get(key(text)) ?? null;
}

let countryNames: Map<string, string> | null = null;

/** Every country's English CLDR name → its code (for a "did you mean" hint), built once. */
export function englishCountryNames(): Map<string, string> {
  if (countryNames) return countryNames;
  const english = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  countryNames = new Map();
  for (const code of new Set(englishNames().values())) {
    const name = english.of(code);
    if (name && name !== code) countryNames.set(name, code);
  }
  return countryNames;
}

const displayNames = new Map<string, Intl.DisplayNames>();
const shownNames = new Map<string, Map<string, string>>();

/**
 * The code of a country as a letter in `lang` shows it (比利时 → BE in zh-CN, 벨기에 → BE in ko),
 * or null: for a country typed into an edition (a Word copy read back), so that the data keeps a
 * value every edition can show in its own language.
 */
export function countryCodeShown(shown: string, lang: string): string | null {
  let byShown = shownNames.get(lang);
  if (!byShown) {
    byShown = new Map();
    const names = new Intl.DisplayNames([lang], { type: 'region', fallback: 'none' });
    for (const code of regionCodes()) {
      if (NOT_COUNTRY_CODES.has(code)) continue;
      const name = names.of(code);
      if (name && name !== code && !byShown.has(key(name))) byShown.set(key(name), code);
    }
    shownNames.set(lang, byShown);
  }
  return byShown.get(key(shown)) ?? null;
}

/**
 * How a letter shows the countries its data writes as names: `localised` (the default) in the
 * letter's language (Belgium or BE → 比利时 in zh-CN), `as-written` as the data spells them (a
 * letter reprinted as it was signed: the 2023 Chinese letter printed "Belgium", "USA"). A code
 * is shown in the letter's language either way; a name no table maps stays as written.
 */
export type CountryDisplay = ListSettings['countries'];

/**
 * The country as the letter's language names it: an ISO 3166-1 code (BE, KR), or with
 * `localised` an English name or common alias (Belgium, USA, South Korea), through the CLDR
 * region names Node ships. `mapped` is false when it is shown as written.
 */
export function countryIn(written: string, lang: string, display: CountryDisplay = 'localised'): { text: string; mapped: boolean } {
  const trimmed = written.trim();
  const isCode = /^[A-Z]{2}$/.test(trimmed) && !NOT_COUNTRY_CODES.has(trimmed);
  const code = isCode || display === 'localised' ? countryCode(trimmed) : null;
  if (!code) return { text: written, mapped: false };
  let names = displayNames.get(lang);
  if (!names) displayNames.set(lang, (names = new Intl.DisplayNames([lang], { type: 'region', fallback: 'none' })));
  const shown = names.of(code);
  return shown ? { text: shown, mapped: true } : { text: written, mapped: false };
}
