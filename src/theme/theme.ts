/**
 * One login theme, read from its folder once: `<themes>/<name>/login/` holds `theme.properties`
 * (`parent=` another theme it extends, `locales=` the languages it offers), the templates
 * (`*.eta`), the message bundles (`messages/messages_<locale>.properties`) and `resources/`
 * (CSS, images). A theme that names a parent takes every template, message and resource it does
 * not have itself from it, so an operator's copy may hold only what it changes. Everything is
 * read and compiled when the theme is loaded; rendering and serving touch no files.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Eta } from 'eta/core';
import { escapeHtml } from '../http/html.ts';
import { formatMessage } from './message-format.ts';
import { normalizeTag } from './locale-match.ts';
import { parseProperties } from './properties.ts';

/** Bounds on what a theme folder may hold; beyond them the theme does not load. */
const LIMITS = { templates: 200, templateBytes: 256 * 1024, bundleBytes: 1024 * 1024, resources: 500, resourceBytes: 20 * 1024 * 1024, parents: 5 };
const RESOURCE_PATH = /^(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/){0,8}[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

export class ThemeError extends Error {}

/** What one theme folder holds itself, before its parent is added. */
interface ThemeFolder {
  name: string;
  parent?: string;
  locales?: string[];
  templates: Map<string, string>;
  /** Normalised tag (`pt-BR`) → key → text. */
  bundles: Map<string, Record<string, string>>;
  resources: Map<string, Buffer>;
}

function readBounded(file: string, limit: number): Buffer {
  const size = fs.statSync(file).size;
  if (size > limit) throw new ThemeError(`${file}: larger than ${limit} bytes`);
  return fs.readFileSync(file);
}

function listResources(dir: string, prefix = '', out = new Map<string, Buffer>(), total = { bytes: 0 }): Map<string, Buffer> {
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) listResources(path.join(dir, entry.name), relative, out, total);
    else if (entry.isFile() && RESOURCE_PATH.test(relative)) {
      const content = readBounded(path.join(dir, entry.name), LIMITS.resourceBytes);
      total.bytes += content.length;
      if (out.size >= LIMITS.resources || total.bytes > LIMITS.resourceBytes) throw new ThemeError(`${dir}: more resources than a theme may hold`);
      out.set(relative, content);
    }
  }
  return out;
}

export function readThemeFolder(name: string, dir: string): ThemeFolder {
  const login = path.join(dir, 'login');
  const propertiesFile = path.join(login, 'theme.properties');
  const properties = fs.existsSync(propertiesFile) ? parseProperties(readBounded(propertiesFile, LIMITS.bundleBytes).toString('utf8')) : {};
  const templates = new Map<string, string>();
  for (const file of fs.readdirSync(login)) {
    if (!file.endsWith('.eta')) continue;
    if (templates.size >= LIMITS.templates) throw new ThemeError(`${login}: more than ${LIMITS.templates} templates`);
    templates.set(file.slice(0, -4), readBounded(path.join(login, file), LIMITS.templateBytes).toString('utf8'));
  }
  const bundles = new Map<string, Record<string, string>>();
  const messagesDir = path.join(login, 'messages');
  if (fs.existsSync(messagesDir)) {
    for (const file of fs.readdirSync(messagesDir)) {
      const match = /^messages_([A-Za-z]{2,8}(?:_[A-Za-z0-9]{1,8})*)\.properties$/.exec(file);
      if (match) bundles.set(normalizeTag(match[1]), parseProperties(readBounded(path.join(messagesDir, file), LIMITS.bundleBytes).toString('utf8')));
    }
  }
  const locales = properties.locales
    ?.split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .map(normalizeTag);
  return { name, parent: properties.parent?.trim() || undefined, locales, templates, bundles, resources: listResources(path.join(login, 'resources')) };
}

/** The tags a message is looked up under, most general first: `en`, then `pt`, then `pt-BR`. */
function localeChain(tag: string): string[] {
  const chain = ['en'];
  const language = tag.split('-')[0];
  if (!chain.includes(language)) chain.push(language);
  if (!chain.includes(tag)) chain.push(tag);
  return chain;
}

/** Realm localization texts: locale → key → text (the admin `/localization` endpoints). */
export type RealmTexts = Record<string, Record<string, string>>;

