/**
 * Generated signatory lists for scale tests and the benchmark: organisations and individuals
 * with Latin, Chinese and Korean names, deterministic for a given count.
 */
import type { SignatoryData } from '../signatories/schema.js';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const LATIN_WORDS = ['Human', 'Rights', 'Watch', 'Alliance', 'Council', 'Network', 'Justice', 'Freedom', 'Foundation', 'Peace', 'Centre', 'Forum', 'Society', 'Action', 'Advocates', 'Coalition', 'Refugee', 'Support', 'Legal', 'Aid', 'Solidarity', 'Democracy', 'Initiative', 'Association', 'Institute'];
const PLACES = ['Asia', 'Europe', 'Africa', 'Americas', 'Pacific', 'Nordic', 'Balkan', 'Andean', 'Sahel', 'Mekong'];
const COUNTRIES = ['USA', 'UK', 'France', 'Germany', 'Japan', 'South Korea', 'Taiwan', 'Philippines', 'Indonesia', 'Argentina', 'Kenya', 'Canada', 'Sri Lanka', 'Nepal'];
const HAN = '人权观察联盟研究会促进中心基金法律援助难民和平正义自由民主发展协会网络行动志愿团结社区青年妇女';
const HANGUL = '한국인권연대시민북한난민법률지원센터평화정의자유협회네트워크모임';
const GIVEN = ['Anna', 'Ben', 'Carla', 'David', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kofi', 'Lena', 'Mateo', 'Nadia', 'Omar', 'Priya'];
const FAMILY = ['Alvarez', 'Brown', 'Chen', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Hoang', 'Ivanova', 'Jensen', 'Khan', 'Lopez', 'Müller', 'Nakamura', 'Okafor', 'Park'];
const HAN_FAMILY = '王李张刘陈杨黄赵周吴';
const HAN_GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚';
const KO_FAMILY = ['김', '이', '박', '최', '정', '강', '조', '윤'];
const KO_GIVEN = '민준서연지우하은도윤수아예준시우';

export function generateSignatories(count: number, seed = 1): SignatoryData {
  const rand = prng(seed);
  const pick = <T>(list: readonly T[] | string): T => list[Math.floor(rand() * list.length)] as T;
  const seen = new Set<string>();
  const records: SignatoryData['records'] = [];
  const orgCount = Math.round(count * 0.85);
  for (let i = 0; records.length < count; i++) {
    const kind = records.length < orgCount ? 'organization' : 'individual';
    const script = i % 10 < 6 ? 'latin' : i % 10 < 8 ? 'han' : 'hangul';
    let name: string;
    if (kind === 'organization') {
      name =
        script === 'latin'
          ? `${pick(LATIN_WORDS)} ${pick(LATIN_WORDS)} ${pick(LATIN_WORDS)} ${pick(PLACES)} ${i}`
          : script === 'han'
            ? `${Array.from({ length: 6 }, () => pick<string>(HAN)).join('')}${i}`
            : `${Array.from({ length: 6 }, () => pick<string>(HANGUL)).join('')} ${i}`;
    } else {
      name =
        script === 'latin'
          ? `${pick(GIVEN)} ${pick(FAMILY)} ${i}`
          : script === 'han'
            ? `${pick<string>(HAN_FAMILY)}${pick<string>(HAN_GIVEN)}${pick<string>(HAN_GIVEN)}${i}`
            : `${pick(KO_FAMILY)}${pick<string>(KO_GIVEN)}${pick<string>(KO_GIVEN)} ${i}`;
    }
    if (seen.has(name)) continue;
    seen.add(name);
    const place = { line: records.length + 1, column: 1 };
    records.push(
      kind === 'organization'
        ? { kind, name, country: pick(COUNTRIES), signedOn: '2023-09-21', place, fieldPlaces: {} }
        : { kind, name, title: 'Member of the sign-on campaign', sortAs: name.split(' ').at(-2) ?? name, signedOn: '2023-09-21', place, fieldPlaces: {} },
    );
  }
  return { records };
}

/** The generated list as a CSV file's text (the format sign-up forms export). */
export function signatoriesCsv(count: number, seed = 1): string {
  const q = (s: string | undefined) => (s === undefined ? '' : /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const rows = generateSignatories(count, seed).records.map((r) =>
    [r.kind, r.name, r.country, r.title, r.sortAs, r.signedOn].map(q).join(','),
  );
  return `kind,name,country,title,sort_as,signed_on\n${rows.join('\n')}\n`;
}
