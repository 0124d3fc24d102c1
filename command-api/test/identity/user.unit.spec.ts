import { evolveUser, initialUserState, type UserEvent } from '@chat/events';
import { describe, it } from 'vitest';
import { decideUser } from '../../src/identity/decide';
import { given } from '../../src/testing/decider-spec';

const users = { initialState: initialUserState, evolve: evolveUser };
const ann = '00000000-0000-4000-a000-000000000001';
const boss = '00000000-0000-4000-a000-000000000002';
const created = (role: 'USER' | 'SUPER_ADMIN' = 'USER'): UserEvent => ({
  type: 'UserCreated',
  data: { userId: ann, email: 'ann@x.io', name: 'Ann', role },
});

describe('user rules', () => {
  it('creates a user', () =>
    given(users)
      .when((s) => decideUser({ type: 'CreateUser', userId: ann, email: 'ann@x.io', name: 'Ann', role: 'USER', by: 'ADMIN' }, s))
      .then([created()]));
  it('creating the same user again changes nothing (idempotent retry)', () =>
    given(users, [created()])
      .when((s) => decideUser({ type: 'CreateUser', userId: ann, email: 'ann@x.io', name: 'Ann', role: 'USER', by: 'ADMIN' }, s))
      .then([]));
  it('a different user under a taken id is a conflict', () =>
    given(users, [created()])
      .when((s) => decideUser({ type: 'CreateUser', userId: ann, email: 'bo@x.io', name: 'Bo', role: 'USER', by: 'ADMIN' }, s))
      .thenThrows('USER_EXISTS', 409));
  it('only a super admin creates a super admin', () =>
    given(users)
      .when((s) => decideUser({ type: 'CreateUser', userId: ann, email: 'a@x.io', name: 'A', role: 'SUPER_ADMIN', by: 'ADMIN' }, s))
      .thenThrows('FORBIDDEN', 403));
  it('changes a role, and not to the same role twice', () => {
    given(users, [created()])
      .when((s) => decideUser({ type: 'ChangeUserRole', userId: ann, role: 'AGENT', by: 'ADMIN', byUserId: boss }, s))
      .then([{ type: 'UserRoleChanged', data: { userId: ann, role: 'AGENT', previousRole: 'USER' } }]);
    given(users, [created()])
      .when((s) => decideUser({ type: 'ChangeUserRole', userId: ann, role: 'USER', by: 'ADMIN', byUserId: boss }, s))
      .then([]);
  });
  it('nobody changes their own role or deactivates themself', () => {
    given(users, [created()])
      .when((s) => decideUser({ type: 'ChangeUserRole', userId: ann, role: 'ADMIN', by: 'ADMIN', byUserId: ann }, s))
      .thenThrows('FORBIDDEN');
    given(users, [created()])
      .when((s) => decideUser({ type: 'DeactivateUser', userId: ann, by: 'ADMIN', byUserId: ann }, s))
      .thenThrows('FORBIDDEN');
  });
  it('an admin cannot manage a super admin', () =>
    given(users, [created('SUPER_ADMIN')])
      .when((s) => decideUser({ type: 'DeactivateUser', userId: ann, by: 'ADMIN', byUserId: boss }, s))
      .thenThrows('FORBIDDEN'));
  it('deactivates once', () => {
    given(users, [created()])
      .when((s) => decideUser({ type: 'DeactivateUser', userId: ann, by: 'ADMIN', byUserId: boss }, s))
      .then([{ type: 'UserDeactivated', data: { userId: ann } }]);
    given(users, [created(), { type: 'UserDeactivated', data: { userId: ann } }])
      .when((s) => decideUser({ type: 'DeactivateUser', userId: ann, by: 'ADMIN', byUserId: boss }, s))
      .then([]);
  });
  it('an unknown user is not found', () =>
    given(users)
      .when((s) => decideUser({ type: 'DeactivateUser', userId: ann, by: 'ADMIN', byUserId: boss }, s))
      .thenThrows('NOT_FOUND', 404));
});
