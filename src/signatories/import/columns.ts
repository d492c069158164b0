/**
 * Which column of a sign-up spreadsheet holds which field, found by header names in the languages
 * the coalition works in (English, Chinese, Korean, Japanese, French, Spanish), or given with
 * `--map "Header=field,…"`. A header is compared after NFKC, case folding and dropping punctuation,
 * so "Organisation name:", "ORGANIZATION" and "组织名称*" are found. Columns that name no field
 * (contact e-mail, phone, comments) are ignored and listed once.
 */
import { FIELDS, type SignatoryField, type SignatoryKind } from '../schema.js';

/** What a header says about the kind of the rows, when its column is the name. */
export type NameHint = SignatoryKind | null;

interface Alias {
  field: SignatoryField;
  /** Higher wins when two columns name one field ("Organisation" over a contact's "Name"). */
  rank: number;
  /** For the name column: the kind its rows are. */
  kind?: SignatoryKind;
  words: string[];
}

const ALIASES: Alias[] = [
  {
    field: 'name', rank: 3, kind: 'organization',
    words: ['organisation', 'organization', 'org', 'organisation name', 'organization name', 'name of organisation', 'name of organization', 'organisation full name',
      'organization full name', 'group', 'ngo', 'signing organisation', 'signing organization', 'organisme', 'organisation signataire', 'organización', 'organizacion', 'nombre de la organización',
      '组织', '组织名称', '机构', '机构名称', '团体', '团体名称', '单位', '組織', '組織名稱', '機構', '機構名稱', '團體', '團體名稱', '단체', '단체명', '단체 이름', '기관', '기관명', '団体', '団体名', '組織名'],
  },
  {
    field: 'name', rank: 2, kind: 'individual',
    words: ['full name', 'person', 'individual', 'signatory name', '姓名', '个人', '個人', '성명', '이름', '氏名', '名前', 'nom complet', 'nombre completo'],
  },
  { field: 'name', rank: 1, words: ['name', 'signatory', 'names', 'nom', 'nombre', '名称', '名稱', '签署者', '簽署者', '서명자', '署名者'] },
  { field: 'country', rank: 1, words: ['country', 'country region', 'country or region', 'nation', 'pays', 'país', 'pais', '国家', '国家或地区', '国家 地区', '國家', '國家或地區', '地区', '地區', '국가', '나라', '国', '国名', '国 地域'] },
  { field: 'title', rank: 1, words: ['title', 'position', 'title position', 'job title', 'title affiliation individuals', 'title individuals', 'role', 'affiliation', 'title affiliation', 'fonction', 'cargo', '职务', '职位', '头衔', '職務', '職位', '頭銜', '직함', '직위', '소속', '肩書', '肩書き', '役職'] },
  { field: 'sortAs', rank: 1, words: ['sort as', 'sort_as', 'sortas', 'family name', 'surname', 'last name', '姓', '성', '姓 ふりがな', 'よみ', 'ふりがな'] },
  {
    field: 'signedOn', rank: 2,
    words: ['date', 'signed', 'signed on', 'signed_on', 'signedon', 'date signed', 'signing date', 'date of signature', 'signature date', 'fecha', '日期', '签署日期', '簽署日期', '서명일', '서명 날짜', '날짜', '署名日', '日付'],
  },
  { field: 'signedOn', rank: 1, words: ['timestamp', 'submitted', 'submitted at', 'submission date', '时间戳记', '時間戳記', '타임스탬프', 'タイムスタンプ'] },
  { field: 'kind', rank: 1, words: ['kind', 'type', 'signatory type', 'signing as', 'i am signing as', 'signing on behalf of', 'organisation or individual', 'organization or individual', 'category', '类型', '類型', '类别', '類別', '유형', '구분', '種類', '種別'] },
];

/** The comparison form of a header: NFKC, case folded, punctuation (":", "*", "/", "?") as one space. */
export function headerKey(header: string): string {
  return header.normalize('NFKC').toLowerCase().replace(/[\p{P}\p{S}\s]+/gu, ' ').trim();
}

const BY_KEY = new Map<string, Alias>();
for (const alias of ALIASES) for (const word of alias.words) BY_KEY.set(headerKey(word), alias);

/** What a header names: its field, rank and kind hint; null for a column that is not used. */
export function aliasOf(header: string): Alias | null {
  return BY_KEY.get(headerKey(header)) ?? null;
}

/** Field names accepted by --map: the data-file keys and columns (name, country, title, sortAs/sort_as, signedOn/signed_on/date, kind), or "ignore". */
export function fieldOfMapTarget(target: string): SignatoryField | 'ignore' | null {
  const t = target.trim().toLowerCase().replace(/[\s-]+/g, '_');
  if (t === 'ignore' || t === '-' || t === 'skip') return 'ignore';
  if (t === 'kind' || t === 'type') return 'kind';
  if (t === 'date') return 'signedOn';
  const spec = FIELDS.find((f) => f.column === t || f.key.toLowerCase() === t.replace(/_/g, ''));
  return spec ? spec.key : null;
}

export const MAP_TARGETS = `${FIELDS.map((f) => f.key).join(', ')}, kind, ignore`;

/** `--map "Header=field,Other header=field"` → header key → field; or the first entry that is wrong. */
export function parseMap(spec: string | undefined): { map: Map<string, SignatoryField | 'ignore'> } | { error: string } {
  const map = new Map<string, SignatoryField | 'ignore'>();
  if (spec === undefined || spec.trim() === '') return { map };
  for (const part of spec.split(/[,，;]/u)) {
    if (part.trim() === '') continue;
    const eq = part.lastIndexOf('=');
    if (eq <= 0) return { error: `--map: "${part.trim()}" is not Header=field (e.g. --map "Nom de l'association=name,Pays=country").` };
    const field = fieldOfMapTarget(part.slice(eq + 1));
    if (!field) return { error: `--map: "${part.slice(eq + 1).trim()}" is not a field; the fields are ${MAP_TARGETS}.` };
    map.set(headerKey(part.slice(0, eq)), field);
  }
  return { map };
}

/** The kind a cell of the kind column says, or null when it says neither. */
export function kindOfValue(value: string): SignatoryKind | null {
  const v = headerKey(value);
  if (['organization', 'organisation', 'org', 'group', 'ngo', 'o', '组织', '机构', '团体', '組織', '機構', '團體', '단체', '기관', '団体'].includes(v)) return 'organization';
  if (['individual', 'person', 'personal', 'people', 'i', 'p', '个人', '個人', '개인', '人'].includes(v)) return 'individual';
  return null;
}
