import { startFakePortal } from './support/servers';
import { widgetScenarios } from './support/scenarios';

// The browser scenarios against an in-memory stand-in of the widget API: they check the widget
// itself (loader, iframe, storage, retries) independently of the backend. widget.e2e.spec.ts runs
// the same scenarios against the real all-in-one server.
widgetScenarios('widget in Chromium, with a stand-in widget API', {
  start: async (hostPort) => {
    const portal = await startFakePortal((port) => [
      {
        key: 'demo',
        origins: [`http://127.0.0.1:${hostPort}`, `http://localhost:${port}`],
        greeting: 'Hi! How can we help?',
        color: '#2563eb',
      },
    ]);
    return {
      portal: portal.origin,
      agentJoins: async (sessionId) => portal.api.agentJoins(sessionId, 'Mitch'),
      agentSays: async (sessionId, body) => portal.api.agentSays(sessionId, body),
      stop: () => portal.close(),
    };
  },
});
