import { runService } from './run';

runService('command-api', { commands: true, queries: false, projections: false, web: false });
