import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The id of the HTTP request that queued a task, as in the request's log lines. */
export class TaskRequestId1796240079809 implements MigrationInterface {
  name = 'TaskRequestId1796240079809';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "tasks" ADD "requestId" text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "tasks" DROP COLUMN "requestId"`);
  }
}
