/**
 * The messages the host-page loader and the chat iframe exchange with postMessage.
 * Only these four kinds exist; nothing else (in particular no token, no message text)
 * ever crosses the frame boundary.
 */
export const CHANNEL = 'portal-chat';

/** Loader -> chat: the panel was opened or closed. Chat -> loader: please close (minimize). */
export type VisibilityMessage = { channel: typeof CHANNEL; type: 'open' | 'close' };
/** Chat -> loader: agent/bot messages the visitor has not seen yet. */
export type UnreadMessage = { channel: typeof CHANNEL; type: 'unread'; count: number };
/** Chat -> loader: give the panel more room (article reader) or the usual size. */
export type ResizeMessage = { channel: typeof CHANNEL; type: 'resize'; expanded: boolean };

export type WidgetMessage = VisibilityMessage | UnreadMessage | ResizeMessage;

/** True when `value` is exactly an origin (`scheme://host[:port]`, http or https, no path). */
export function isOrigin(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

function parse(data: unknown): WidgetMessage | null {
  if (typeof data !== 'object' || data === null) return null;
  const m = data as Record<string, unknown>;
  if (m.channel !== CHANNEL) return null;
  switch (m.type) {
    case 'open':
    case 'close':
      return { channel: CHANNEL, type: m.type };
    case 'unread':
      return typeof m.count === 'number' && Number.isInteger(m.count) && m.count >= 0 && m.count < 1e6
        ? { channel: CHANNEL, type: 'unread', count: m.count }
        : null;
    case 'resize':
      return typeof m.expanded === 'boolean'
        ? { channel: CHANNEL, type: 'resize', expanded: m.expanded }
        : null;
    default:
      return null;
  }
}

/**
 * Accepts a MessageEvent only when it comes from the expected window AND the expected origin
 * and carries a well-formed widget message; anything else is ignored (returns null).
 */
export function readWidgetMessage(
  event: Pick<MessageEvent, 'origin' | 'source' | 'data'>,
  expectedOrigin: string,
  expectedSource: unknown,
): WidgetMessage | null {
  if (!expectedOrigin || event.origin !== expectedOrigin) return null;
  if (expectedSource == null || event.source !== expectedSource) return null;
  return parse(event.data);
}

export function widgetMessage(type: 'open' | 'close'): VisibilityMessage;
export function widgetMessage(type: 'unread', count: number): UnreadMessage;
export function widgetMessage(type: 'resize', expanded: boolean): ResizeMessage;
export function widgetMessage(type: WidgetMessage['type'], arg?: number | boolean): WidgetMessage {
  if (type === 'unread') return { channel: CHANNEL, type, count: Number(arg) };
  if (type === 'resize') return { channel: CHANNEL, type, expanded: Boolean(arg) };
  return { channel: CHANNEL, type };
}
