import { BUILTIN_DETECTOR_IDS } from '../proxy/dlp/detectors/index.js';

/**
 * Every built-in DLP detector id: the `gw-dlp-all` variant turns all of them on at once, the
 * worst case for the dlp stage. Read from the detector registry so a new detector is benched too.
 */
export function builtInDetectorNames(): readonly string[] {
  return BUILTIN_DETECTOR_IDS;
}
