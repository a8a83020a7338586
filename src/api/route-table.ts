// The RouteTable moved to http/ (dashboard/ uses it too, and must not import api/). Kept for
// routes/webhook.ts until its import names ../../http/route-table.ts; then delete this file.
export { type Method, type ReadProtection, type RouteEntry, RouteTable } from '../http/route-table.ts';
