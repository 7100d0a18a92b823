#!/usr/bin/env node
// The `rh-agents` command (`npx rh-agents --help`): the built command line in dist/cli/.
import '../dist/cli/bin.js';
