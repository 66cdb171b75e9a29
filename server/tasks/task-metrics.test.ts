import assert from 'node:assert/strict';
import { test } from 'node:test';
import { registry } from '../metrics/metrics';
import { TaskStatus } from './task.entity';
import { taskEnded } from './task-metrics';
import { TaskType } from './task-type';

const value = async (name: string) => (await registry.getSingleMetric(name)!.get()).values[0]?.value;

test('training speed is the mean images/s of the last finished round; failed rounds do not count', async () => {
  taskEnded(TaskType.TRAIN_CANDIDATE, TaskStatus.SUCCEEDED, 30, {
    history: [{ imagesPerSecond: 100 }, { imagesPerSecond: 300 }],
  });
  assert.equal(await value('percept_training_images_per_second'), 200);
  taskEnded(TaskType.TRAIN_CANDIDATE, TaskStatus.FAILED, 5, { history: [{ imagesPerSecond: 1 }] });
  assert.equal(await value('percept_training_images_per_second'), 200);
});
