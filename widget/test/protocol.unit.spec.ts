import { describe, expect, it } from 'vitest';
import { isOrigin, readWidgetMessage, widgetMessage } from '../src/shared/protocol';
import { parseWidgetConfig, textColorOn } from '../src/shared/site-config';

const parent = { name: 'parent window' };
const stranger = { name: 'another window' };
const HOST = 'https://shop.example.com';

describe('isOrigin', () => {
  it('accepts exact http(s) origins only', () => {
    expect(isOrigin('https://shop.example.com')).toBe(true);
    expect(isOrigin('http://127.0.0.1:5173')).toBe(true);
    expect(isOrigin('https://shop.example.com/')).toBe(false);
    expect(isOrigin('https://shop.example.com/path')).toBe(false);
    expect(isOrigin('https://SHOP.example.com')).toBe(false);
    expect(isOrigin('https://shop.example.com:443')).toBe(false);
    expect(isOrigin('javascript:alert(1)')).toBe(false);
    expect(isOrigin('null')).toBe(false);
    expect(isOrigin('*')).toBe(false);
    expect(isOrigin(42)).toBe(false);
  });
});

describe('readWidgetMessage', () => {
  const event = (origin: string, source: unknown, data: unknown) =>
    ({ origin, source, data }) as MessageEvent;

  it('accepts a well-formed message from the expected origin and window', () => {
    expect(readWidgetMessage(event(HOST, parent, widgetMessage('open')), HOST, parent)).toEqual({
      channel: 'portal-chat',
      type: 'open',
    });
    expect(readWidgetMessage(event(HOST, parent, widgetMessage('unread', 3)), HOST, parent)).toMatchObject({
      type: 'unread',
      count: 3,
    });
  });

  it('ignores messages from any other origin, even a look-alike', () => {
    for (const origin of [
      'https://evil.example',
      'https://shop.example.com.evil.example',
      'http://shop.example.com',
      'null',
      '',
    ]) {
      expect(readWidgetMessage(event(origin, parent, widgetMessage('open')), HOST, parent)).toBeNull();
    }
  });

  it('ignores messages from another window of the right origin', () => {
    expect(readWidgetMessage(event(HOST, stranger, widgetMessage('close')), HOST, parent)).toBeNull();
    expect(readWidgetMessage(event(HOST, null, widgetMessage('close')), HOST, null)).toBeNull();
  });

  it('never trusts an empty expected origin', () => {
    expect(readWidgetMessage(event('', parent, widgetMessage('open')), '', parent)).toBeNull();
  });

  it('ignores malformed or foreign payloads', () => {
    for (const data of [
      null,
      'open',
      { type: 'open' },
      { channel: 'other', type: 'open' },
      { channel: 'portal-chat', type: 'token', token: 'x' },
      { channel: 'portal-chat', type: 'unread', count: -1 },
      { channel: 'portal-chat', type: 'unread', count: '2' },
      { channel: 'portal-chat', type: 'resize', expanded: 'yes' },
    ]) {
      expect(readWidgetMessage(event(HOST, parent, data), HOST, parent)).toBeNull();
    }
  });

  it('copies only the known fields', () => {
    const message = readWidgetMessage(
      event(HOST, parent, { channel: 'portal-chat', type: 'resize', expanded: true, extra: 'x' }),
      HOST,
      parent,
    );
    expect(message).toEqual({ channel: 'portal-chat', type: 'resize', expanded: true });
  });
});

describe('widget config', () => {
  it('parses a valid config and rejects bad colours or origins', () => {
    const good = { key: 'demo', greeting: 'Hi', color: '#2563eb', origins: [HOST] };
    expect(parseWidgetConfig(good)).toEqual(good);
    expect(parseWidgetConfig({ ...good, color: 'red;background:url(x)' })).toBeNull();
    expect(parseWidgetConfig({ ...good, origins: ['https://x.example/path'] })).toBeNull();
    expect(parseWidgetConfig({ ...good, key: '' })).toBeNull();
    expect(parseWidgetConfig(null)).toBeNull();
  });

  it('picks a readable text colour for the brand colour', () => {
    expect(textColorOn('#2563eb')).toBe('#ffffff');
    expect(textColorOn('#0f766e')).toBe('#ffffff');
    expect(textColorOn('#facc15')).toBe('#0b1220');
    expect(textColorOn('#fff')).toBe('#0b1220');
  });
});
