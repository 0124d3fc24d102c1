import { anyUser, type Issuer } from '../commands/define';

/** Any signed-in user but an auditor: auditors read the history, they never add to it. */
export const anyUserButAuditor = (issuer: Issuer) =>
  anyUser(issuer) && issuer.kind === 'user' && issuer.principal.role !== 'AUDITOR';
