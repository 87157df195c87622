// A small XML well-formedness check for the tests of generated SVG: one root, every tag closed in
// order, attributes quoted, no raw '<' or bare '&' in text or attribute values, no forbidden characters.

export interface XmlElement {
  name: string
  attrs: Map<string, string>
  /** The element's direct text, entities decoded. */
  text: string
}

export interface XmlCheck {
  problems: string[]
  elements: XmlElement[]
}

const TAG = /^<(\/?)([A-Za-z][\w:.-]*)((?:\s+[A-Za-z_:][\w:.-]*="[^"]*")*)\s*(\/?)>/
const ATTR = /([A-Za-z_:][\w:.-]*)="([^"]*)"/g
const BAD_AMP = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/
const FORBIDDEN =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

const decode = (s: string) =>
  s.replace(/&(amp|lt|gt|quot|apos);/g, (_, n: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[n]!)

export function checkXml(xml: string): XmlCheck {
  const problems: string[] = []
  const elements: XmlElement[] = []
  const open: XmlElement[] = []
  let roots = 0
  let i = xml.startsWith('<?xml') ? xml.indexOf('?>') + 2 : 0
  if (FORBIDDEN.test(xml)) problems.push('a character XML 1.0 forbids')
  while (i < xml.length) {
    const lt = xml.indexOf('<', i)
    const text = xml.slice(i, lt < 0 ? xml.length : lt)
    if (BAD_AMP.test(text)) problems.push(`a bare & in text near ${JSON.stringify(text.slice(0, 40))}`)
    if (open.length) open[open.length - 1]!.text += decode(text)
    else if (text.trim()) problems.push(`text outside the root: ${JSON.stringify(text.slice(0, 40))}`)
    if (lt < 0) break
    const m = TAG.exec(xml.slice(lt))
    if (!m) {
      problems.push(`a '<' that starts no tag near ${JSON.stringify(xml.slice(lt, lt + 40))}`)
      i = lt + 1
      continue
    }
    const [whole, closing, name, attrText, selfClosing] = m
    i = lt + whole.length
    if (closing) {
      const top = open.pop()
      if (top?.name !== name) problems.push(`</${name}> closes <${top?.name ?? 'nothing'}>`)
      continue
    }
    const attrs = new Map<string, string>()
    for (const [, k, v] of attrText!.matchAll(ATTR)) {
      if (v!.includes('<') || BAD_AMP.test(v!)) problems.push(`attribute ${k} of <${name}> is not escaped: ${v}`)
      attrs.set(k!, decode(v!))
    }
    const el: XmlElement = { name: name!, attrs, text: '' }
    elements.push(el)
    if (open.length === 0) roots++
    if (!selfClosing) open.push(el)
  }
  if (open.length) problems.push(`unclosed: ${open.map((e) => `<${e.name}>`).join(' ')}`)
  if (roots !== 1) problems.push(`${roots} root elements`)
  return { problems, elements }
}
