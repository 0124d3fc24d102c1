import { isOrigin } from './protocol';

/** What a widget key allows and how it looks: the answer of `GET /api/widget/config?key=`. */
export interface WidgetConfig {
  key: string;
  greeting: string;
  color: string;
  origins: string[];
}

const HEX_COLOR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

/** Only hex colours: the value ends up in CSS, so nothing else gets through. */
export function isHexColor(value: unknown): value is string {
  return typeof value === 'string' && HEX_COLOR.test(value);
}

/** Checks an untrusted config object; null when any field is missing or malformed. */
export function parseWidgetConfig(value: unknown): WidgetConfig | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.key !== 'string' || !v.key) return null;
  if (typeof v.greeting !== 'string') return null;
  if (!isHexColor(v.color)) return null;
  if (!Array.isArray(v.origins) || !v.origins.every(isOrigin)) return null;
  return { key: v.key, greeting: v.greeting, color: v.color, origins: [...v.origins] };
}

/** Black or white, whichever reads better on `hex` (WCAG relative luminance). */
export function textColorOn(hex: string): '#ffffff' | '#0b1220' {
  const full = hex.length === 4 ? hex.replace(/[0-9a-f]/gi, (c) => c + c) : hex;
  const channel = (i: number) => {
    const c = parseInt(full.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  // Contrast against white vs. against near-black; prefer white on ties (brand buttons usually are).
  return 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.056 ? '#ffffff' : '#0b1220';
}
