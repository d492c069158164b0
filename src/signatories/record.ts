import type { Position } from '../diagnostics/index.js';

export type SignatoryKind = 'organization' | 'individual';
export type SignatoryField = 'kind' | 'name' | 'country' | 'title' | 'sortAs' | 'signedOn';

/** One signatory as read from any data format, with where each field stands in the file. */
export interface SignatoryRecord {
  kind: SignatoryKind;
  name: string;
  country?: string;
  title?: string;
  sortAs?: string;
  signedOn?: string;
  /** Where the record starts (for messages about the whole record). */
  place: Position;
  /** Where each field stands, when the format tells. */
  fieldPlaces: Partial<Record<SignatoryField, Position>>;
}

export interface SignatoryData {
  asOf?: string;
  asOfPlace?: Position;
  records: SignatoryRecord[];
}
