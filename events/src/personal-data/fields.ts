import type { EventCatalogue } from '../catalogue/catalogue';
import { openText, seal } from './cipher';
import { ERASED, type KeyVault } from './vault';

/** How an encrypted field is stored in place of its plain string. */
interface EncryptedField {
  $pd: string;
  v: string;
}

function isEncrypted(value: unknown): value is EncryptedField {
  return typeof value === 'object' && value !== null && '$pd' in value && 'v' in value;
}

/** Replaces the personal fields of an event's data with their encrypted form. */
export async function encryptPersonalData(
  catalogue: EventCatalogue,
  vault: KeyVault,
  type: string,
  data: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const spec = catalogue.get(type).personalData;
  if (!spec) return data;
  const subject = spec.subject(data as never);
  const key = await vault.keyForWriting(subject);
  const stored: Record<string, unknown> = { ...data };
  for (const field of spec.fields) {
    const value = data[field];
    if (typeof value !== 'string') continue;
    stored[field] = key ? { $pd: subject, v: seal(key, Buffer.from(value, 'utf8')) } : ERASED;
  }
  return stored;
}

/** Subjects whose keys are needed to read these stored data objects. */
export function subjectsOf(datas: Iterable<Record<string, unknown>>): string[] {
  const subjects = new Set<string>();
  for (const data of datas) for (const value of Object.values(data)) if (isEncrypted(value)) subjects.add(value.$pd);
  return [...subjects];
}

/** Plain data back from the stored form; fields of erased subjects read as "[erased]". */
export function decryptPersonalData(data: Record<string, unknown>, keys: Map<string, Buffer>): Record<string, unknown> {
  let plain: Record<string, unknown> | null = null;
  for (const [field, value] of Object.entries(data)) {
    if (!isEncrypted(value)) continue;
    plain ??= { ...data };
    const key = keys.get(value.$pd);
    plain[field] = key ? openText(key, value.v) : ERASED;
  }
  return plain ?? data;
}
