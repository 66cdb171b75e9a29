import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Expandable models: EXPAND_MODEL coordinates head training; a head records which global classes
 * its outputs are, whether it has a "none of mine" output, the task that trained it and its metrics.
 */
export class ExpandableHeads1795820412000 implements MigrationInterface {
  name = 'ExpandableHeads1795820412000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TYPE "public"."task_type" ADD VALUE IF NOT EXISTS 'EXPAND_MODEL' AFTER 'SPLIT_MODEL'`,
    );
    await queryRunner.query(`ALTER TABLE "heads" ADD "classIndexes" integer array NOT NULL DEFAULT '{}'`);
    await queryRunner.query(`ALTER TABLE "heads" ADD "noneOutput" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "heads" ADD "taskId" uuid`);
    await queryRunner.query(`ALTER TABLE "heads" ADD "metrics" jsonb NOT NULL DEFAULT '{}'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "heads" DROP COLUMN "metrics"`);
    await queryRunner.query(`ALTER TABLE "heads" DROP COLUMN "taskId"`);
    await queryRunner.query(`ALTER TABLE "heads" DROP COLUMN "noneOutput"`);
    await queryRunner.query(`ALTER TABLE "heads" DROP COLUMN "classIndexes"`);
    // PostgreSQL cannot drop an enum value; an unused one is harmless.
  }
}
