/**
 * PDF/A-2a (ISO 19005-2) and PDF/UA-1 (ISO 14289-1) identification: the document options and
 * the XMP packet. pdfkit writes the sRGB output intent (the ICC v2 profile
 * `sRGB_IEC61966_2_1.icc` shipped in the pdfkit package) and the pdfaid properties when its
 * `subset` option is a PDF/A part; the rest of the XMP is written here, so that every property
 * of the Info dictionary has its XMP twin (ISO 19005-2 §6.6.2.3.1) and the text is XML-escaped.
 */
export interface DocumentInfo {
  title: string;
  author?: string;
  subject: string;
  creator: string;
  producer: string;
  date: Date;
  lang: string;
}

export function pdfkitOptions(info: DocumentInfo, standard: boolean, extraInfo: Record<string, string>): object {
  return {
    pdfVersion: '1.7',
    tagged: true,
    displayTitle: true,
    lang: info.lang,
    compress: true,
    fontLayoutCache: false,
    ...(standard ? { subset: 'PDF/A-2a' } : {}),
    info: {
      Title: info.title,
      ...(info.author ? { Author: info.author } : {}),
      Subject: info.subject,
      Creator: info.creator,
      Producer: info.producer,
      CreationDate: info.date,
      ModDate: info.date,
      ...extraInfo,
    },
  };
}

const escapeXml = (text: string) =>
  text.replace(/[<>&"']/g, (ch) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[ch] as string);

/** XMP date: the same instant as the Info dictionary's D:…Z dates. */
const xmpDate = (date: Date) => `${date.toISOString().split('.')[0]}Z`;

/** The XMP properties besides pdfaid (which pdfkit adds for PDF/A). */
export function xmpPacket(info: DocumentInfo, standard: boolean): string {
  const e = escapeXml;
  const date = xmpDate(info.date);
  return [
    '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">',
    '<dc:format>application/pdf</dc:format>',
    `<dc:title><rdf:Alt><rdf:li xml:lang="x-default">${e(info.title)}</rdf:li></rdf:Alt></dc:title>`,
    info.author ? `<dc:creator><rdf:Seq><rdf:li>${e(info.author)}</rdf:li></rdf:Seq></dc:creator>` : '',
    `<dc:description><rdf:Alt><rdf:li xml:lang="x-default">${e(info.subject)}</rdf:li></rdf:Alt></dc:description>`,
    `<dc:language><rdf:Bag><rdf:li>${e(info.lang)}</rdf:li></rdf:Bag></dc:language>`,
    '</rdf:Description>',
    '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">',
    `<xmp:CreateDate>${date}</xmp:CreateDate><xmp:ModifyDate>${date}</xmp:ModifyDate><xmp:MetadataDate>${date}</xmp:MetadataDate>`,
    `<xmp:CreatorTool>${e(info.creator)}</xmp:CreatorTool>`,
    '</rdf:Description>',
    `<rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/"><pdf:Producer>${e(info.producer)}</pdf:Producer></rdf:Description>`,
    standard ? '<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"><pdfuaid:part>1</pdfuaid:part></rdf:Description>' : '',
  ]
    .filter(Boolean)
    .join('\n');
}
