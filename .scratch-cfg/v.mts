import { toReferenceView } from '../proxy/config/reference-view.js';
console.log(JSON.stringify(toReferenceView({ tenants: [{ id: 3, providers: { a: 1, b: { type: 'x', apiKey: 5 } }, users: [1, { id: 'u' }], budget: {} }, 'x'], pricing: [1], auth: { jwt: {} } })));
console.log(JSON.stringify(toReferenceView(null)));
console.log(JSON.stringify(toReferenceView([])));
