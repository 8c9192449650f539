#!/usr/bin/env node
console.log('fracture');
