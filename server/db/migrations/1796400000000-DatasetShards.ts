import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Training shards: which shard (blob key) holds an image's pixels, and at which slot. */
export class DatasetShards1796400000000 implements MigrationInterface {
  name = 'DatasetShards1796400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "images" ADD "shardKey" text`);
    await queryRunner.query(`ALTER TABLE "images" ADD "shardSlot" integer`);
    await queryRunner.query(`CREATE INDEX "IDX_images_model_shard" ON "images" ("modelId", "shardKey")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_images_model_shard"`);
    await queryRunner.query(`ALTER TABLE "images" DROP COLUMN "shardSlot"`);
    await queryRunner.query(`ALTER TABLE "images" DROP COLUMN "shardKey"`);
  }
}
