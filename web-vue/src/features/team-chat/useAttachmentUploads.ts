import { computed, getCurrentScope, onScopeDispose, reactive } from 'vue';
import { uploadAttachment } from '../../api/attachments';
import type { Attachment } from '../../api/types';

export interface Upload {
  localId: number;
  name: string;
  size: number;
  isImage: boolean;
  previewUrl: string | null;
  progress: number;
  status: 'uploading' | 'done' | 'failed';
  error: string | null;
  attachment: Attachment | null;
  controller: AbortController;
}

let counter = 0;

/** Files picked in the composer: uploaded at once with progress, removable (and cancelled) before sending. */
export function useAttachmentUploads() {
  const uploads = reactive<Upload[]>([]);

  function add(files: Iterable<File>): void {
    for (const file of files) {
      const isImage = file.type.startsWith('image/');
      const upload = reactive<Upload>({
        localId: ++counter,
        name: file.name,
        size: file.size,
        isImage,
        previewUrl: isImage && typeof URL.createObjectURL === 'function' ? URL.createObjectURL(file) : null,
        progress: 0,
        status: 'uploading',
        error: null,
        attachment: null,
        controller: new AbortController(),
      });
      uploads.push(upload);
      uploadAttachment(file, { onProgress: (p) => (upload.progress = p), signal: upload.controller.signal })
        .then((attachment) => {
          upload.attachment = attachment;
          upload.status = 'done';
        })
        .catch((error: unknown) => {
          if (error instanceof DOMException && error.name === 'AbortError') return;
          upload.status = 'failed';
          upload.error = error instanceof Error ? error.message : 'Upload failed';
        });
    }
  }

  function release(upload: Upload): void {
    if (upload.previewUrl) URL.revokeObjectURL(upload.previewUrl);
  }

  function remove(localId: number): void {
    const index = uploads.findIndex((u) => u.localId === localId);
    if (index < 0) return;
    const [upload] = uploads.splice(index, 1);
    if (upload) {
      if (upload.status === 'uploading') upload.controller.abort();
      release(upload);
    }
  }

  /** Hands over the finished attachments and empties the tray. */
  function take(): Attachment[] {
    const done = uploads
      .filter((u) => u.status === 'done' && u.attachment)
      .map((u) => u.attachment as Attachment);
    clear();
    return done;
  }

  function clear(): void {
    for (const upload of uploads.splice(0)) {
      if (upload.status === 'uploading') upload.controller.abort();
      release(upload);
    }
  }

  if (getCurrentScope()) onScopeDispose(clear);

  return {
    uploads,
    add,
    remove,
    take,
    clear,
    busy: computed(() => uploads.some((u) => u.status === 'uploading')),
    ready: computed(() => uploads.some((u) => u.status === 'done')),
  };
}
