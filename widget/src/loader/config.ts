import { parseWidgetConfig, type WidgetConfig } from '../shared/site-config';

export type ConfigResult = { ok: true; config: WidgetConfig } | { ok: false; reason: string };

/**
 * Asks the portal whether this page may embed `key`. The portal answers the config only to
 * the key's origins (CORS), 403 to other origins and 404 for an unknown key; the origin list
 * is checked here again so a misconfigured proxy cannot widen it.
 */
export async function fetchWidgetConfig(
  portal: string,
  key: string,
  pageOrigin: string,
  fetchImpl: typeof fetch = fetch,
): Promise<ConfigResult> {
  const notAllowed = `widget key "${key}" may not be embedded on ${pageOrigin}: add this origin to the key's allowed origins on the portal.`;
  let response: Response;
  try {
    response = await fetchImpl(`${portal}/api/widget/config?key=${encodeURIComponent(key)}`, {
      credentials: 'omit',
      mode: 'cors',
    });
  } catch {
    return {
      ok: false,
      reason: `could not load widget key "${key}" from ${portal}: the portal is unreachable or does not allow ${pageOrigin}.`,
    };
  }
  if (response.status === 404) return { ok: false, reason: `unknown widget key "${key}" on ${portal}.` };
  if (response.status === 403) return { ok: false, reason: notAllowed };
  if (!response.ok)
    return { ok: false, reason: `${portal} answered ${response.status} for widget key "${key}".` };
  const config = parseWidgetConfig(await response.json().catch(() => null));
  if (!config)
    return { ok: false, reason: `${portal} sent a malformed configuration for widget key "${key}".` };
  if (!config.origins.includes(pageOrigin)) return { ok: false, reason: notAllowed };
  return { ok: true, config };
}
