import { runService } from './run';

runService('query-api', { commands: false, queries: true, projections: false, web: 'if-built' });
