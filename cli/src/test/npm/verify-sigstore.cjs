// Verifies each Sigstore bundle (one JSON bundle per line of BUNDLES) with @sigstore/verify's
// lower-level Verifier, offline: trust material from the public key in PEM (for any hint; the hint
// is opaque) and no transparency log, CT log or timestamp required (thresholds 0).
// Usage: node verify-sigstore.cjs BUNDLES PUBLIC_KEY_PEM
// Prints "ok N" or "FAIL N: CODE message" per bundle; exit 0 when all verified, 1 when any failed,
// 2 on bad usage or no bundles.
'use strict';
const fs = require('fs');
const crypto = require('crypto');
const { bundleFromJSON } = require('@sigstore/bundle');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');

const [bundlesFile, keyFile] = process.argv.slice(2);
if (!bundlesFile || !keyFile) {
  console.error('usage: node verify-sigstore.cjs BUNDLES PUBLIC_KEY_PEM');
  process.exit(2);
}
const pem = fs.readFileSync(keyFile, 'utf8');
const key = crypto.createPublicKey(pem.slice(pem.indexOf('-----BEGIN')));
const trust = toTrustMaterial(
  { certificateAuthorities: [], timestampAuthorities: [], tlogs: [], ctlogs: [] },
  () => ({ publicKey: key, validFor: () => true }));
const verifier = new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });

let n = 0;
let failed = 0;
for (const line of fs.readFileSync(bundlesFile, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  n++;
  try {
    verifier.verify(toSignedEntity(bundleFromJSON(JSON.parse(line))));
    console.log(`ok ${n}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${n}: ${e.code || e.name} ${e.message}`);
  }
}
process.exit(n === 0 ? 2 : failed ? 1 : 0);
