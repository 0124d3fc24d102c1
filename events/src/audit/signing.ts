import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from '../store/canonical-json';
import type { ChainCheckpointData } from './events';

/**
 * The key that signs chain checkpoints: HKDF-SHA256 of the deployment secret, for this one
 * purpose, so that neither the secret nor the data keys it wraps can be learned from a signature.
 */
export class CheckpointSigner {
  private readonly key: Buffer;
  /** Names the key in each checkpoint (a hash of the derived key, never the key). */
  readonly keyId: string;

  constructor(deploymentSecret: Buffer) {
    this.key = Buffer.from(
      hkdfSync('sha256', deploymentSecret, 'portal-audit', 'chain-checkpoint-signing/v1', 32),
    );
    this.keyId = createHash('sha256').update(this.key).digest('hex').slice(0, 16);
  }

  sign(checkpoint: Omit<ChainCheckpointData, 'signature' | 'keyId'>): ChainCheckpointData {
    const unsigned = { ...checkpoint, keyId: this.keyId };
    return { ...unsigned, signature: this.mac(unsigned) };
  }

  /** 'valid', 'invalid' (altered or forged), or 'unknown-key' (signed under another secret). */
  check(checkpoint: ChainCheckpointData): 'valid' | 'invalid' | 'unknown-key' {
    if (checkpoint.keyId !== this.keyId) return 'unknown-key';
    const { signature, ...unsigned } = checkpoint;
    const expected = Buffer.from(this.mac(unsigned), 'hex');
    const given = Buffer.from(signature, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected) ? 'valid' : 'invalid';
  }

  private mac(unsigned: Omit<ChainCheckpointData, 'signature'>): string {
    return createHmac('sha256', this.key).update(canonicalJson(unsigned)).digest('hex');
  }
}