export class Theme {
  readonly name: string;
  /** The languages the theme offers (its own and its parents'). */
  readonly locales: string[];
  /** Changes whenever a resource changes: part of every resource URL, so they can be cached for good. */
  readonly version: string;
  readonly resources: ReadonlyMap<string, Buffer>;
  private readonly eta: Eta;
  /** Root theme first, this one last. */
  private readonly folders: ThemeFolder[];

  constructor(chain: ThemeFolder[]) {
    this.folders = [...chain].reverse();
    this.name = chain[0].name;
    this.locales = chain.find((f) => f.locales)?.locales ?? [...new Set(this.folders.flatMap((f) => [...f.bundles.keys()]))];
    const resources = new Map<string, Buffer>();
    for (const folder of this.folders) for (const [name, content] of folder.resources) resources.set(name, content);
    this.resources = resources;
    const hash = createHash('sha256');
    for (const [name, content] of [...resources].sort(([a], [b]) => (a < b ? -1 : 1))) hash.update(name).update('\0').update(content).update('\0');
    this.version = hash.digest('hex').slice(0, 12);
    this.eta = new Eta({ autoEscape: true, escapeFunction: escapeHtml, autoTrim: [false, 'nl'], cache: true });
    for (const folder of this.folders) {
      for (const [name, source] of folder.templates) {
        try {
          this.eta.loadTemplate(`@${name}`, source);
        } catch (error) {
          throw new ThemeError(`theme ${folder.name}: template ${name}.eta: ${(error as Error).message}`);
        }
      }
    }
  }

  /**
   * The key (and parameters) of an English text, for pages that were handed a text rather than a
   * key ("Invalid parameter: redirect_uri" is `invalidParameterMessage` with `redirect_uri`), so
   * they can still be shown in the page's language.
   */
  englishKey(text: string): { key: string; params: string[] } | undefined {
    this.english ??= this.indexEnglish();
    const key = this.english.exact.get(text);
    if (key !== undefined) return { key, params: [] };
    for (const { pattern, key, order } of this.english.patterns) {
      const match = pattern.exec(text);
      if (!match) continue;
      const params: string[] = [];
      order.forEach((index, i) => (params[index] = match[i + 1]));
      return { key, params };
    }
    return undefined;
  }

  private english?: { exact: Map<string, string>; patterns: Array<{ pattern: RegExp; key: string; order: number[] }> };

  private indexEnglish() {
    const exact = new Map<string, string>();
    const patterns: Array<{ pattern: RegExp; key: string; order: number[] }> = [];
    for (const [key, raw] of Object.entries(this.messages('en'))) {
      const text = raw.replace(/''/g, "'");
      if (!/\{\d{1,2}\}/.test(text)) {
        if (!exact.has(text)) exact.set(text, key);
        continue;
      }
      // Only texts with words around their parameters: "{0}" alone would match anything.
      if (text.replace(/\{\d{1,2}\}/g, '').trim().length < 4) continue;
      const order: number[] = [];
      const source = text
        .split(/(\{\d{1,2}\})/)
        .map((part) => {
          const param = /^\{(\d{1,2})\}$/.exec(part);
          if (!param) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          order.push(Number(param[1]));
          return '(.+?)';
        })
        .join('');
      patterns.push({ pattern: new RegExp(`^${source}$`, 's'), key, order });
    }
    return { exact, patterns };
  }

  hasTemplate(name: string): boolean {
    return this.folders.some((f) => f.templates.has(name));
  }

  render(template: string, data: object): string {
    return this.eta.render(`@${template}`, data);
  }

  /**
   * The messages of a locale as Keycloak merges them: for `en`, then the language, then the
   * locale itself, the theme's texts (parents first) and then the realm's own texts for that
   * locale, each level overriding the one before.
   */
  messages(tag: string, realmTexts: RealmTexts = {}): Record<string, string> {
    const realm = new Map(Object.entries(realmTexts).map(([locale, texts]) => [normalizeTag(locale), texts]));
    const out: Record<string, string> = Object.create(null);
    for (const level of localeChain(tag)) {
      for (const folder of this.folders) Object.assign(out, folder.bundles.get(level));
      Object.assign(out, realm.get(level));
    }
    return out;
  }
}

/** Reads a message bundle's text for a key, formatted with its parameters; an unknown key stays as it is. */
export function lookup(messages: Record<string, string>, key: string, params: readonly string[] = []): string {
  const text = Object.hasOwn(messages, key) ? messages[key] : undefined;
  return text === undefined ? key : formatMessage(text, params);
}
