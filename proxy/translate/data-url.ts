/**
 * `data:<media type>;base64,<data>` URLs, the way OpenAI image and file parts carry inline
 * bytes, split and built without a RegExp (the text is prompt data).
 */
export interface DataUrl {
  readonly mediaType: string;
  readonly data: string;
}

/** The media type and base64 data of a `data:…;base64,…` URL; undefined for anything else. */
export function parseDataUrl(url: string): DataUrl | undefined {
  if (!url.startsWith('data:')) return undefined;
  const comma = url.indexOf(',');
  if (comma < 0) return undefined;
  const meta = url.slice(5, comma);
  if (!meta.endsWith(';base64')) return undefined;
  const mediaType = meta.slice(0, -7).toLowerCase();
  if (mediaType.length === 0 || mediaType.includes(';')) return undefined;
  return { mediaType, data: url.slice(comma + 1) };
}

/** The `data:` URL of base64 bytes. */
export function toDataUrl(mediaType: string, data: string): string {
  return `data:${mediaType};base64,${data}`;
}

/** True for an absolute http(s) URL (what providers fetch themselves). */
export function isHttpUrl(url: string): boolean {
  return url.startsWith('https://') || url.startsWith('http://');
}
