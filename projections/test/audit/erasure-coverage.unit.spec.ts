import { catalogue } from '@chat/events';
import { describe, expect, it } from 'vitest';
import { allProjectors } from '../../src/index';

/** Event types whose data holds someone's personal fields (encrypted under their key). */
const personal = catalogue.types().filter((type) => catalogue.get(type).personalData);

describe('every read model that copies personal data forgets it on erasure', () => {
  it('knows which events carry personal data', () => {
    expect(personal).toEqual(
      expect.arrayContaining(['UserCreated', 'MessagePosted', 'VisitorSessionStarted', 'AgentMessagePosted']),
    );
  });

  it('a projector handling any of them also handles PersonalDataErased (see projections/src/audit/erasure.ts)', () => {
    const missing = allProjectors
      .filter(
        (p) => p.handles.some((type) => personal.includes(type)) && !p.handles.includes('PersonalDataErased'),
      )
      .map((p) => p.name);
    expect(missing).toEqual([]);
  });
});
