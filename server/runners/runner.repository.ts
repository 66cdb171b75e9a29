import { In, type DataSource } from 'typeorm';
import { Runner, RunnerKind, RunnerStatus } from './runner.entity';

/** The runners table for the pool and the orchestrator: they record runner state here, not in SQL of their own. */
export class RunnerRepository {
  constructor(private readonly db: DataSource) {}

  /** A local slot's row, reused across restarts so that the admin list does not grow with every start. */
  async startLocal(name: string, nodeId: string): Promise<Runner> {
    const repo = this.db.getRepository(Runner);
    const row =
      (await repo.findOneBy({ name, kind: RunnerKind.LOCAL })) ?? repo.create({ name, kind: RunnerKind.LOCAL, nodeId });
    row.status = RunnerStatus.STARTING;
    row.currentTaskId = null;
    return repo.save(row);
  }

  async recordBackend(id: string, backend: string, device: string): Promise<void> {
    await this.db.getRepository(Runner).update({ id }, { backend, device });
  }

  async setStatus(id: string, status: RunnerStatus, currentTaskId: string | null): Promise<void> {
    await this.db.getRepository(Runner).update({ id }, { status, currentTaskId, lastHeartbeatAt: new Date() });
  }

  /** How many runners there are of each kind and status (the metrics endpoint). */
  async countsByKindAndStatus(): Promise<{ kind: string; status: string; n: number }[]> {
    return this.db.query(`SELECT kind, status, count(*)::int AS n FROM runners GROUP BY kind, status`);
  }

  /** Runners that can take work now: enabled, idle or busy, across every server and remote machine. */
  async working(): Promise<number> {
    return this.db
      .getRepository(Runner)
      .countBy({ status: In([RunnerStatus.IDLE, RunnerStatus.BUSY]), disabled: false });
  }

  /** Runners alive right now (local ones, while their server's loop runs). */
  async heartbeat(ids: string[]): Promise<void> {
    if (!ids.length) return;
    await this.db.query(`UPDATE runners SET "lastHeartbeatAt" = now() WHERE id = ANY($1)`, [ids]);
  }
}
