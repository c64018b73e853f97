#!/usr/bin/env node
// Entry point of the `radarwatch` bin: runs the compiled CLI when built, else the TypeScript source through tsx.
const path = require('path');
const fs = require('fs');
const built = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (fs.existsSync(built) && !process.env.RADARWATCH_FROM_SOURCE) {
  require(built).run(process.argv);
} else {
  require('tsx/cjs');
  require(path.join(__dirname, '..', 'src', 'cli', 'main.ts')).run(process.argv);
}
