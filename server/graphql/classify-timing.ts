import type { ApolloServerPlugin } from '@apollo/server';
import { Kind } from 'graphql';
import { classifySeconds } from '../metrics/metrics';

const TIMED = ['classify', 'classifyBatch'];

/** Times `classify` and `classifyBatch` operations for /metrics, from arrival to response. */
export const classifyTimingPlugin: ApolloServerPlugin = {
  async requestDidStart() {
    const start = performance.now();
    let operation: string | undefined;
    return {
      async didResolveOperation({ operation: op }) {
        const roots = (op?.selectionSet.selections ?? []).flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []));
        operation = TIMED.find((name) => roots.includes(name));
      },
      async willSendResponse({ response }) {
        if (!operation) return;
        const failed = response.body.kind === 'single' && (response.body.singleResult.errors?.length ?? 0) > 0;
        classifySeconds.observe({ operation, outcome: failed ? 'error' : 'ok' }, (performance.now() - start) / 1000);
      },
    };
  },
};
