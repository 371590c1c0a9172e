#!/usr/bin/env node
// Node 24 runs the TypeScript source directly; this shim only gives it a name on PATH.
import '../src/main.ts';
