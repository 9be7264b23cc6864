#!/usr/bin/env node
// Compiles range/contracts/*.sol with the pinned solc from node_modules (standard JSON) and
// writes one artifact per deployable contract to range/artifacts/<Name>.json:
//   { contractName, sourceName, compiler, sourceHash, abi, bytecode, deployedBytecode }
// `sourceHash` is sha256 over this script and every source (see sourceHash() below) so the
// Rust side can tell stale artifacts without a compiler. Output is deterministic.
//
//   node range/build.mjs          compile and (re)write the artifacts
//   node range/build.mjs --check  compile and fail if the committed artifacts differ

import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync, unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const contractsDir = join(here, 'contracts');
const artifactsDir = join(here, 'artifacts');
const check = process.argv.includes('--check');

const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'cancun',
  metadata: { bytecodeHash: 'none' },
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
};

function loadSolc() {
  const require = createRequire(import.meta.url);
  try {
    return require('solc');
  } catch (err) {
    console.error('solc is not installed: run `npm ci` at the repository root');
    process.exit(2);
  }
}

function sourceFiles() {
  return readdirSync(contractsDir).filter((name) => name.endsWith('.sol')).sort();
}

// sha256 over `<name>\n<byte length>\n<bytes>\n` for build.mjs, then contracts/<file> sorted.
function sourceHash(files) {
  const hash = createHash('sha256');
  const add = (name, bytes) => {
    hash.update(`${name}\n${bytes.length}\n`);
    hash.update(bytes);
    hash.update('\n');
  };
  add('build.mjs', readFileSync(fileURLToPath(import.meta.url)));
  for (const file of files) add(`contracts/${file}`, readFileSync(join(contractsDir, file)));
  return hash.digest('hex');
}

function compile(solc, files) {
  const sources = {};
  for (const file of files) sources[file] = { content: readFileSync(join(contractsDir, file), 'utf8') };
  const input = { language: 'Solidity', sources, settings: SETTINGS };
  const output = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  for (const e of output.errors ?? []) console.error(e.formattedMessage);
  if (errors.length > 0) process.exit(1);
  return output;
}

function artifacts(solc, files) {
  const output = compile(solc, files);
  const hash = sourceHash(files);
  const result = new Map();
  for (const sourceName of Object.keys(output.contracts).sort()) {
    for (const contractName of Object.keys(output.contracts[sourceName]).sort()) {
      const c = output.contracts[sourceName][contractName];
      if (!c.evm.bytecode.object) continue; // interfaces and abstract contracts
      if (result.has(contractName)) throw new Error(`duplicate contract name ${contractName}`);
      const artifact = {
        contractName,
        sourceName,
        compiler: solc.version(),
        sourceHash: hash,
        abi: c.abi,
        bytecode: `0x${c.evm.bytecode.object}`,
        deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
      };
      result.set(`${contractName}.json`, `${JSON.stringify(artifact, null, 2)}\n`);
    }
  }
  return result;
}

const solc = loadSolc();
const files = sourceFiles();
const fresh = artifacts(solc, files);
const existing = existsSync(artifactsDir)
  ? readdirSync(artifactsDir).filter((name) => name.endsWith('.json')).sort()
  : [];

if (check) {
  const problems = [];
  for (const [name, text] of fresh) {
    const path = join(artifactsDir, name);
    if (!existsSync(path)) problems.push(`missing ${name}`);
    else if (readFileSync(path, 'utf8') !== text) problems.push(`stale ${name}`);
  }
  for (const name of existing) if (!fresh.has(name)) problems.push(`orphaned ${name}`);
  if (problems.length > 0) {
    console.error(`range artifacts are out of date (run \`node range/build.mjs\`):\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`range artifacts are current (${fresh.size} contracts, solc ${solc.version()})`);
} else {
  mkdirSync(artifactsDir, { recursive: true });
  for (const name of existing) if (!fresh.has(name)) unlinkSync(join(artifactsDir, name));
  for (const [name, text] of fresh) writeFileSync(join(artifactsDir, name), text);
  console.log(`wrote ${fresh.size} artifacts to range/artifacts (solc ${solc.version()})`);
}
