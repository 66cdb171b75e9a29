import assert from 'node:assert/strict';
import { test } from 'node:test';
import { publicPayload, publicResult } from './task.presenter';

test('clients see payloads and results without server paths, node ids or storage keys', () => {
  const payload = {
    modelId: 'm',
    uploadPath: '/srv/percept/uploads/abc.zip',
    nodeId: 'node-1',
    filename: 'data.zip',
    heads: [{ headId: 'h', artifactKey: 'models/m/heads/h', fromKey: null, epochs: 3 }],
  };
  assert.deepEqual(publicPayload({ payload }), {
    modelId: 'm',
    filename: 'data.zip',
    heads: [{ headId: 'h', epochs: 3 }],
  });
  const result = { promoted: 'c', artifactKey: 'models/m/candidates/c/model', split: { baseKey: 'b', maxAbsDiff: 0 } };
  assert.deepEqual(publicResult({ result }), { promoted: 'c', split: { maxAbsDiff: 0 } });
  assert.equal(publicResult({ result: null }), null);
});
