import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whether an image's stored pixels hold no colour. Rows from before are false (not known grey):
 * their models keep training colour networks until their images are imported again.
 */
export class GreyImages1796500000000 implements MigrationInterface {
  name = 'GreyImages1796500000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "images" ADD "grey" boolean NOT NULL DEFAULT false`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "images" DROP COLUMN "grey"`);
  }
}
