#!/usr/bin/env node
// Starts kinesalite (in memory, its default) on 127.0.0.1 only: its own CLI binds every interface.
// usage: node kinesalite-local.js MODULE_DIR PORT
'use strict';
const path = require('path');
const [moduleDir, port] = process.argv.slice(2);
const kinesalite = require(path.join(moduleDir, 'node_modules', 'kinesalite'));
const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 })
  .listen(Number(port), '127.0.0.1', () => console.log('kinesalite listening on 127.0.0.1:' + server.address().port));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
