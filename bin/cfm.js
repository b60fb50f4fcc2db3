#!/usr/bin/env node
// The cfm command: runs the compiled CLI (npm install / npm run build produce dist/).
import { main } from '../dist/app/cli.js';

process.exitCode = await main(process.argv);
