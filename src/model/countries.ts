/**
 * A signatory's country in the letter's language. The data may give an ISO 3166-1 alpha-2 code
 * (BE, KR), shown in the edition's language with the CLDR region names Node ships
 * (Intl.DisplayNames): BE → 比利时 / 比利時 / 벨기에 / ベルギー / Belgium; or a name, shown as written.
 * `signatories list --check` gives the code for an English name it knows (Belgium → BE, USA → US)
 * and names those it cannot map (another language, a region CLDR does not name, a typo).
 */

/** Names in common use that are not CLDR's English names. */
const ALIASES: Record<string, string> = {
  usa: 'US', 'u.s.': 'US', 'u.s.a.': 'US', 'united states of america': 'US', america: 'US',
  uk: 'GB', 'u.k.': 'GB', britain: 'GB', 'great britain': 'GB', england: 'GB', scotland: 'GB', wales: 'GB',
  'republic of korea': 'KR', korea: 'KR', 'dprk': 'KP', "democratic people's republic of korea": 'KP',
  'czech republic': 'CZ', turkey: 'TR', 'russian federation': 'RU', burma: 'MM', holland: 'NL', 'the netherlands': 'NL',
  'ivory coast': 'CI', "côte d'ivoire": 'CI', macedonia: 'MK', swaziland: 'SZ', 'hong kong': 'HK', macau: 'MO', macao: 'MO',
  'republic of china': 'TW', prc: 'CN', "people's republic of china": 'CN', 'viet nam': 'VN', 'timor-leste': 'TL', 'east timor': 'TL',
};

/** Two capitals that are a name or a grouping, not a country's ISO 3166-1 code. */
const NOT_COUNTRY_CODES = new Set(['UK', 'EU', 'EZ', 'UN', 'QO', 'XA', 'XB', 'ZZ']);

let byName: Map<string, string> | null = null;

const key = (name: string) => name.trim().toLowerCase().replace(/[’‘]/g, "'").replace(/\s+/g, ' ');

/** English CLDR region names (and their short forms) → code, built once. */
function englishNames(): Map<string, string> {
  if (byName) return byName;
  byName = new Map(Object.entries(ALIASES));
  const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  const short = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none', style: 'short' });
  for (let a = 65; a <= 90; a++) {
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      for (const name of [names.of(code), short.of(code)]) if (name && name !== code && !byName.has(key(name))) byName.set(key(name), code);
    }
  }
  return byName;
}

/** The ISO 3166-1 alpha-2 code for a code or an English country name, or null. */
export function countryCode(written: string): string | null {
  const text = written.trim();
  if (/^[A-Z]{2}$/.test(text)) {
    // Not ISO 3166-1 country codes, though CLDR names them: UK is how lists write Britain's name.
    if (NOT_COUNTRY_CODES.has(text)) return englishNames().get(key(text)) ?? null;
    const code = text;
    const named = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' }).of(code);
    return named && named !== code ? code : null;
  }
  return englishNames().get(key(text)) ?? null;
}

const displayNames = new Map<string, Intl.DisplayNames>();

/**
 * The country as the letter's language names it, for a country written as an ISO code (BE, KR);
 * a name written in full (Belgium, USA) is shown as written: letters reproduce lists as their
 * signatories wrote them (the 2023 letter lists English country names in the Chinese text), and
 * a Word copy read back must find the names it was made with. Write the code to have the country
 * shown in each edition's language (`signatories list --check` says which names have one).
 */
export function countryIn(written: string, lang: string): { text: string; mapped: boolean } {
  const trimmed = written.trim();
  const code = /^[A-Z]{2}$/.test(trimmed) && !NOT_COUNTRY_CODES.has(trimmed) ? countryCode(trimmed) : null;
  if (!code) return { text: written, mapped: false };
  let names = displayNames.get(lang);
  if (!names) displayNames.set(lang, (names = new Intl.DisplayNames([lang], { type: 'region', fallback: 'none' })));
  const shown = names.of(code);
  return shown ? { text: shown, mapped: true } : { text: written, mapped: false };
}
