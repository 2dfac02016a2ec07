// Verifies custody ledger entries (one flattened JWS JSON record per line of RECORDS) with the npm
// `jose` package: jose.flattenedVerify with the signer's SPKI PEM public key and its algorithm
// (EdDSA or ES256), the custody typ "custody-entry+jws" required.
// Usage: node verify-jose.mjs RECORDS PUBLIC_KEY_PEM ALG
// Prints "ok N" or "FAIL N: message" per record; exit 0 when all verified, 1 when any failed, 2 otherwise.
import fs from 'node:fs';
import * as jose from 'jose';

const [recordsFile, keyFile, alg] = process.argv.slice(2);
if (!recordsFile || !keyFile || !alg) {
  console.error('usage: node verify-jose.mjs RECORDS PUBLIC_KEY_PEM ALG');
  process.exit(2);
}
const key = await jose.importSPKI(fs.readFileSync(keyFile, 'utf8').trim(), alg);
let n = 0;
let failed = 0;
for (const line of fs.readFileSync(recordsFile, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  n++;
  try {
    const { protectedHeader } = await jose.flattenedVerify(JSON.parse(line), key, { algorithms: [alg] });
    if (protectedHeader.typ !== 'custody-entry+jws') throw new Error(`typ is ${protectedHeader.typ}`);
    console.log(`ok ${n}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${n}: ${e.code || e.name} ${e.message}`);
  }
}
process.exit(n === 0 ? 2 : failed ? 1 : 0);
