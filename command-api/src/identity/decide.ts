import type { Role, UserEvent, UserState } from '@chat/events';
import { ConflictError, ForbiddenError, NotFoundError } from '@chat/platform';

export type UserCommand =
  | { type: 'CreateUser'; userId: string; email: string; name: string; role: Role; by: Role }
  | { type: 'ChangeUserRole'; userId: string; role: Role; by: Role; byUserId: string }
  | { type: 'DeactivateUser'; userId: string; by: Role; byUserId: string }
  | { type: 'ChangePassword'; userId: string };

/** Only a SUPER_ADMIN may create, promote to or manage another SUPER_ADMIN. */
function mayManage(by: Role, role: Role): boolean {
  return by === 'SUPER_ADMIN' || role !== 'SUPER_ADMIN';
}

/** The rules of a user account. Pure: state and command in, events out. */
export function decideUser(command: UserCommand, state: UserState): UserEvent[] {
  switch (command.type) {
    case 'CreateUser': {
      if (!mayManage(command.by, command.role)) throw new ForbiddenError('Only a super admin may create a super admin');
      if (state.status !== 'absent') {
        if (state.email === command.email) return [];
        throw new ConflictError('USER_EXISTS', 'A user with this id already exists');
      }
      const { userId, email, name, role } = command;
      return [{ type: 'UserCreated', data: { userId, email, name, role } }];
    }
    case 'ChangeUserRole': {
      if (state.status === 'absent') throw new NotFoundError('No such user');
      if (command.userId === command.byUserId) throw new ForbiddenError('You cannot change your own role');
      if (!mayManage(command.by, state.role) || !mayManage(command.by, command.role))
        throw new ForbiddenError('Only a super admin may manage super admins');
      if (state.role === command.role) return [];
      return [{ type: 'UserRoleChanged', data: { userId: command.userId, role: command.role, previousRole: state.role } }];
    }
    case 'DeactivateUser': {
      if (state.status === 'absent') throw new NotFoundError('No such user');
      if (command.userId === command.byUserId) throw new ForbiddenError('You cannot deactivate yourself');
      if (!mayManage(command.by, state.role)) throw new ForbiddenError('Only a super admin may deactivate a super admin');
      if (state.status === 'deactivated') return [];
      return [{ type: 'UserDeactivated', data: { userId: command.userId } }];
    }
    case 'ChangePassword': {
      if (state.status !== 'active') throw new NotFoundError('No such user');
      return [{ type: 'UserPasswordChanged', data: { userId: command.userId } }];
    }
  }
}
