/**
 * A Typst source of a letter, for the bench's comparison with Typst: the same text (recipients,
 * copies, subject, salutation, body with its footnotes, closing, author line, the signatory list
 * by section), the same fonts (the template's font files, given to Typst with `--font-path`),
 * page size, margins, type sizes and line spacing as the zh-CN template. Made from the letter's
 * Markdown and its signatory file with the same parsers letterpress uses, so it follows the seed
 * letter when that changes: `node dist/bench/typst.js letter.md > letter.typ`.
 *
 * The comparison is of the work each tool does for a comparable page, not a second renderer:
 * Typst sets the list in input order with its own line breaking (no clreq compression, no
 * tagged PDF).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkGfm from 'remark-gfm';
import remarkFrontmatter from 'remark-frontmatter';
import { parse as parseYaml } from 'yaml';
import type { FootnoteDefinition, PhrasingContent, Root, RootContent } from 'mdast';

interface FrontMatter {
  date?: string | Date;
  to?: Array<{ name: string; address?: string[] }>;
  cc?: Array<{ name: string; address?: string[] }>;
  subject?: string;
  salutation?: string;
  closing?: string;
  author?: string;
  signatories?: string;
}

interface Signatories {
  organizations?: Array<{ name: string; country?: string }>;
  individuals?: Array<{ name: string; title?: string }>;
}

/** Typst markup escapes: every character with a meaning in markup is written with a backslash. */
function escape(text: string): string {
  return text.replace(/[\\#*_`$<>@[\]~=\-+/'"]/g, (ch) => `\\${ch}`).replace(/\n/g, ' ');
}

const str = (text: string) => JSON.stringify(text);

function inline(nodes: PhrasingContent[], notes: Map<string, FootnoteDefinition>): string {
  return nodes
    .map((node): string => {
      switch (node.type) {
        case 'text':
          return escape(node.value);
        case 'emphasis':
          return `#emph[${inline(node.children, notes)}]`;
        case 'strong':
          return `#strong[${inline(node.children, notes)}]`;
        case 'inlineCode':
          return `#raw(${str(node.value)})`;
        case 'link':
          return `#link(${str(node.url)})[${inline(node.children, notes)}]`;
        case 'break':
          return ' \\\n';
        case 'footnoteReference': {
          const note = notes.get(node.identifier);
          const body = note ? note.children.map((child) => (child.type === 'paragraph' ? inline(child.children, notes) : '')).join(' ') : '';
          return `#footnote[${body}]`;
        }
        default:
          return 'value' in node ? escape(String(node.value)) : '';
      }
    })
    .join('');
}

function block(node: RootContent, notes: Map<string, FootnoteDefinition>): string {
  switch (node.type) {
    case 'paragraph':
      return `${inline(node.children, notes)}\n`;
    case 'heading':
      return `#heading(level: ${node.depth})[${inline(node.children, notes)}]\n`;
    case 'blockquote':
      return `#quote(block: true)[${node.children.map((c) => block(c, notes)).join('\n')}]\n`;
    case 'list':
      return node.children.map((item) => `${node.ordered ? '+' : '-'} ${item.children.map((c) => block(c, notes)).join(' ')}`).join('');
    default:
      return '';
  }
}

export function typstSource(letterPath: string): string {
  const text = readFileSync(letterPath, 'utf8');
  const tree = unified().use(remarkParse).use(remarkGfm).use(remarkFrontmatter).parse(text) as Root;
  const yamlNode = tree.children.find((n) => n.type === 'yaml');
  const front = (yamlNode && 'value' in yamlNode ? parseYaml(yamlNode.value) : {}) as FrontMatter;
  const notes = new Map<string, FootnoteDefinition>();
  for (const node of tree.children) if (node.type === 'footnoteDefinition') notes.set(node.identifier, node);
  const list = front.signatories ? (parseYaml(readFileSync(path.join(path.dirname(letterPath), front.signatories), 'utf8')) as Signatories) : {};
  const organizations = list.organizations ?? [];
  const individuals = list.individuals ?? [];
  const date = front.date instanceof Date ? front.date : new Date(String(front.date ?? '2023-09-21'));
  const out: string[] = [
    '#set document(title: ' + str(front.subject ?? '') + ')',
    '#set page(paper: "a4", margin: (top: 72pt, right: 68pt, bottom: 68pt, left: 68pt), numbering: "1 / 1", number-align: center)',
    '#set text(font: ("Source Serif 4", "Noto Serif SC", "Noto Serif KR", "Noto Serif JP"), size: 11.5pt, lang: "zh", region: "cn")',
    '#set par(justify: true, leading: 0.75em, first-line-indent: 2em)',
    '#show footnote.entry: set text(size: 8.5pt)',
    '',
    `#align(right)[${date.getUTCFullYear()}年${date.getUTCMonth() + 1}月${date.getUTCDate()}日]`,
    '',
  ];
  const person = (p: { name: string; address?: string[] }) => [p.name, ...(p.address ?? [])].map(escape).join(' \\\n');
  for (const to of front.to ?? []) out.push(`#block(above: 1em)[${person(to)}]`);
  if (front.cc?.length) out.push('#block(above: 0.6em)[抄送：]', ...front.cc.map((cc) => `#pad(left: 2em)[${person(cc)}]`));
  out.push('', `#block(above: 1.5em)[#strong[${escape(front.subject ?? '')}]]`, '', `#block(above: 1.5em)[${escape(front.salutation ?? '')}]`, '');
  for (const node of tree.children) if (node.type !== 'yaml' && node.type !== 'footnoteDefinition') out.push(block(node, notes));
  out.push(escape(front.closing ?? ''), '');
  const author = (front.author ?? '').replace('{organisations}', String(organizations.length)).replace('{individuals}', String(individuals.length));
  if (author) out.push(`#align(right)[${escape(author)}]`, '');
  out.push('#set par(first-line-indent: 0em, hanging-indent: 2em)', '#set text(size: 9.5pt)');
  out.push('#align(center)[#strong[联署名单]]', '', '#strong[组织]', '');
  for (const o of organizations) out.push(`${escape(o.name)}${o.country ? `（${escape(o.country)}）` : ''}`, '');
  out.push('#strong[个人]', '');
  for (const i of individuals) out.push(`${escape(i.name)}${i.title ? `，${escape(i.title)}` : ''}`, '');
  return `${out.join('\n')}\n`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const letter = process.argv[2];
  if (!letter) {
    process.stderr.write('usage: node dist/bench/typst.js letter.md > letter.typ\n');
    process.exit(2);
  }
  process.stdout.write(typstSource(path.resolve(letter)));
}
