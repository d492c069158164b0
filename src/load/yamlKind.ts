/**
 * What a YAML file beside a letter is, judged by its top-level keys, for the hints that list
 * files when a name in the front matter is wrong: a template (a house style: it `extends:` one),
 * signatory data (`organizations:` or `individuals:`), or neither. Only the file's head is read.
 */
import { closeSync, openSync, readSync } from 'node:fs';

export type YamlKind = 'template' | 'data' | 'other';

const HEAD_BYTES = 16 * 1024;

export function yamlKind(file: string): YamlKind {
  let head: string;
  try {
    const fd = openSync(file, 'r');
    try {
      const buffer = Buffer.alloc(HEAD_BYTES);
      head = buffer.toString('utf8', 0, readSync(fd, buffer, 0, buffer.length, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return 'other';
  }
  if (/^extends:/m.test(head)) return 'template';
  if (/^(organizations|individuals):/m.test(head)) return 'data';
  return 'other';
}
