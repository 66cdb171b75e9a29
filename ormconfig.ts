// Data source for the TypeORM CLI (`npm run migration:generate -- server/db/migrations/Name`).
import { createDataSource } from './server/db/database';

if (!process.env.DATABASE_URL) throw new Error('set DATABASE_URL to generate or run migrations from the CLI');

export default createDataSource(process.env.DATABASE_URL);
