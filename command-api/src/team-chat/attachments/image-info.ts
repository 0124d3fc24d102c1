/** Raster image types a browser may show inline from our origin: they cannot carry script. */
export const SAFE_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
export type SafeImageType = (typeof SAFE_IMAGE_TYPES)[number];

export interface ImageInfo {
  contentType: SafeImageType;
  width: number | null;
  height: number | null;
}

const positive = (n: number) => (Number.isInteger(n) && n > 0 ? n : null);

/**
 * What the bytes are, by their magic numbers (never by the name or the type the client claims),
 * with the image's width and height when the header tells them.
 */
export function sniffImage(bytes: Buffer): ImageInfo | null {
  if (
    bytes.length >= 24 &&
    bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  ) {
    const hasHeader = bytes.toString('latin1', 12, 16) === 'IHDR';
    return {
      contentType: 'image/png',
      width: hasHeader ? positive(bytes.readUInt32BE(16)) : null,
      height: hasHeader ? positive(bytes.readUInt32BE(20)) : null,
    };
  }
  if (bytes.length >= 10 && /^GIF8[79]a$/.test(bytes.toString('latin1', 0, 6))) {
    return {
      contentType: 'image/gif',
      width: positive(bytes.readUInt16LE(6)),
      height: positive(bytes.readUInt16LE(8)),
    };
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return { contentType: 'image/jpeg', ...jpegSize(bytes) };
  }
  if (
    bytes.length >= 16 &&
    bytes.toString('latin1', 0, 4) === 'RIFF' &&
    bytes.toString('latin1', 8, 12) === 'WEBP'
  ) {
    return { contentType: 'image/webp', ...webpSize(bytes) };
  }
  return null;
}

/** Walks the JPEG segments to the first start-of-frame, which holds the size. */
function jpegSize(bytes: Buffer): { width: number | null; height: number | null } {
  let offset = 2;
  while (offset + 9 < bytes.length) {
    if (bytes[offset] !== 0xff) break;
    const marker = bytes[offset + 1]!;
    if (marker === 0xff) {
      offset++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9)) {
      offset += 2; // markers without a length
      continue;
    }
    const isStartOfFrame =
      marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isStartOfFrame)
      return {
        height: positive(bytes.readUInt16BE(offset + 5)),
        width: positive(bytes.readUInt16BE(offset + 7)),
      };
    offset += 2 + bytes.readUInt16BE(offset + 2);
  }
  return { width: null, height: null };
}

function webpSize(bytes: Buffer): { width: number | null; height: number | null } {
  const chunk = bytes.toString('latin1', 12, 16);
  if (
    chunk === 'VP8 ' &&
    bytes.length >= 30 &&
    bytes[23] === 0x9d &&
    bytes[24] === 0x01 &&
    bytes[25] === 0x2a
  )
    return {
      width: positive(bytes.readUInt16LE(26) & 0x3fff),
      height: positive(bytes.readUInt16LE(28) & 0x3fff),
    };
  if (chunk === 'VP8L' && bytes.length >= 25 && bytes[20] === 0x2f) {
    const b1 = bytes[22]!,
      b2 = bytes[23]!,
      b3 = bytes[24]!,
      b0 = bytes[21]!;
    return {
      width: 1 + (((b1 & 0x3f) << 8) | b0),
      height: 1 + (((b3 & 0x0f) << 10) | (b2 << 2) | ((b1 & 0xc0) >> 6)),
    };
  }
  if (chunk === 'VP8X' && bytes.length >= 30)
    return { width: 1 + bytes.readUIntLE(24, 3), height: 1 + bytes.readUIntLE(27, 3) };
  return { width: null, height: null };
}

const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}$/;

/**
 * The content type to store: the sniffed image type; else the type the client declared, unless it
 * claims a safe image type the bytes do not bear out; else application/octet-stream.
 */
export function contentTypeOf(
  bytes: Buffer,
  declared: string | undefined,
): { contentType: string; width: number | null; height: number | null } {
  const image = sniffImage(bytes);
  if (image) return image;
  const type = (declared ?? '').split(';')[0]!.trim().toLowerCase();
  const claimsSafeImage = (SAFE_IMAGE_TYPES as readonly string[]).includes(type);
  return {
    contentType: MEDIA_TYPE.test(type) && !claimsSafeImage ? type : 'application/octet-stream',
    width: null,
    height: null,
  };
}

/** A file name fit to show and to send back: no path, no control characters, at most 255 characters. */
export function cleanFileName(name: string | undefined): string {
  const base = (name ?? '')
    .split(/[\\/]/)
    .pop()!
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim();
  return [...base].slice(0, 255).join('') || 'file';
}
