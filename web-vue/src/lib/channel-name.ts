/**
 * The conventional channel name: lowercase, words joined by single hyphens, letters,
 * digits and hyphens only ("Proj 014 Carms Court" -> "proj-014-carms-court").
 */
export function normalizeChannelName(input: string): string {
  return input
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80)
    .replace(/-$/, '');
}
