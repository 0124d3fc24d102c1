import { defineStore } from 'pinia';
import { ref } from 'vue';
import * as api from '../../api/users';
import type { Role, User } from '../../api/types';
import { newId } from '../../composables/ids';

export const useUsersStore = defineStore('users', () => {
  const users = ref<User[]>([]);
  const loaded = ref(false);

  async function load(): Promise<void> {
    users.value = (await api.listUsers({ includeInactive: true })).items;
    loaded.value = true;
  }

  async function create(input: {
    email: string;
    name: string;
    role: Role;
    password: string;
  }): Promise<string> {
    const userId = newId();
    await api.createUser({ userId, ...input });
    await load();
    return userId;
  }

  async function changeRole(userId: string, role: Role): Promise<void> {
    await api.changeUserRole({ userId, role });
    await load();
  }

  async function deactivate(userId: string): Promise<void> {
    await api.deactivateUser({ userId });
    await load();
  }

  return { users, loaded, load, create, changeRole, deactivate };
});
