import type { Component } from 'svelte';
import AdminRunners from './admin/AdminRunners.svelte';
import AdminTask from './admin/AdminTask.svelte';
import AdminRunnerTokens from './admin/AdminRunnerTokens.svelte';
import AdminTasks from './admin/AdminTasks.svelte';
import AdminUsers from './admin/AdminUsers.svelte';
import ApiTokens from './ApiTokens.svelte';
import CreateModel from './CreateModel.svelte';
import LogIn from './LogIn.svelte';
import ModelPage from './model/ModelPage.svelte';
import ModelsList from './ModelsList.svelte';
import SignUp from './SignUp.svelte';

export type Params = Record<string, string>;

/** guest: only when signed out; user: signed in; admin: signed in as an admin. */
export type Access = 'guest' | 'user' | 'admin';

export interface Route {
  path: string;
  title: string;
  access: Access;
  /** Wide tables (the admin's live lists) get more of the screen. */
  wide?: boolean;
  /** Pages under a path with parameters take them as `params`; the rest take no props. */
  component: Component<{ params: Params }> | Component<Record<string, never>>;
}

const ROUTES: Route[] = [
  { path: '/login', title: 'Log in', access: 'guest', component: LogIn },
  { path: '/signup', title: 'Sign up', access: 'guest', component: SignUp },
  { path: '/models', title: 'Models', access: 'user', component: ModelsList },
  { path: '/models/new', title: 'New model', access: 'user', component: CreateModel },
  { path: '/models/:id', title: 'Model', access: 'user', component: ModelPage },
  { path: '/models/:id/:tab', title: 'Model', access: 'user', component: ModelPage },
  { path: '/tokens', title: 'API tokens', access: 'user', component: ApiTokens },
  { path: '/admin/tasks', title: 'Tasks', access: 'admin', component: AdminTasks, wide: true },
  { path: '/admin/tasks/:id', title: 'Task', access: 'admin', component: AdminTask },
  { path: '/admin/runners', title: 'Runners', access: 'admin', component: AdminRunners, wide: true },
  { path: '/admin/users', title: 'Users', access: 'admin', component: AdminUsers },
  { path: '/admin/runner-tokens', title: 'Runner tokens', access: 'admin', component: AdminRunnerTokens },
];

export interface Match {
  route: Route;
  params: Params;
}

export function matchRoute(path: string): Match | null {
  const parts = path.split('/').filter(Boolean);
  for (const route of ROUTES) {
    const pattern = route.path.split('/').filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params: Params = {};
    const fits = pattern.every((p, i) => {
      if (p.startsWith(':')) params[p.slice(1)] = decodeURIComponent(parts[i]);
      return p.startsWith(':') || p === parts[i];
    });
    if (fits) return { route, params };
  }
  return null;
}
