import { randomUUID } from 'node:crypto';
import { demoUserId } from '@chat/app';
import { startTestSystem, type ApiClient, type TestSystem } from '@chat/app/testing/test-system';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shareWrites } from './helpers';
import { png } from './images';

/* eslint-disable @typescript-eslint/no-explicit-any -- answers are whatever the API sent */

const MAX = 100_000;

describe.each(['fs', 'postgres'] as const)('attachments with the %s blob store', (blobStore) => {
  let t: TestSystem;
  let emma: ApiClient;
  let mitch: ApiClient;
  let jamie: ApiClient;

  beforeAll(async () => {
    t = await startTestSystem({ env: { BLOB_STORE: blobStore, ATTACHMENT_MAX_BYTES: String(MAX) } });
    [emma, mitch, jamie] = (await Promise.all(
      ['emma', 'mitch', 'jamie'].map((u) => t.login(`${u}@demo.local`)),
    )) as [ApiClient, ApiClient, ApiClient];
    shareWrites([emma, mitch, jamie]);
  });
  afterAll(async () => t?.close());

  async function upload(client: ApiClient, bytes: Buffer, name: string, type = 'application/octet-stream') {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
    const response = await fetch(`${t.url}/api/attachments`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${client.token}` },
    });
    return { status: response.status, body: (await response.json()) as any };
  }
  async function download(client: ApiClient, id: string, headers: Record<string, string> = {}) {
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(`${t.url}/api/attachments/${id}`, {
        headers: {
          authorization: `Bearer ${client.token}`,
          ...(client.lastPosition ? { 'x-min-position': client.lastPosition } : {}),
          ...headers,
        },
      });
      if (response.headers.get('x-stale') !== 'true' || attempt >= 15) return response;
    }
  }

  async function channel(visibility: 'public' | 'private') {
    const channelId = randomUUID();
    await emma.command('CreateChannel', { channelId, name: `files-${randomUUID().slice(0, 8)}`, visibility });
    return channelId;
  }

  it('uploads an image: type sniffed from the bytes, width and height; attached to a message; downloaded inline', async () => {
    const image = Buffer.concat([png(64, 48), Buffer.alloc(100, 7)]);
    const uploaded = await upload(emma, image, 'photo.bin', 'text/html');
    expect(uploaded.status).toBe(200);
    expect(uploaded.body).toEqual({
      id: expect.any(String),
      name: 'photo.bin',
      size: image.length,
      contentType: 'image/png',
      width: 64,
      height: 48,
    });
    const channelId = await channel('public');
    const messageId = randomUUID();
    expect(
      (
        await emma.command('PostMessage', {
          channelId,
          messageId,
          body: 'look',
          attachmentIds: [uploaded.body.id],
        })
      ).status,
    ).toBe(200);
    const { items } = (await jamie.get(`/api/channels/${channelId}/messages`)).body;
    expect(items[0].attachments).toEqual([uploaded.body]);
    const response = await download(jamie, uploaded.body.id);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
    expect(response.headers.get('content-disposition')).toMatch(/^inline; filename="photo.bin"/);
    expect(Buffer.from(await response.arrayBuffer()).equals(image)).toBe(true);
    const etag = response.headers.get('etag')!;
    expect((await download(jamie, uploaded.body.id, { 'if-none-match': etag })).status).toBe(304);
  });

  it('anything not a safe raster image downloads as an attachment, never rendered in our origin', async () => {
    const channelId = await channel('public');
    for (const [name, type, bytes] of [
      ['page.html', 'text/html', '<script>alert(document.cookie)</script>'],
      ['logo.svg', 'image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'],
      ['fake.png', 'image/png', '<html>not a png</html>'],
    ] as const) {
      const uploaded = await upload(emma, Buffer.from(bytes), name, type);
      expect(uploaded.status).toBe(200);
      await emma.command('PostMessage', {
        channelId,
        messageId: randomUUID(),
        body: name,
        attachmentIds: [uploaded.body.id],
      });
      const response = await download(emma, uploaded.body.id);
      expect(response.headers.get('content-disposition'), name).toMatch(/^attachment; filename="/);
      expect(response.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      if (name === 'fake.png') expect(response.headers.get('content-type')).toBe('application/octet-stream');
    }
  });

  it('refuses files over the limit with 413 and the JSON error shape, and empty or missing files with 400', async () => {
    const tooBig = await upload(emma, Buffer.alloc(MAX + 1, 1), 'big.bin');
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    const wayTooBig = await upload(emma, Buffer.alloc(MAX * 3, 1), 'huge.bin');
    expect(wayTooBig.status).toBe(413);
    expect(wayTooBig.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await upload(emma, Buffer.alloc(MAX, 1), 'just-fits.bin')).status).toBe(200);
    expect((await upload(emma, Buffer.alloc(0), 'empty.txt')).status).toBe(400);
    const form = new FormData();
    form.append('other', new Blob(['x']), 'x.txt');
    const wrongField = await fetch(`${t.url}/api/attachments`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${emma.token}` },
    });
    expect(wrongField.status).toBe(400);
    const json = await emma.request('POST', '/api/attachments', { file: 'x' });
    expect(json.status).toBeGreaterThanOrEqual(400);
    expect(json.status).toBeLessThan(500);
    expect((await t.anonymous.request('POST', '/api/attachments')).status).toBe(401);
  });

  it('only the uploader attaches a file, to one message only (a retry of that message may)', async () => {
    const channelId = await channel('public');
    await mitch.command('JoinChannel', { channelId });
    const uploaded = await upload(emma, Buffer.from('notes'), 'notes.txt', 'text/plain');
    const stolen = await mitch.command('PostMessage', {
      channelId,
      messageId: randomUUID(),
      body: 'mine now',
      attachmentIds: [uploaded.body.id],
    });
    expect(stolen.status).toBe(400);
    expect(stolen.body.error.code).toBe('ATTACHMENT_UNAVAILABLE');
    const messageId = randomUUID();
    const first = await emma.command('PostMessage', {
      channelId,
      messageId,
      body: 'notes',
      attachmentIds: [uploaded.body.id],
    });
    expect(first.status).toBe(200);
    const retry = await emma.command('PostMessage', {
      channelId,
      messageId,
      body: 'notes',
      attachmentIds: [uploaded.body.id],
    });
    expect(retry.status).toBe(200);
    expect(retry.body.position).toBe(first.body.position);
    const twice = await emma.command('PostMessage', {
      channelId,
      messageId: randomUUID(),
      body: 'again',
      attachmentIds: [uploaded.body.id],
    });
    expect(twice.status).toBe(400);
    expect(
      (
        await emma.command('PostMessage', {
          channelId,
          messageId: randomUUID(),
          body: 'x',
          attachmentIds: [randomUUID()],
        })
      ).status,
    ).toBe(400);
  });

  it('downloads are authorized like the conversation: 404 to outsiders, after leaving, and once deleted', async () => {
    const channelId = await channel('private');
    await emma.command('AddChannelMember', { channelId, userId: demoUserId('mitch') });
    const uploaded = await upload(emma, Buffer.from('secret'), 'secret.txt', 'text/plain');
    expect((await download(emma, uploaded.body.id)).status).toBe(404); // not attached to anything yet
    const messageId = randomUUID();
    await emma.command('PostMessage', {
      channelId,
      messageId,
      body: 'secret',
      attachmentIds: [uploaded.body.id],
    });
    expect((await download(mitch, uploaded.body.id)).status).toBe(200);
    expect((await download(jamie, uploaded.body.id)).status).toBe(404);
    expect((await fetch(`${t.url}/api/attachments/${uploaded.body.id}`)).status).toBe(401);
    await mitch.command('LeaveChannel', { channelId });
    expect((await download(mitch, uploaded.body.id)).status).toBe(404);
    await emma.command('DeleteMessage', { messageId });
    expect((await download(emma, uploaded.body.id)).status).toBe(404);

    const other = await upload(emma, Buffer.from('more'), 'more.txt', 'text/plain');
    await emma.command('PostMessage', {
      channelId,
      messageId: randomUUID(),
      body: 'more',
      attachmentIds: [other.body.id],
    });
    expect((await download(emma, other.body.id)).status).toBe(200);
    await emma.command('DeleteChannel', { channelId });
    expect((await download(emma, other.body.id)).status).toBe(404);
    expect((await download(emma, 'not-a-uuid')).status).toBe(400);
  });
});
