import { describe, expect, it } from 'vitest';
import { cleanFileName, contentTypeOf, sniffImage } from '../../src/team-chat/attachments/image-info';
import { gif, jpeg, png, webp } from './images';

describe('attachment types come from the bytes', () => {
  it('reads type, width and height of PNG, GIF, JPEG and the three WebP flavours', () => {
    expect(sniffImage(png(640, 480))).toEqual({ contentType: 'image/png', width: 640, height: 480 });
    expect(sniffImage(gif(32, 16))).toEqual({ contentType: 'image/gif', width: 32, height: 16 });
    expect(sniffImage(jpeg(1024, 768))).toEqual({ contentType: 'image/jpeg', width: 1024, height: 768 });
    expect(sniffImage(webp('VP8 ', 300, 200))).toEqual({
      contentType: 'image/webp',
      width: 300,
      height: 200,
    });
    expect(sniffImage(webp('VP8L', 301, 201))).toEqual({
      contentType: 'image/webp',
      width: 301,
      height: 201,
    });
    expect(sniffImage(webp('VP8X', 4000, 3000))).toEqual({
      contentType: 'image/webp',
      width: 4000,
      height: 3000,
    });
  });
  it('never trusts a claimed image type the bytes do not bear out; keeps other declared types', () => {
    const html = Buffer.from('<html><script>alert(1)</script></html>');
    expect(contentTypeOf(html, 'image/png').contentType).toBe('application/octet-stream');
    expect(contentTypeOf(html, 'text/html').contentType).toBe('text/html');
    expect(contentTypeOf(Buffer.from('<svg/>'), 'image/svg+xml').contentType).toBe('image/svg+xml');
    expect(contentTypeOf(Buffer.from('%PDF-1.7'), 'application/pdf; charset=binary').contentType).toBe(
      'application/pdf',
    );
    expect(contentTypeOf(Buffer.from('x'), 'not a type').contentType).toBe('application/octet-stream');
    expect(contentTypeOf(png(2, 3), 'text/plain')).toEqual({ contentType: 'image/png', width: 2, height: 3 });
  });
  it('survives truncated and hostile headers', () => {
    for (let n = 0; n < 40; n++) {
      for (const bytes of [png(1, 1), gif(1, 1), jpeg(1, 1), webp('VP8X', 1, 1)])
        expect(() => sniffImage(bytes.subarray(0, n))).not.toThrow();
    }
    const looping = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x00, 0xff, 0xe0, 0x00, 0x00, 0, 0, 0]);
    expect(sniffImage(looping)).toMatchObject({ contentType: 'image/jpeg' });
  });
  it('cleans file names', () => {
    expect(cleanFileName('../../etc/passwd')).toBe('passwd');
    expect(cleanFileName('C:\\Users\\me\\report.pdf')).toBe('report.pdf');
    expect(cleanFileName('a\u0000b\nc.txt')).toBe('abc.txt');
    expect(cleanFileName('')).toBe('file');
    expect(cleanFileName(undefined)).toBe('file');
    expect([...cleanFileName('é'.repeat(400))]).toHaveLength(255);
  });
});
