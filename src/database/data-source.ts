import { DataSource } from 'typeorm';
import { loadConfig } from '@/config/config';
import { dataSourceOptions } from './data-source-options';

/** For the TypeORM CLI only (`npx typeorm -d dist/src/database/data-source.js migration:show`). */
export default new DataSource(dataSourceOptions(loadConfig().databaseUrl));
