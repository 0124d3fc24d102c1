/// <reference types="vite/client" />
import 'vue-router';
import type { Area } from './features/auth/permissions';

declare module 'vue-router' {
  interface RouteMeta {
    /** Shown in the tab title and the narrow-screen top bar. */
    title?: string;
    /** Who may open the route; none means any signed-in user. */
    area?: Area;
    /** Reachable without signing in. */
    public?: boolean;
  }
}
