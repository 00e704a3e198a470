// The admin API isolation matrix on the embedded store (SQLite). See isolation-matrix.ts.
import t from 'tap';
import { runIsolationMatrix } from './isolation-matrix.js';

t.test('SQLite: zero cross-tenant reads or writes over the admin API', (t) => runIsolationMatrix(t, { kind: 'sqlite' }));
