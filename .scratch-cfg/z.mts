import { gatewayConfigSchema } from '../proxy/config/schema.js';
const r = gatewayConfigSchema.safeParse({ tenants: [{ id: 'a', tiers: { 'bad key!': { provider: 'x', model: 'm', fallbacks: [3, {provider: 'p'}] } }, dlp: { detectors: { email: 'nope' } }, budget: { monthlyUsd: -1 }, apiKeys: [{ id: 'k', user: 'u', sha256: 'x', expiresAt: 'tomorrow' }] }], tenantz: 1, audit: { sink: 'x' } });
if (!r.success) console.log(JSON.stringify(r.error.issues, null, 1));
const r2 = gatewayConfigSchema.safeParse(null); if (!r2.success) console.log(JSON.stringify(r2.error.issues));
const r3 = gatewayConfigSchema.safeParse({ tenants: [] }); if (!r3.success) console.log(JSON.stringify(r3.error.issues));
