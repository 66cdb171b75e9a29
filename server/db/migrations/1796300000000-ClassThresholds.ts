import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-class confidence thresholds, chosen at promotion for the model's target precision. */
export class ClassThresholds1796300000000 implements MigrationInterface {
  name = 'ClassThresholds1796300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "models" ADD "targetPrecision" double precision NOT NULL DEFAULT '0.95'`);
    await queryRunner.query(`ALTER TABLE "model_classes" ADD "threshold" double precision`);
    await queryRunner.query(`ALTER TABLE "model_classes" ADD "thresholdSource" text`);
    await queryRunner.query(`ALTER TABLE "model_classes" ADD "heldOutPrecision" double precision`);
    await queryRunner.query(`ALTER TABLE "model_classes" ADD "heldOutRecall" double precision`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "model_classes" DROP COLUMN "heldOutRecall"`);
    await queryRunner.query(`ALTER TABLE "model_classes" DROP COLUMN "heldOutPrecision"`);
    await queryRunner.query(`ALTER TABLE "model_classes" DROP COLUMN "thresholdSource"`);
    await queryRunner.query(`ALTER TABLE "model_classes" DROP COLUMN "threshold"`);
    await queryRunner.query(`ALTER TABLE "models" DROP COLUMN "targetPrecision"`);
  }
}
