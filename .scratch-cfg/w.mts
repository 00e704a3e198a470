import { z } from 'zod';
const a = z.object({ jwt: z.object({ secret: z.unknown() }).optional().catch(undefined) });
console.log(a.parse({ jwt: {} }), a.parse({ jwt: { secret: 1 } }), a.parse({ jwt: 5 }));
const b = z.object({ jwt: z.object({ secret: z.unknown() }).optional() });
console.log(b.parse({ jwt: {} }));
const c = z.object({ secret: z.unknown() });
console.log(c.parse({}));
