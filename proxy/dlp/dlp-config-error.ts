/**
 * A tenant's DLP settings cannot be compiled: an unknown detector, or a custom pattern RE2
 * rejects. The message names the config path (`tenants[acme].dlp.custom[0] "project_code"`)
 * and RE2's reason, so the operator can fix the YAML; startup stops on it.
 */
export class DlpConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DlpConfigError';
  }
}
