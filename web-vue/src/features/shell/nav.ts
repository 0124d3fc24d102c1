import type { IconName } from '../../components/icons';
import type { Area } from '../auth/permissions';

export interface NavItem {
  to: string;
  label: string;
  short: string;
  icon: IconName;
  area: Area;
  testid: string;
}

export const NAV_ITEMS: NavItem[] = [
  {
    to: '/messages',
    label: 'Team chat',
    short: 'Team',
    icon: 'teamChat',
    area: 'teamChat',
    testid: 'nav-team-chat',
  },
  {
    to: '/chat',
    label: 'Live chat',
    short: 'Live',
    icon: 'liveChat',
    area: 'liveChat',
    testid: 'nav-live-chat',
  },
  {
    to: '/helpdesk',
    label: 'Helpdesk',
    short: 'Tickets',
    icon: 'ticket',
    area: 'helpdesk',
    testid: 'nav-helpdesk',
  },
  { to: '/kb', label: 'Knowledge base', short: 'Articles', icon: 'book', area: 'kb', testid: 'nav-kb' },
  { to: '/users', label: 'Users', short: 'Users', icon: 'userCog', area: 'users', testid: 'nav-users' },
  { to: '/audit', label: 'Audit', short: 'Audit', icon: 'shield', area: 'audit', testid: 'nav-audit' },
];
