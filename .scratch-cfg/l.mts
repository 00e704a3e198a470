import { loadConfig } from '../proxy/config/load-config.js';
try { const c = loadConfig({ path: '.scratch-cfg/a.yaml', env: { PORT: '9000', HOST: '0.0.0.0' } }); console.log(c); } catch (e) { console.log(String(e)); }
try { const c = loadConfig({ path: '.scratch-cfg/a.yaml', env: { PORT: '9000', HOST: '0.0.0.0', KEY: 'k' } }); console.log(c); } catch (e) { console.log(String(e)); }
