// Copies what the compiled service reads at run time beside dist/: the SQL migrations.
import { cpSync } from 'node:fs';

cpSync('src/store/migrations', 'dist/store/migrations', { recursive: true });
