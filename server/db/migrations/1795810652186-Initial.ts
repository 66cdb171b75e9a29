import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1795810652186 implements MigrationInterface {
  name = 'Initial1795810652186';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TYPE "public"."user_role" AS ENUM('USER', 'ADMIN')`);
    await queryRunner.query(
      `CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" text NOT NULL, "passwordHash" text NOT NULL, "role" "public"."user_role" NOT NULL DEFAULT 'USER', "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_97672ac88f789774dd47f7c8be" ON "users"  ("email") `);
    await queryRunner.query(`CREATE TYPE "public"."token_kind" AS ENUM('SESSION', 'API', 'RUNNER')`);
    await queryRunner.query(`CREATE TYPE "public"."token_scope" AS ENUM('FULL', 'CLASSIFY')`);
    await queryRunner.query(
      `CREATE TABLE "tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "kind" "public"."token_kind" NOT NULL, "name" text NOT NULL, "hash" text NOT NULL, "prefix" text NOT NULL, "scope" "public"."token_scope" NOT NULL DEFAULT 'FULL', "userId" uuid, "expiresAt" TIMESTAMP WITH TIME ZONE, "revokedAt" TIMESTAMP WITH TIME ZONE, "lastUsedAt" TIMESTAMP WITH TIME ZONE, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_3001e89ada36263dabf1fb6210a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_4b52f52d067ed65de68ca7eff3" ON "tokens"  ("hash") `);
    await queryRunner.query(`CREATE INDEX "IDX_d417e5d35f2434afc4bd48cb4d" ON "tokens"  ("userId") `);
    await queryRunner.query(`CREATE TYPE "public"."model_status" AS ENUM('CREATED', 'TRAINING', 'READY', 'FAILED')`);
    await queryRunner.query(
      `CREATE TABLE "models" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "ownerId" uuid NOT NULL, "name" text NOT NULL, "status" "public"."model_status" NOT NULL DEFAULT 'CREATED', "inputWidth" integer NOT NULL, "inputHeight" integer NOT NULL, "inputChannels" integer NOT NULL, "expandable" boolean NOT NULL DEFAULT false, "targetAccuracy" double precision NOT NULL DEFAULT '0.9', "splitSeed" integer NOT NULL, "sampleBlobKey" text NOT NULL, "activeCandidateId" uuid, "underTarget" boolean NOT NULL DEFAULT false, "trainedAt" TIMESTAMP WITH TIME ZONE, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ef9ed7160ea69013636466bf2d5" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_87d13f591f17b2b381172ea602" ON "models"  ("ownerId") `);
    await queryRunner.query(
      `CREATE TABLE "model_classes" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "modelId" uuid NOT NULL, "name" text NOT NULL, "index" integer NOT NULL, "headId" uuid, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_dcc72534dad26e61b9a36aac88e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_99539c3281edabd665a44b0d23" ON "model_classes"  ("modelId", "index") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_e3b1362576338af7151046e5f9" ON "model_classes"  ("modelId", "name") `,
    );
    await queryRunner.query(`CREATE TYPE "public"."image_source" AS ENUM('UPLOAD', 'URL', 'CLASSIFIED')`);
    await queryRunner.query(`CREATE TYPE "public"."image_split" AS ENUM('TRAIN', 'VALIDATION', 'TEST')`);
    await queryRunner.query(
      `CREATE TABLE "images" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "modelId" uuid NOT NULL, "classId" uuid, "source" "public"."image_source" NOT NULL, "split" "public"."image_split", "blobKey" text, "url" text, "checksum" text NOT NULL, "originalName" text, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_1fe148074c6a1a91b63cb9ee3c9" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_ddde72de7ad06befe60497bb25" ON "images"  ("modelId", "classId", "split") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_52584dce5086bf0cc0f78f6538" ON "images"  ("modelId", "checksum") `,
    );
    await queryRunner.query(`CREATE TYPE "public"."runner_kind" AS ENUM('LOCAL', 'REMOTE')`);
    await queryRunner.query(
      `CREATE TYPE "public"."runner_status" AS ENUM('STARTING', 'IDLE', 'BUSY', 'FAILED', 'OFFLINE')`,
    );
    await queryRunner.query(
      `CREATE TABLE "runners" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "kind" "public"."runner_kind" NOT NULL, "status" "public"."runner_status" NOT NULL DEFAULT 'STARTING', "disabled" boolean NOT NULL DEFAULT false, "nodeId" text, "tokenId" uuid, "backend" text, "device" text, "currentTaskId" uuid, "lastHeartbeatAt" TIMESTAMP WITH TIME ZONE, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_9b52b801361edc6a1f4dcd390c4" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "blobs" ("key" text COLLATE "C" NOT NULL, "data" bytea NOT NULL, "size" integer NOT NULL, "contentType" text, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c4f1b1851cdf6d548a0ee9ac723" PRIMARY KEY ("key"))`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."task_type" AS ENUM('IMPORT_DATASET', 'TRAIN_MODEL', 'SPLIT_MODEL', 'TRAIN_HEAD', 'CLASSIFY_BATCH', 'NOOP')`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."task_status" AS ENUM('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')`,
    );
    await queryRunner.query(
      `CREATE TABLE "tasks" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "type" "public"."task_type" NOT NULL, "status" "public"."task_status" NOT NULL DEFAULT 'QUEUED', "priority" integer NOT NULL DEFAULT '0', "payload" jsonb NOT NULL DEFAULT '{}', "progress" jsonb, "result" jsonb, "error" text, "attempts" integer NOT NULL DEFAULT '0', "maxAttempts" integer NOT NULL DEFAULT '3', "ownerId" uuid, "modelId" uuid, "runnerId" uuid, "lockedBy" text, "leaseExpiresAt" TIMESTAMP WITH TIME ZONE, "runAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "cancelRequested" boolean NOT NULL DEFAULT false, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "startedAt" TIMESTAMP WITH TIME ZONE, "finishedAt" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_8d12ff38fcc62aaba2cab748772" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_607de52438268ab19a40634942" ON "tasks"  ("ownerId") `);
    await queryRunner.query(`CREATE INDEX "IDX_a090222d3125c8ac255b75bb21" ON "tasks"  ("modelId") `);
    await queryRunner.query(`CREATE INDEX "tasks_claim_idx" ON "tasks"  ("status", "priority", "createdAt") `);
    await queryRunner.query(
      `CREATE TYPE "public"."candidate_status" AS ENUM('QUEUED', 'TRAINING', 'PRUNED', 'COMPLETED', 'PROMOTED', 'FAILED')`,
    );
    await queryRunner.query(
      `CREATE TABLE "candidates" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "modelId" uuid NOT NULL, "taskId" uuid, "name" text NOT NULL, "family" text NOT NULL, "architecture" jsonb NOT NULL, "status" "public"."candidate_status" NOT NULL DEFAULT 'QUEUED', "epochsDone" integer NOT NULL DEFAULT '0', "bestValAccuracy" double precision, "testAccuracy" double precision, "metrics" jsonb NOT NULL DEFAULT '{}', "prunedReason" text, "checkpointKey" text, "artifactKey" text, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_140681296bf033ab1eb95288abb" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_8bf11bd879b3ca6ffff1674df7" ON "candidates"  ("modelId", "createdAt") `);
    await queryRunner.query(`CREATE TYPE "public"."head_status" AS ENUM('TRAINING', 'ACTIVE', 'REJECTED', 'RETIRED')`);
    await queryRunner.query(
      `CREATE TABLE "heads" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "modelId" uuid NOT NULL, "ordinal" integer NOT NULL, "baseKey" text NOT NULL, "status" "public"."head_status" NOT NULL DEFAULT 'TRAINING', "artifactKey" text, "accuracy" double precision, "rejectedReason" text, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "activatedAt" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_d24c567342ac76297c2afb2f56a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_7292fbbe1488c7aefec58e0fc0" ON "heads"  ("modelId", "ordinal") `);
    await queryRunner.query(
      `ALTER TABLE "tokens" ADD CONSTRAINT "FK_d417e5d35f2434afc4bd48cb4d2" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "models" ADD CONSTRAINT "FK_87d13f591f17b2b381172ea602c" FOREIGN KEY ("ownerId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "model_classes" ADD CONSTRAINT "FK_41be6ddfb5c9f52e974fbf81b22" FOREIGN KEY ("modelId") REFERENCES "models"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "images" ADD CONSTRAINT "FK_ea3addfdc9736d1836a2232254b" FOREIGN KEY ("modelId") REFERENCES "models"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "images" ADD CONSTRAINT "FK_507c08a7550d55ae5edc8cb24b1" FOREIGN KEY ("classId") REFERENCES "model_classes"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "tasks" ADD CONSTRAINT "FK_607de52438268ab19a406349427" FOREIGN KEY ("ownerId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "tasks" ADD CONSTRAINT "FK_a090222d3125c8ac255b75bb218" FOREIGN KEY ("modelId") REFERENCES "models"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "candidates" ADD CONSTRAINT "FK_dc4727626ef7302d51035973a3f" FOREIGN KEY ("modelId") REFERENCES "models"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "heads" ADD CONSTRAINT "FK_9d1b34a1103c55f4dfbb0e94caf" FOREIGN KEY ("modelId") REFERENCES "models"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "heads" DROP CONSTRAINT "FK_9d1b34a1103c55f4dfbb0e94caf"`);
    await queryRunner.query(`ALTER TABLE "candidates" DROP CONSTRAINT "FK_dc4727626ef7302d51035973a3f"`);
    await queryRunner.query(`ALTER TABLE "tasks" DROP CONSTRAINT "FK_a090222d3125c8ac255b75bb218"`);
    await queryRunner.query(`ALTER TABLE "tasks" DROP CONSTRAINT "FK_607de52438268ab19a406349427"`);
    await queryRunner.query(`ALTER TABLE "images" DROP CONSTRAINT "FK_507c08a7550d55ae5edc8cb24b1"`);
    await queryRunner.query(`ALTER TABLE "images" DROP CONSTRAINT "FK_ea3addfdc9736d1836a2232254b"`);
    await queryRunner.query(`ALTER TABLE "model_classes" DROP CONSTRAINT "FK_41be6ddfb5c9f52e974fbf81b22"`);
    await queryRunner.query(`ALTER TABLE "models" DROP CONSTRAINT "FK_87d13f591f17b2b381172ea602c"`);
    await queryRunner.query(`ALTER TABLE "tokens" DROP CONSTRAINT "FK_d417e5d35f2434afc4bd48cb4d2"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_7292fbbe1488c7aefec58e0fc0"`);
    await queryRunner.query(`DROP TABLE "heads"`);
    await queryRunner.query(`DROP TYPE "public"."head_status"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_8bf11bd879b3ca6ffff1674df7"`);
    await queryRunner.query(`DROP TABLE "candidates"`);
    await queryRunner.query(`DROP TYPE "public"."candidate_status"`);
    await queryRunner.query(`DROP INDEX "public"."tasks_claim_idx"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_a090222d3125c8ac255b75bb21"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_607de52438268ab19a40634942"`);
    await queryRunner.query(`DROP TABLE "tasks"`);
    await queryRunner.query(`DROP TYPE "public"."task_status"`);
    await queryRunner.query(`DROP TYPE "public"."task_type"`);
    await queryRunner.query(`DROP TABLE "blobs"`);
    await queryRunner.query(`DROP TABLE "runners"`);
    await queryRunner.query(`DROP TYPE "public"."runner_status"`);
    await queryRunner.query(`DROP TYPE "public"."runner_kind"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_52584dce5086bf0cc0f78f6538"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_ddde72de7ad06befe60497bb25"`);
    await queryRunner.query(`DROP TABLE "images"`);
    await queryRunner.query(`DROP TYPE "public"."image_split"`);
    await queryRunner.query(`DROP TYPE "public"."image_source"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_e3b1362576338af7151046e5f9"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_99539c3281edabd665a44b0d23"`);
    await queryRunner.query(`DROP TABLE "model_classes"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_87d13f591f17b2b381172ea602"`);
    await queryRunner.query(`DROP TABLE "models"`);
    await queryRunner.query(`DROP TYPE "public"."model_status"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_d417e5d35f2434afc4bd48cb4d"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_4b52f52d067ed65de68ca7eff3"`);
    await queryRunner.query(`DROP TABLE "tokens"`);
    await queryRunner.query(`DROP TYPE "public"."token_scope"`);
    await queryRunner.query(`DROP TYPE "public"."token_kind"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_97672ac88f789774dd47f7c8be"`);
    await queryRunner.query(`DROP TABLE "users"`);
    await queryRunner.query(`DROP TYPE "public"."user_role"`);
  }
}
