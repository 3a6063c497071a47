/**
 * Language tags as Keycloak compares them (DefaultLocaleSelectorProvider): a requested tag
 * matches a supported one when the languages are equal and either the regions are equal or
 * exactly one of them has none (`pt` matches `pt-BR`, `pt-PT` does not), the closest match
 * winning. Tags are bounded and checked before they are compared, so a header or cookie cannot
 * smuggle anything into a page or a cache key.
 */

/** A BCP 47 tag as far as the pages need one: language, optional script/region/variants. */
const TAG = /^[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8}){0,3}$/;
const MAX_ACCEPT_LANGUAGE = 1024;
const MAX_CANDIDATES = 20;

interface Parts {
  language: string;
  region: string;
}

function parts(tag: string): Parts {
  const [language, ...rest] = tag.split(/[-_]/);
  const region = rest.find((p) => /^[A-Za-z]{2}$|^\d{3}$/.test(p)) ?? '';
  return { language: language.toLowerCase(), region: region.toUpperCase() };
}

export function isLanguageTag(value: string): boolean {
  return value.length <= 35 && TAG.test(value);
}

/** `pt_BR` and `pt-br` as `pt-BR`: the form bundles and realm settings are compared in. */
export function normalizeTag(tag: string): string {
  const { language, region } = parts(tag);
  return region ? `${language}-${region}` : language;
}

function matches(candidate: Parts, supported: Parts): boolean {
  return candidate.language === supported.language && (candidate.region === supported.region || (candidate.region === '') !== (supported.region === ''));
}

/** The supported tag that best matches one of the candidates, tried in order. */
export function bestMatch(supported: readonly string[], candidates: readonly string[]): string | undefined {
  for (const candidate of candidates) {
    if (!isLanguageTag(candidate)) continue;
    const wanted = parts(candidate);
    let best: string | undefined;
    for (const tag of supported) {
      const offered = parts(tag);
      if (!matches(wanted, offered)) continue;
      if (best === undefined || (offered.region === wanted.region && parts(best).region !== wanted.region)) best = tag;
    }
    if (best !== undefined) return best;
  }
  return undefined;
}

/** An Accept-Language header's tags, most preferred first (q=0 left out). */
export function acceptedLanguages(header: string | undefined): string[] {
  if (!header || header.length > MAX_ACCEPT_LANGUAGE) return [];
  const entries: Array<{ tag: string; q: number; order: number }> = [];
  for (const [order, item] of header.split(',').slice(0, MAX_CANDIDATES).entries()) {
    const [tag, ...params] = item.trim().split(';');
    const q = params.map((p) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    const weight = q === undefined ? 1 : Number(q);
    if (weight > 0 && isLanguageTag(tag.trim())) entries.push({ tag: tag.trim(), q: weight, order });
  }
  return entries.sort((a, b) => b.q - a.q || a.order - b.order).map((e) => e.tag);
}

/** A language's name in itself ("Deutsch", "日本語"), for the language picker. */
export function nativeName(tag: string): string {
  try {
    const name = new Intl.DisplayNames([tag], { type: 'language' }).of(tag) ?? tag;
    return name.charAt(0).toLocaleUpperCase(tag) + name.slice(1);
  } catch {
    return tag;
  }
}
