import type { DataSource } from 'typeorm';
import { KeyedFeed, type FeedKey } from '../events/keyed-feed';
import type { PerceptPubSub } from '../events/pubsub';
import type { Task } from './task.entity';
import { TaskRepository } from './task.repository';

/** Changed tasks, loaded once per event on each server, for every live view of tasks. */
export type TaskFeed = KeyedFeed<Task>;

/** The keys a task reaches subscribers by. */
export const taskKey = {
  /** Admins: every task. */
  all: 'all',
  owner: (userId: string): FeedKey => `owner:${userId}`,
  model: (modelId: string): FeedKey => `model:${modelId}`,
  task: (taskId: string): FeedKey => `task:${taskId}`,
};

function keysOf(t: Task): FeedKey[] {
  const keys = [taskKey.all, taskKey.task(t.id)];
  if (t.ownerId) keys.push(taskKey.owner(t.ownerId));
  if (t.modelId) keys.push(taskKey.model(t.modelId));
  return keys;
}

/** Started once per server; it follows TASK_CHANGED (every server's, through the relay). */
export function startTaskFeed(db: DataSource, pubsub: PerceptPubSub): TaskFeed {
  const repo = new TaskRepository(db);
  const feed = new KeyedFeed<Task>((id) => repo.find(id), keysOf);
  // A failed load (the database away) loses that event; the row's next change brings its latest state.
  void feed.run(pubsub.subscribe('TASK_CHANGED'), () => {});
  return feed;
}
