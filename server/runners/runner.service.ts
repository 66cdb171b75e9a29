import type { DataSource } from 'typeorm';
import { BadUserInputError, NotFoundError } from '../errors';
import { KeyedFeed } from '../events/keyed-feed';
import type { PerceptPubSub } from '../events/pubsub';
import { isUuid } from '../db/ids';
import type { LocalPool } from './local-pool';
import { Runner, RunnerKind, RunnerStatus } from './runner.entity';

/** The admin's view of the pool. */
export class RunnerService {
  /** Changed runners, loaded once per event whatever the number of admin subscribers. */
  private readonly feed: KeyedFeed<Runner>;

  constructor(
    private readonly db: DataSource,
    private readonly pubsub: PerceptPubSub,
    private readonly pool: () => LocalPool | null,
  ) {
    this.feed = new KeyedFeed<Runner>(
      (id) => db.getRepository(Runner).findOneBy({ id }),
      () => ['all'],
    );
    void this.feed.run(pubsub.subscribe('RUNNER_CHANGED'), () => {});
  }

  list(): Promise<Runner[]> {
    return this.db.getRepository(Runner).find({ order: { kind: 'ASC', name: 'ASC' } });
  }

  async get(id: string): Promise<Runner> {
    const runner = isUuid(id) ? await this.db.getRepository(Runner).findOneBy({ id }) : null;
    if (!runner) throw new NotFoundError('No such runner.');
    return runner;
  }

  async setDisabled(id: string, disabled: boolean): Promise<Runner> {
    const runner = await this.get(id);
    runner.disabled = disabled;
    await this.db.getRepository(Runner).update({ id }, { disabled });
    this.pool()?.setDisabled(id, disabled);
    this.changed(id);
    return runner;
  }

  /** Kills a local runner's process; the pool restarts it and its task is retried. */
  async restart(id: string): Promise<Runner> {
    const runner = await this.get(id);
    const pool = this.pool();
    if (runner.kind !== RunnerKind.LOCAL)
      throw new BadUserInputError(
        'Only local runners can be restarted from here; restart a remote runner on its machine.',
      );
    if (!pool?.has(id))
      throw new BadUserInputError(
        `Runner ${runner.name} belongs to another server (${runner.nodeId}); restart it there.`,
      );
    pool.restart(id);
    return { ...runner, status: RunnerStatus.STARTING };
  }

  subscribe(): AsyncIterable<Runner> {
    return this.feed.subscribe('all');
  }

  changed(id: string): void {
    this.pubsub.publish('RUNNER_CHANGED', id);
  }
}
