import { beforeEach, describe, expect, it, vi } from 'vitest';
import { effectScope } from 'vue';
import type { Attachment } from '../../api/types';

vi.mock('../../api/attachments', () => ({ uploadAttachment: vi.fn() }));
const { uploadAttachment } = await import('../../api/attachments');
const { useAttachmentUploads } = await import('./useAttachmentUploads');

type Options = { onProgress?: (fraction: number) => void; signal?: AbortSignal };

function file(name: string, type = 'application/pdf'): File {
  return new File(['%PDF-1.4'], name, { type });
}

describe('useAttachmentUploads', () => {
  beforeEach(() => vi.resetAllMocks());

  it('uploads at once with progress and hands over only finished files', async () => {
    let finish!: (attachment: Attachment) => void;
    let report!: (fraction: number) => void;
    vi.mocked(uploadAttachment).mockImplementationOnce((_file: File, options: Options = {}) => {
      report = options.onProgress!;
      return new Promise((resolve) => (finish = resolve));
    });
    const scope = effectScope();
    const uploads = scope.run(() => useAttachmentUploads())!;
    uploads.add([file('quote.pdf')]);
    expect(uploads.busy.value).toBe(true);

    report(0.5);
    expect(uploads.uploads[0]!.progress).toBe(0.5);
    finish({ id: 'a1', name: 'quote.pdf', size: 8, contentType: 'application/pdf' });
    await Promise.resolve();
    await Promise.resolve();
    expect(uploads.busy.value).toBe(false);
    expect(uploads.ready.value).toBe(true);
    expect(uploads.take()).toEqual([
      { id: 'a1', name: 'quote.pdf', size: 8, contentType: 'application/pdf' },
    ]);
    expect(uploads.uploads).toHaveLength(0);
    scope.stop();
  });

  it('cancels an upload removed before it finished', () => {
    let signal: AbortSignal | undefined;
    vi.mocked(uploadAttachment).mockImplementationOnce((_file: File, options: Options = {}) => {
      signal = options.signal;
      return new Promise(() => undefined);
    });
    const scope = effectScope();
    const uploads = scope.run(() => useAttachmentUploads())!;
    uploads.add([file('big.pdf')]);
    uploads.remove(uploads.uploads[0]!.localId);
    expect(signal?.aborted).toBe(true);
    expect(uploads.uploads).toHaveLength(0);
    scope.stop();
  });

  it('keeps a failed upload visible with its reason', async () => {
    vi.mocked(uploadAttachment).mockRejectedValueOnce(new Error('The file is too large'));
    const scope = effectScope();
    const uploads = scope.run(() => useAttachmentUploads())!;
    uploads.add([file('huge.pdf')]);
    await Promise.resolve();
    await Promise.resolve();
    expect(uploads.uploads[0]).toMatchObject({ status: 'failed', error: 'The file is too large' });
    expect(uploads.take()).toEqual([]);
    scope.stop();
  });
});
