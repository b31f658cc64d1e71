import 'reflect-metadata';
import { runTributaryCli } from '@tributary/admin';
import { CliTestAppModule } from './cli-test-app.module';

// The `tributary` CLI run from inside an app, as a user's `src/cli.ts` would.
void runTributaryCli(CliTestAppModule, process.argv, { admin: { progressIntervalMs: 100 } });
