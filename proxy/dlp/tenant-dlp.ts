import type { DlpAction, DlpConfig } from '../config/schema.js';
import type { DlpFinding, RouteKind } from '../core/vocabulary.js';
import { clientFormat } from '../client-apis/client-formats.js';
import { applyPartEdits, type PartEdit, type PromptPart } from '../client-apis/prompt-parts.js';
import { compileBuiltin, compileCustom, type CompiledDetector } from './compiled-detector.js';
import { BUILTIN_DETECTOR_IDS } from './detectors/index.js';
import { DlpConfigError } from './dlp-config-error.js';
import { applyRedactions, Scanner, type ScanMatch } from './scanner.js';
import { StreamRedactor } from './stream-redactor.js';
import { ScanCache } from './scan-cache.js';

export type ResponseMode = DlpConfig['responses'];

/** Result of scanning one request body. */
export interface RequestScan {
  /** One entry per detector that matched: `{detector, count, action, direction: 'request'}`. Never text. */
  readonly findings: DlpFinding[];
  /** Detectors with action `block` that matched (empty: not blocked). */
  readonly blockedBy: string[];
  /** A deep copy with every `redact` match replaced by `[REDACTED:<detector>]`; absent when nothing was redacted or the request is blocked. */
  readonly redactedBody?: Record<string, unknown>;
}

/** One tenant's compiled DLP: detectors, actions, response mode. Built once at startup. */
export interface TenantDlp {
  readonly tenantId: string;
  /** The settings this was compiled from (a scan worker compiles its own copy from them). */
  readonly config: DlpConfig;
  /** What response-side scanning does with a match (`off`: responses are not scanned). */
  readonly responseMode: ResponseMode;
  /** True when at least one detector or custom pattern is enabled. */
  readonly enabled: boolean;
  /** Enabled detector names, built-ins then custom patterns. */
  readonly detectorNames: readonly string[];
  actionOf(detector: string): DlpAction;
  scanRequest(route: RouteKind, body: Readonly<Record<string, unknown>>): RequestScan;
  /** Matches of every enabled detector in one text (original offsets). */
  scanText(text: string): ScanMatch[];
  /** A redactor for one streamed text (response side). */
  createStreamRedactor(): StreamRedactor;
}

/** A fresh empty result (callers may extend the findings list). */
const nothingFound = (): RequestScan => ({ findings: [], blockedBy: [] });

/** Built-in-only scanners are shared between tenants that enable the same set. */
const sharedScanners = new Map<string, Scanner>();

class CompiledTenantDlp implements TenantDlp {
  readonly enabled: boolean;
  readonly detectorNames: readonly string[];
  readonly #actions: ReadonlyMap<string, DlpAction>;
  readonly #scanner: Scanner;
  /** This tenant's own: shared scanners never share what a tenant sent. */
  readonly #recent = new ScanCache();

  constructor(
    readonly tenantId: string,
    readonly config: DlpConfig,
    readonly responseMode: ResponseMode,
    detectors: readonly CompiledDetector[],
    actions: ReadonlyMap<string, DlpAction>,
    shareKey: string | undefined,
  ) {
    this.#actions = actions;
    this.detectorNames = detectors.map((d) => d.id);
    this.enabled = detectors.length > 0;
    const shared = shareKey === undefined ? undefined : sharedScanners.get(shareKey);
    this.#scanner = shared ?? new Scanner(detectors);
    if (shareKey !== undefined && !shared) sharedScanners.set(shareKey, this.#scanner);
  }

  actionOf(detector: string): DlpAction {
    return this.#actions.get(detector) ?? 'log';
  }

  scanText(text: string): ScanMatch[] {
    return this.#scanner.scan(text);
  }

  createStreamRedactor(): StreamRedactor {
    return new StreamRedactor(this.#scanner);
  }

  scanRequest(route: RouteKind, body: Readonly<Record<string, unknown>>): RequestScan {
    const format = clientFormat(route);
    if (!this.enabled || !format) return nothingFound();
    const parts: PromptPart[] = [];
    format.promptParts(body, parts);
    const counts = new Map<string, number>();
    const edits: PartEdit[] = [];
    for (const part of parts) {
      const offset = part.context?.length ?? 0;
      const found = this.#recent.scan(this.#scanner, offset === 0 ? part.text : (part.context as string) + part.text);
      if (found.length === 0) continue;
      const redact: ScanMatch[] = [];
      for (const m of found) {
        if (m.end <= offset) continue; // entirely inside the detection-only context
        counts.set(m.detector, (counts.get(m.detector) ?? 0) + 1);
        if (this.actionOf(m.detector) === 'redact') redact.push({ ...m, start: Math.max(m.start, offset) - offset, end: m.end - offset });
      }
      if (redact.length > 0) edits.push({ path: part.path, text: applyRedactions(part.text, redact) });
    }
    if (counts.size === 0) return nothingFound();
    const findings: DlpFinding[] = [...counts].map(([detector, count]) => ({ detector, count, action: this.actionOf(detector), direction: 'request' }));
    const blockedBy = findings.filter((f) => f.action === 'block').map((f) => f.detector);
    if (blockedBy.length > 0 || edits.length === 0) return { findings, blockedBy };
    return { findings, blockedBy, redactedBody: applyPartEdits(body, edits) };
  }
}

/**
 * Compiles a tenant's DLP settings once, at startup. Throws DlpConfigError naming the config
 * path for an unknown detector, a custom name that clashes, or a pattern RE2 rejects
 * (`tenants[acme].dlp.custom[0] "project_code": invalid RE2 pattern: invalid perl operator: (?<=`).
 */
export function compileTenantDlp(tenantId: string, cfg: DlpConfig): TenantDlp {
  const detectors: CompiledDetector[] = [];
  const actions = new Map<string, DlpAction>();
  for (const [name, action] of Object.entries(cfg.detectors)) {
    const compiled = compileBuiltin(name);
    if (!compiled) {
      throw new DlpConfigError(`tenants[${tenantId}].dlp.detectors.${name}: unknown detector "${name}" (known: ${BUILTIN_DETECTOR_IDS.join(', ')})`);
    }
    detectors.push(compiled);
    actions.set(name, action);
  }
  const builtinKey = detectors.map((d) => d.id).sort().join(',');
  cfg.custom.forEach((custom, i) => {
    const at = `tenants[${tenantId}].dlp.custom[${i}] "${custom.name}"`;
    if (compileBuiltin(custom.name)) throw new DlpConfigError(`${at}: name clashes with a built-in detector`);
    if (detectors.some((d) => d.id === custom.name)) throw new DlpConfigError(`${at}: duplicate custom pattern name`);
    try {
      detectors.push(compileCustom(custom.name, custom.pattern));
    } catch (err) {
      throw new DlpConfigError(`${at}: invalid RE2 pattern: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    actions.set(custom.name, custom.action);
  });
  return new CompiledTenantDlp(tenantId, cfg, cfg.responses, detectors, actions, cfg.custom.length === 0 ? builtinKey : undefined);
}
