import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Training runs as a coordinator task (TRAIN_MODEL) that queues one TRAIN_CANDIDATE task per candidate and round. */
export class TrainCandidateTask1795812383412 implements MigrationInterface {
  name = 'TrainCandidateTask1795812383412';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TYPE "public"."task_type" ADD VALUE IF NOT EXISTS 'TRAIN_CANDIDATE' AFTER 'TRAIN_MODEL'`,
    );
  }

  public async down(): Promise<void> {
    // PostgreSQL cannot drop an enum value; an unused one is harmless.
  }
}
