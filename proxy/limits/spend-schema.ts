/**
 * The embedded spend ledger's tables, created when missing. Month totals, and spend per user,
 * assistant and tier, in whole micro-dollars; the alert thresholds raised per month. The
 * `reserved` column and the `spend_reservation` table belong to versions that kept open
 * reservations in the file: their process has ended, so opening the file releases them.
 */
export const SPEND_SCHEMA = `
CREATE TABLE IF NOT EXISTS spend_month (
  tenant TEXT NOT NULL, month TEXT NOT NULL,
  spent INTEGER NOT NULL DEFAULT 0, reserved INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant, month)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS spend_user (
  tenant TEXT NOT NULL, month TEXT NOT NULL, user TEXT NOT NULL, spent INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant, month, user)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS spend_assistant (
  tenant TEXT NOT NULL, month TEXT NOT NULL, assistant TEXT NOT NULL, spent INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant, month, assistant)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS spend_tier (
  tenant TEXT NOT NULL, month TEXT NOT NULL, tier TEXT NOT NULL, spent INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant, month, tier)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS spend_alert (
  tenant TEXT NOT NULL, month TEXT NOT NULL, threshold REAL NOT NULL, raised_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, month, threshold)) WITHOUT ROWID;
DROP TABLE IF EXISTS spend_reservation;
UPDATE spend_month SET reserved = 0 WHERE reserved <> 0;
`;
