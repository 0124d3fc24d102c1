import { runService } from './run';

runService('projections', { commands: false, queries: false, projections: true, web: false });
