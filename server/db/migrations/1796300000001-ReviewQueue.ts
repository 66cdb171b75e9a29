import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The review queue: what a kept classified image was answered, and keeping unsure ones. */
export class ReviewQueue1796300000001 implements MigrationInterface {
  name = 'ReviewQueue1796300000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "images" ADD "prediction" jsonb`);
    await queryRunner.query(`ALTER TABLE "images" ADD "margin" double precision`);
    await queryRunner.query(`ALTER TABLE "images" ADD "keptReason" text`);
    await queryRunner.query(`ALTER TABLE "images" ADD "labelledAt" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "models" ADD "keepUncertain" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "models" ADD "keepUncertainCap" integer NOT NULL DEFAULT 500`);
    await queryRunner.query(`ALTER TABLE "models" ADD "keepUncertainDays" integer NOT NULL DEFAULT 30`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "models" DROP COLUMN "keepUncertainDays"`);
    await queryRunner.query(`ALTER TABLE "models" DROP COLUMN "keepUncertainCap"`);
    await queryRunner.query(`ALTER TABLE "models" DROP COLUMN "keepUncertain"`);
    await queryRunner.query(`ALTER TABLE "images" DROP COLUMN "labelledAt"`);
    await queryRunner.query(`ALTER TABLE "images" DROP COLUMN "keptReason"`);
    await queryRunner.query(`ALTER TABLE "images" DROP COLUMN "margin"`);
    await queryRunner.query(`ALTER TABLE "images" DROP COLUMN "prediction"`);
  }
}
