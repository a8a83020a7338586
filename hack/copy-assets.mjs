// Copies what the compiled service reads at run time beside dist/: the SQL migrations and the
// dashboard's static files.
import { cpSync, existsSync } from 'node:fs';

cpSync('src/store/migrations', 'dist/store/migrations', { recursive: true });
if (existsSync('src/dashboard/assets')) cpSync('src/dashboard/assets', 'dist/dashboard/assets', { recursive: true });
