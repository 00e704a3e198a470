/**
 * The demo tenant's API key. It is PUBLIC on purpose (printed at start, written in README and
 * config/gateway.yaml) and opens only the demo tenant, whose provider is the built-in demo.
 * Never put this key's hash into a tenant that holds real provider keys.
 */
export const DEMO_API_KEY = 'wj_JNVnyWMCuduCxfgnucVPxzPSgKLzTTUAu6bBwBownar';
