import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Class names in Unicode NFC, as imports now store them. Classes of one model whose names differ
 * only in normalisation (`café/` zipped on a Mac and elsewhere) become one: the first created
 * (lowest index) keeps its id and takes the others' images; the others' output slots stay unused,
 * as a deleted class's do. Done in JavaScript so a database without UTF-8 `normalize()` works too.
 */
export class NfcClassNames1796240079808 implements MigrationInterface {
  name = 'NfcClassNames1796240079808';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const rows: { id: string; modelId: string; name: string }[] = await queryRunner.query(
      `SELECT id, "modelId", name FROM model_classes ORDER BY "modelId", index`,
    );
    const keepers = new Map<string, { id: string; name: string }>();
    for (const row of rows) {
      const nfc = row.name.normalize('NFC');
      const key = `${row.modelId}\u0000${nfc}`;
      const keeper = keepers.get(key);
      if (keeper) {
        await queryRunner.query(`UPDATE images SET "classId" = $1 WHERE "classId" = $2`, [keeper.id, row.id]);
        await queryRunner.query(`DELETE FROM model_classes WHERE id = $1`, [row.id]);
      } else keepers.set(key, { id: row.id, name: row.name });
    }
    for (const [key, keeper] of keepers) {
      const nfc = key.slice(key.indexOf('\u0000') + 1);
      if (keeper.name !== nfc)
        await queryRunner.query(`UPDATE model_classes SET name = $1 WHERE id = $2`, [nfc, keeper.id]);
    }
  }

  public async down(): Promise<void> {
    // Merged classes cannot be told apart again; NFC names are valid names.
  }
}
