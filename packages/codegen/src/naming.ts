import { GalleyError, SLUG_PATTERN } from '@galley/core'

/** The identifiers generated for one template. */
export interface TemplateNames {
  slug: string
  /** `charter-handover` -> `CharterHandover`. */
  pascal: string
  /** `CharterHandoverData`: the exported data type. */
  dataType: string
  /** `renderCharterHandover`: the exported render function. */
  renderFunction: string
  /** `charterHandoverDescriptor`: the exported descriptor constant. */
  descriptor: string
}

/**
 * The PascalCase name of a slug: each `-`-separated segment is capitalized and the hyphens dropped
 * (`charter-handover` -> `CharterHandover`). A slug that starts with a digit gets a leading `_`
 * (`2024-report` -> `_2024Report`), since an identifier cannot start with one.
 *
 * With `keepDigitHyphens`, a hyphen before a digit becomes `_` (`invoice-2` -> `Invoice_2`). Capital letters
 * already mark every other hyphen, so this form is injective: no two slugs share it.
 */
export function pascalCase(slug: string, keepDigitHyphens = false): string {
  let out = ''
  const segments = slug.split('-')
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!
    if (i > 0 && keepDigitHyphens && /^[0-9]/.test(segment)) out += '_'
    out += segment.charAt(0).toUpperCase() + segment.slice(1)
  }
  return /^[0-9]/.test(out) ? `_${out}` : out
}

/**
 * Names every template, resolving clashes the same way every time.
 *
 * The rule: a template is named by `pascalCase(slug)`. Only hyphens before digits are lost in that form
 * (`invoice-2` and `invoice2` both give `Invoice2`), so when two or more slugs give one name, each of them that
 * has a hyphen before a digit keeps it as `_` (`invoice-2` -> `Invoice_2`, `invoice2` stays `Invoice2`).
 * The result depends only on the set of slugs, never on their order, and no two templates can end up with one
 * name (that form is injective, and it is the only form with an inner `_`).
 *
 * @throws GalleyError `invalid-slug` when a slug is not kebab-case (`^[a-z0-9]+(?:-[a-z0-9]+)*$`).
 */
export function resolveTemplateNames(slugs: readonly string[]): Map<string, TemplateNames> {
  const byBase = new Map<string, string[]>()
  for (const slug of slugs) {
    if (!SLUG_PATTERN.test(slug)) {
      throw new GalleyError('invalid-slug', `Template slug ${JSON.stringify(slug)} is not kebab-case, so no TypeScript names can be generated for it.`, {
        hint: 'Use lowercase letters, digits and single hyphens (`charter-handover`); `galley lint` reports where it is declared.',
      })
    }
    const base = pascalCase(slug)
    const group = byBase.get(base)
    if (group) group.push(slug)
    else byBase.set(base, [slug])
  }
  const names = new Map<string, TemplateNames>()
  for (const [base, group] of byBase) {
    for (const slug of group) {
      if (names.has(slug)) continue
      const pascal = group.length > 1 ? pascalCase(slug, true) : base
      names.set(slug, namesOf(slug, pascal))
    }
  }
  return names
}

function namesOf(slug: string, pascal: string): TemplateNames {
  const camel = pascal.charAt(0).toLowerCase() + pascal.slice(1)
  return { slug, pascal, dataType: `${pascal}Data`, renderFunction: `render${pascal}`, descriptor: `${camel}Descriptor` }
}

// ASCII only on purpose: TypeScript's Unicode identifier tables depend on its version and `target`, so a
// non-ASCII key is always quoted; quoting is correct everywhere.
const ASCII_IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/

/**
 * A property name as it must appear in a type or object literal: bare when it is a plain ASCII identifier
 * (reserved words included: `class?: string` is valid), otherwise a quoted string (`'a-b'`, `'café'`, `'1e3'`).
 * `__proto__` is always quoted so that no reader (or object literal copied from the type) mistakes it for the
 * prototype setter.
 */
export function propertyKey(key: string): string {
  return ASCII_IDENTIFIER.test(key) && key !== '__proto__' ? key : stringLiteral(key)
}

/**
 * A single-quoted TypeScript string literal. Escapes quotes, backslashes, control characters, the JS line
 * separators U+2028/U+2029 and lone surrogates (which UTF-8 cannot encode: written raw they would turn into
 * U+FFFD and silently change the key).
 */
export function stringLiteral(value: string): string {
  return `'${value.replace(ESCAPED, escapeChar)}'`
}

const ESCAPED = /[\\'\u0000-\u001f\u007f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g
const SHORT_ESCAPES: Record<string, string> = { '\\': '\\\\', "'": "\\'", '\n': '\\n', '\r': '\\r', '\t': '\\t' }

function escapeChar(char: string): string {
  return SHORT_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`
}

/**
 * User text made safe inside a `/** … *\/` comment: `*\/` cannot close the comment early, a line starting with
 * `@` is not a tag, line endings become `\n`, and lone surrogates and control characters (but tab) become U+FFFD
 * explicitly (the file is UTF-8).
 */
export function escapeJsDoc(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\*\//g, '*\\/')
    // A label that starts with `@` would read as a JSDoc tag.
    .replace(/(^|\n)([ \t]*)@/g, '$1$2\\@')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    // Control characters other than tab and newline have no place in a comment (and NUL marks chunks).
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '\ufffd')
}
