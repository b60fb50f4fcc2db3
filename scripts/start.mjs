#!/usr/bin/env node
/**
 * `npm start`'s second half (`npm run build && node scripts/start.mjs`): opens
 * the workbench in Electron, or `cfm serve` where Electron cannot run. The
 * decision and the launching are in launcher.mjs; this file only runs them,
 * so tests can launch without rebuilding.
 */
import { launch, LaunchError } from './launcher.mjs';

try {
  process.exitCode = await launch();
} catch (e) {
  if (!(e instanceof LaunchError)) throw e;
  process.stderr.write(`${e.message}\n`);
  process.exitCode = 1;
}
