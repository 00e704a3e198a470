import { generateApiKey, hashApiKey } from '../proxy/identity/api-keys.js';
const k = generateApiKey(); console.log(k, hashApiKey(k));
