#!/usr/bin/env node
// The npm `bin` entry: everything lives in the compiled sources.
import { main } from '../dist/src/cli/main.js';

await main(process.argv);
