// Lossless handling of a mod_wsgi dispatch script (Python 2 or 3 source).
//
// Old Kallithea docs activate the virtualenv from the WSGI script (`activate_this` + `execfile`,
// or `import site` + `site.addsitedir(...)`). Once `WSGIDaemonProcess ... python-home=<venv>` sets
// the interpreter up, that code is dead weight, and on Python 3 it is broken (`execfile` is gone,
// `python3 -m venv` makes no `activate_this.py`). This module finds that boilerplate and removes
// exactly those lines, leaving every other byte of the file alone.
//
// The tokenizer only has to answer "where does each logical statement start and end, and what are
// its tokens", so it never mistakes text in strings or comments for code. It does not build an
// AST; statement shapes are matched on tokens with a tiny expression reader.

const BOM = '\uFEFF'

// ---------------------------------------------------------------------------------------------
// Types: scanning
// ---------------------------------------------------------------------------------------------

/** Line ending of a physical line; `''` only for a last line without one. */
export type Eol = '' | '\n' | '\r\n' | '\r'

/**
 * What a physical line is to Python: `start` begins a logical line, `continuation` is inside one
 * (open bracket, backslash, triple-quoted string), `comment`/`blank` belong to none.
 */
export type LineRole = 'blank' | 'comment' | 'start' | 'continuation'

export interface PhysicalLine {
  /** 1-based. */
  line: number
  /** Offset of the first character (line 1 starts at 0, before a BOM). */
  start: number
  /** Offset of the line ending (or end of text). */
  contentEnd: number
  /** Offset after the line ending. */
  end: number
  eol: Eol
  role: LineRole
  /** Index into `PythonScan.logicalLines` for `start`/`continuation` lines. */
  logical: number | null
}

export type TokenType = 'name' | 'number' | 'string' | 'op' | 'comment' | 'error'

export interface Token {
  type: TokenType
  /** Source text of the token. */
  text: string
  start: number
  end: number
  /** 1-based line of the first character. */
  line: number
  /**
   * String tokens only: the value with escapes resolved, or `null` when it is not a constant
   * (f-/t-string with replacement fields) or would read differently on Python 2 and 3 (`\u` in a
   * plain string), because a path we cannot read for sure must not drive an edit.
   */
  value?: string | null
}

/** One simple statement; a logical line holds several when they are separated by `;`. */
export interface Statement {
  /** Index into `PythonScan.logicalLines`. */
  logical: number
  startLine: number
  endLine: number
  /** Offsets of the first token's start and the last token's end. */
  start: number
  end: number
  /** Source text from the first to the last token (inner line breaks and comments included). */
  text: string
  /** Tokens without comments. */
  tokens: Token[]
  /** Other statements share the logical line (`a; b`). */
  sharedLine: boolean
  /** At module level: the logical line is not indented and is not a one-line compound statement. */
  topLevel: boolean
}

export interface LogicalLine {
  index: number
  startLine: number
  endLine: number
  /** Offset of the start of the first physical line (0 on line 1, before a BOM). */
  start: number
  /** Offset after the line ending of the last physical line. */
  end: number
  /** Leading whitespace of the first physical line. */
  indent: string
  /** Indentation column, tabs to the next multiple of 8 as Python's tokenizer counts them. */
  indentWidth: number
  /** Starts with a compound-statement keyword (`if`, `try`, `def`, ...) or a decorator. */
  compound: boolean
  /** Ends with `:` — opens an indented block. */
  opensBlock: boolean
  /** Tokens without comments. */
  tokens: Token[]
  statements: Statement[]
}

export interface ScanError {
  line: number
  message: string
}

export interface PythonScan {
  bom: boolean
  lines: PhysicalLine[]
  logicalLines: LogicalLine[]
  /** Problems Python itself would reject: unterminated strings, unbalanced brackets, bad indentation. */
  errors: ScanError[]
}

// ---------------------------------------------------------------------------------------------
// Types: analysis
// ---------------------------------------------------------------------------------------------

export interface FindingBase {
  startLine: number
  endLine: number
  /** Statement source text (first to last token). */
  text: string
  /** At module level (not inside a block or one-line compound statement). */
  topLevel: boolean
  /** Shares its line with other statements (`a; b`): never removed, so the caller can tell. */
  sharedLine: boolean
}

/** `activate_this = '<venv>/bin/activate_this.py'` (any variable name bound to such a literal). */
export interface ActivateAssignment extends FindingBase {
  name: string
  path: string
  /** `null` when the path is not an absolute `<venv>/bin/activate_this.py`. */
  venv: string | null
}

export type ExecForm = 'execfile' | 'exec(open().read())' | 'exec(compile())' | 'exec statement'

/** The call that runs `activate_this.py`. */
export interface ActivateExec extends FindingBase {
  form: ExecForm
  /** Path given through a variable bound by an `ActivateAssignment`, or inlined as a literal. */
  via: 'variable' | 'literal'
  /** Variable name when `via === 'variable'`. */
  name: string | null
  path: string
  venv: string | null
  /** Line of the assignment the variable comes from. */
  assignmentLine: number | null
}

export type SiteDirForm = 'site.addsitedir' | 'addsitedir' | 'sys.path.insert' | 'sys.path.append'

/** `site.addsitedir('<venv>/lib/pythonX.Y/site-packages')` and the `sys.path` equivalents. */
export interface SiteDirAddition extends FindingBase {
  form: SiteDirForm
  path: string
  /** `null` when the literal is not `<venv>/lib[64]/pythonX.Y/site-packages`. */
  venv: string | null
  /** `X.Y` from the path: `2.7` means Kallithea ≤ 0.5.x, `3.*` means ≥ 0.6.0. */
  pythonVersion: string | null
}

/** `import site` (`form: 'import site'`), or an import that binds `site` among others or aliased. */
export interface SiteImport extends FindingBase {
  form: 'import site' | 'multi'
}

export type UnresolvedKind = 'activate-assignment' | 'activate-exec' | 'site-dir' | 'unrecognized'

/** Activation code whose path is computed or whose shape this module does not rewrite. */
export interface Unresolved extends FindingBase {
  kind: UnresolvedKind
  reason: string
}

export interface VenvConflict {
  venv: string
  /** Start lines of the findings that name this venv. */
  lines: number[]
}

export interface DispatchAnalysis {
  lineCount: number
  activateAssignments: ActivateAssignment[]
  activateExecs: ActivateExec[]
  siteDirs: SiteDirAddition[]
  siteImports: SiteImport[]
  /** `site` is referenced by something other than imports and resolved `site.addsitedir` calls. */
  siteUsedElsewhere: boolean
  unresolved: Unresolved[]
  /** The venv every resolved finding agrees on; `null` when none or when they disagree. */
  venv: string | null
  /** Distinct resolved venvs in order of first appearance. */
  venvs: string[]
  /** One entry per venv when more than one is named; empty otherwise. */
  conflicts: VenvConflict[]
  errors: ScanError[]
}

// ---------------------------------------------------------------------------------------------
// Types: removal
// ---------------------------------------------------------------------------------------------

export type ActivationKind =
  | 'activate-assignment'
  | 'activate-exec'
  | 'addsitedir'
  | 'sys-path'
  | 'import-site'

export interface RemovedStatement {
  startLine: number
  endLine: number
  /** Exactly the removed source: whole physical lines with their line endings (no BOM). */
  text: string
  what: ActivationKind
}

export type SkipReason =
  | 'shared-line'
  | 'empty-block'
  | 'unexpected-indent'
  | 'name-used'
  | 'coding-cookie'
  | 'syntax-error'

export interface SkippedStatement {
  startLine: number
  endLine: number
  /** Statement source text. */
  text: string
  what: ActivationKind
  reason: SkipReason
  message: string
}

export interface RemovalResult {
  text: string
  removed: RemovedStatement[]
  skipped: SkippedStatement[]
}

// ---------------------------------------------------------------------------------------------
// Physical lines
// ---------------------------------------------------------------------------------------------

/** `\r` alone counts as a line break too: Python's tokenizer reads it as one. */
function splitPhysicalLines(text: string): PhysicalLine[] {
  const lines: PhysicalLine[] = []
  let start = 0
  let i = 0
  const n = text.length
  while (i < n) {
    const c = text.charCodeAt(i)
    if (c === 10 || c === 13) {
      const eol: Eol = c === 13 ? (text.charCodeAt(i + 1) === 10 ? '\r\n' : '\r') : '\n'
      const end = i + eol.length
      lines.push({ line: lines.length + 1, start, contentEnd: i, end, eol, role: 'blank', logical: null })
      start = end
      i = end
    } else {
      i++
    }
  }
  if (start < n) {
    lines.push({ line: lines.length + 1, start, contentEnd: n, end: n, eol: '', role: 'blank', logical: null })
  }
  return lines
}

// ---------------------------------------------------------------------------------------------
// Tokenizer
// ---------------------------------------------------------------------------------------------

const ID_RE = /[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*/uy
const NUM_RE = /(?:\d|\.\d)(?:[\w.]|(?<=[eE])[+-])*/y
/** Python 2 and 3 string prefixes (plus 3.14 t-strings), compared lower-cased. */
const STRING_PREFIXES = new Set([
  'r', 'u', 'b', 'f', 't', 'ur', 'br', 'rb', 'fr', 'rf', 'tr', 'rt',
])
const OPS3 = ['**=', '//=', '>>=', '<<=', '...']
const OPS2 = [
  '==', '!=', '<>', '<=', '>=', '**', '//', '<<', '>>', '->', ':=',
  '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@=',
]
const OPS1 = '+-*/%@&|^~<>()[]{},:;.=`!'
const OPENERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' }
const CLOSERS = new Set([')', ']', '}'])
const COMPOUND_KEYWORDS = new Set([
  'if', 'elif', 'else', 'for', 'while', 'try', 'except', 'finally', 'with', 'def', 'class', 'async',
])

const isQuote = (c: string | undefined): boolean => c === '"' || c === "'"
const isEolChar = (c: string | undefined): boolean => c === '\n' || c === '\r'

interface StringScan {
  end: number
  value: string | null
  error: string | null
}

/** Skip a backslash and what it escapes; `\` + CRLF escapes both characters. */
function skipEscape(text: string, i: number): number {
  if (text[i + 1] === '\r' && text[i + 2] === '\n') return i + 3
  return Math.min(i + 2, text.length)
}

/**
 * Scan a string literal whose prefix starts at `pos`. f-/t-strings are read the Python 3.12 way
 * (replacement fields may hold strings with the same quote); for code older Pythons accept this
 * gives the same boundaries, since they forbid that quote inside a field.
 */
function scanString(text: string, pos: number, prefixLen: number): StringScan {
  const n = text.length
  const prefix = text.slice(pos, pos + prefixLen).toLowerCase()
  const q = text[pos + prefixLen]!
  const q3 = q + q + q
  const triple = text.startsWith(q3, pos + prefixLen)
  const bodyStart = pos + prefixLen + (triple ? 3 : 1)
  const templ = prefix.includes('f') || prefix.includes('t')
  let fields = false
  let i = bodyStart
  while (i < n) {
    const ch = text[i]
    if (ch === '\\') {
      // `\{` in an f-string does not hide the field from Python; only skip the backslash.
      i = templ && text[i + 1] === '{' ? i + 1 : skipEscape(text, i)
      continue
    }
    if (triple ? text.startsWith(q3, i) : ch === q) {
      const end = i + (triple ? 3 : 1)
      const value = fields ? null : decodeString(text.slice(bodyStart, i), prefix)
      return { end, value, error: null }
    }
    if (!triple && isEolChar(ch)) return { end: i, value: null, error: 'unterminated string literal' }
    if (templ && ch === '{') {
      if (text[i + 1] === '{') {
        i += 2
        continue
      }
      fields = true
      i = scanField(text, i + 1, q, triple)
      continue
    }
    i++
  }
  return {
    end: n,
    value: null,
    error: triple ? 'unterminated triple-quoted string literal' : 'unterminated string literal',
  }
}

/** Scan an f-string replacement field after its `{`; returns the offset after its `}`. */
function scanField(text: string, i: number, q: string, triple: boolean): number {
  const n = text.length
  let depth = 0
  while (i < n) {
    const ch = text[i]!
    if (isEolChar(ch)) {
      if (!triple) return i
      i++
      continue
    }
    if (ch === '\\') {
      i = skipEscape(text, i)
      continue
    }
    if (isQuote(ch)) {
      i = scanString(text, i, 0).end
      continue
    }
    ID_RE.lastIndex = i
    const m = ID_RE.exec(text)
    if (m) {
      const after = i + m[0].length
      i = isQuote(text[after]) && STRING_PREFIXES.has(m[0].toLowerCase())
        ? scanString(text, i, m[0].length).end
        : after
      continue
    }
    if (ch === '(' || ch === '[' || ch === '{') depth++
    else if (ch === ')' || ch === ']') depth = Math.max(0, depth - 1)
    else if (ch === '}') {
      if (depth === 0) return i + 1
      depth--
    } else if (ch === ':' && depth === 0) return scanFormatSpec(text, i + 1, q, triple)
    i++
  }
  return i
}

/** Scan a format spec (after `:` in a field); nested `{...}` fields are allowed there. */
function scanFormatSpec(text: string, i: number, q: string, triple: boolean): number {
  const n = text.length
  const q3 = q + q + q
  while (i < n) {
    const ch = text[i]
    if (isEolChar(ch) && !triple) return i
    if (triple ? text.startsWith(q3, i) : ch === q) return i
    if (ch === '\\') {
      i = skipEscape(text, i)
      continue
    }
    if (ch === '{') {
      i = scanField(text, i + 1, q, triple)
      continue
    }
    if (ch === '}') return i + 1
    i++
  }
  return i
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v',
}

/** Resolve escapes; `null` when Python 2 and 3 would read the literal differently. */
function decodeString(body: string, prefix: string): string | null {
  const templ = prefix.includes('f') || prefix.includes('t')
  if (prefix.includes('r')) return templ ? body.replace(/\{\{/g, '{').replace(/\}\}/g, '}') : body
  let out = ''
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!
    if (ch !== '\\') {
      if (templ && (ch === '{' || ch === '}') && body[i + 1] === ch) i++
      out += ch
      continue
    }
    const nx = body[i + 1]
    if (nx === undefined) return null
    i++
    if (nx === '\n') continue
    if (nx === '\r') {
      if (body[i + 1] === '\n') i++
      continue
    }
    const simple = SIMPLE_ESCAPES[nx]
    if (simple !== undefined) {
      out += simple
      continue
    }
    if (/[0-7]/.test(nx)) {
      let digits = nx
      while (digits.length < 3 && /[0-7]/.test(body[i + 1] ?? '')) digits += body[++i]
      out += String.fromCharCode(parseInt(digits, 8))
      continue
    }
    if (nx === 'x') {
      const hex = body.slice(i + 1, i + 3)
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return null
      out += String.fromCharCode(parseInt(hex, 16))
      i += 2
      continue
    }
    if (nx === 'u' || nx === 'U' || nx === 'N') {
      if (prefix.includes('b')) {
        out += '\\' + nx
        continue
      }
      // Python 2 reads `\u` literally in a plain string, Python 3 as an escape: too ambiguous.
      return null
    }
    out += '\\' + nx
  }
  return out
}

function indentWidthOf(indent: string): number {
  let w = 0
  for (const ch of indent) {
    if (ch === ' ') w++
    else if (ch === '\t') w = (Math.floor(w / 8) + 1) * 8
    else if (ch === '\f') w = 0
  }
  return w
}

/**
 * Tokenize Python source into physical and logical lines. Never throws: problems Python would
 * reject are listed in `errors` (callers should not edit such a file).
 */
export function scanPython(text: string): PythonScan {
  const bom = text.startsWith(BOM)
  const lines = splitPhysicalLines(text)
  const n = text.length
  const errors: ScanError[] = []
  const logicalLines: LogicalLine[] = []

  const lineOf = (offset: number): number => {
    let lo = 0
    let hi = lines.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (lines[mid]!.start <= offset) lo = mid
      else hi = mid - 1
    }
    return lo + 1
  }

  let cur: Token[] = []
  let curStart: number | null = null
  const stack: Array<{ close: string; line: number }> = []
  let pos = bom ? 1 : 0

  const push = (type: TokenType, start: number, end: number, value?: string | null): Token => {
    const tok: Token = { type, text: text.slice(start, end), start, end, line: lineOf(start) }
    if (value !== undefined) tok.value = value
    if (type !== 'comment') {
      if (curStart === null) curStart = start
      cur.push(tok)
    }
    return tok
  }

  /** Close the current logical line; `lastOffset` lies on its last physical line. */
  const finish = (lastOffset: number): void => {
    if (cur.length === 0 || curStart === null) {
      cur = []
      curStart = null
      return
    }
    const startLine = lineOf(curStart)
    const endLine = lineOf(lastOffset)
    const first = lines[startLine - 1]!
    const last = lines[endLine - 1]!
    const indentFrom = first.start === 0 && bom ? 1 : first.start
    const indent = /^[ \t\f]*/.exec(text.slice(indentFrom, first.contentEnd))![0]
    const index = logicalLines.length
    const tokens = cur
    const head = tokens[0]!
    const lastTok = tokens[tokens.length - 1]!
    const opensBlock = lastTok.type === 'op' && lastTok.text === ':'
    const compound =
      (head.type === 'name' && COMPOUND_KEYWORDS.has(head.text)) ||
      (head.type === 'op' && head.text === '@') ||
      (head.type === 'name' && (head.text === 'match' || head.text === 'case') && opensBlock &&
        tokens.length > 2 && !(tokens[1]!.type === 'op' && ['=', '.', ':'].includes(tokens[1]!.text)))
    const indentWidth = indentWidthOf(indent)

    const segments: Token[][] = []
    let seg: Token[] = []
    let depth = 0
    for (const t of tokens) {
      if (t.type === 'op') {
        if (t.text in OPENERS) depth++
        else if (CLOSERS.has(t.text)) depth = Math.max(0, depth - 1)
        else if (t.text === ';' && depth === 0) {
          if (seg.length > 0) segments.push(seg)
          seg = []
          continue
        }
      }
      seg.push(t)
    }
    if (seg.length > 0) segments.push(seg)

    const statements: Statement[] = segments.map((toks) => {
      const s = toks[0]!
      const e = toks[toks.length - 1]!
      return {
        logical: index,
        startLine: s.line,
        endLine: lineOf(Math.max(e.start, e.end - 1)),
        start: s.start,
        end: e.end,
        text: text.slice(s.start, e.end),
        tokens: toks,
        sharedLine: segments.length > 1,
        topLevel: indentWidth === 0 && !compound,
      }
    })
    logicalLines.push({
      index,
      startLine,
      endLine,
      start: first.start,
      end: last.end,
      indent,
      indentWidth,
      compound,
      opensBlock,
      tokens,
      statements,
    })
    for (let l = startLine; l <= endLine; l++) {
      const pl = lines[l - 1]!
      pl.role = l === startLine ? 'start' : 'continuation'
      pl.logical = index
    }
    cur = []
    curStart = null
  }

  while (pos < n) {
    const c = text[pos]!
    if (c === ' ' || c === '\t' || c === '\f') {
      pos++
      continue
    }
    if (c === '\n' || c === '\r') {
      const len = c === '\r' && text[pos + 1] === '\n' ? 2 : 1
      if (stack.length === 0) finish(pos)
      pos += len
      continue
    }
    if (c === '#') {
      let e = pos
      while (e < n && !isEolChar(text[e])) e++
      push('comment', pos, e)
      pos = e
      continue
    }
    if (c === '\\') {
      if (isEolChar(text[pos + 1])) {
        if (curStart === null) curStart = pos
        pos = skipEscape(text, pos)
        continue
      }
      errors.push({ line: lineOf(pos), message: 'unexpected character after line continuation' })
      push('error', pos, pos + 1)
      pos++
      continue
    }
    ID_RE.lastIndex = pos
    const id = ID_RE.exec(text)
    if (id) {
      const word = id[0]
      const after = pos + word.length
      if (isQuote(text[after]) && STRING_PREFIXES.has(word.toLowerCase())) {
        const s = scanString(text, pos, word.length)
        if (s.error) errors.push({ line: lineOf(pos), message: s.error })
        push('string', pos, s.end, s.value)
        pos = s.end
        continue
      }
      push('name', pos, after)
      pos = after
      continue
    }
    if (isQuote(c)) {
      const s = scanString(text, pos, 0)
      if (s.error) errors.push({ line: lineOf(pos), message: s.error })
      push('string', pos, s.end, s.value)
      pos = s.end
      continue
    }
    NUM_RE.lastIndex = pos
    const num = NUM_RE.exec(text)
    if (num) {
      push('number', pos, pos + num[0].length)
      pos += num[0].length
      continue
    }
    const op = OPS3.find((o) => text.startsWith(o, pos)) ?? OPS2.find((o) => text.startsWith(o, pos)) ??
      (OPS1.includes(c) ? c : undefined)
    if (op !== undefined) {
      if (op in OPENERS) stack.push({ close: OPENERS[op]!, line: lineOf(pos) })
      else if (CLOSERS.has(op)) {
        const top = stack.pop()
        if (!top) errors.push({ line: lineOf(pos), message: `unmatched '${op}'` })
        else if (top.close !== op) {
          errors.push({ line: lineOf(pos), message: `closing '${op}' does not match '${top.close}' expected` })
        }
      }
      push('op', pos, pos + op.length)
      pos += op.length
      continue
    }
    const width = (c.codePointAt(0) ?? 0) > 0xffff ? 2 : 1
    errors.push({ line: lineOf(pos), message: `invalid character '${text.slice(pos, pos + width)}'` })
    push('error', pos, pos + width)
    pos += width
  }
  for (const open of stack) errors.push({ line: open.line, message: `'${open.close}' never closed` })
  finish(Math.max(0, n - 1))

  checkIndentation(logicalLines, errors)

  for (const pl of lines) {
    if (pl.logical === null) {
      const from = pl.start === 0 && bom ? 1 : pl.start
      pl.role = /^[ \t\f]*#/.test(text.slice(from, pl.contentEnd)) ? 'comment' : 'blank'
    }
  }
  return { bom, lines, logicalLines, errors }
}

/**
 * Python's indentation rules, as its tokenizer applies them: a file that breaks them does not
 * compile, and reasoning about its blocks (and so about which removals are safe) is moot.
 */
function checkIndentation(logicalLines: LogicalLine[], errors: ScanError[]): void {
  const stack = [0]
  let expectIndent = false
  for (const l of logicalLines) {
    const w = l.indentWidth
    const top = stack[stack.length - 1]!
    if (expectIndent) {
      if (w <= top) errors.push({ line: l.startLine, message: 'expected an indented block' })
      else stack.push(w)
    } else if (w > top) {
      errors.push({ line: l.startLine, message: 'unexpected indent' })
      stack.push(w)
    } else if (w < top) {
      while (stack.length > 1 && stack[stack.length - 1]! > w) stack.pop()
      if (stack[stack.length - 1] !== w) {
        errors.push({ line: l.startLine, message: 'unindent does not match any outer indentation level' })
        stack.push(w)
      }
    }
    expectIndent = l.opensBlock
  }
  const last = logicalLines[logicalLines.length - 1]
  if (expectIndent && last) errors.push({ line: last.endLine, message: 'expected an indented block' })
}

// ---------------------------------------------------------------------------------------------
// Expression reader: just enough for call chains and string literals
// ---------------------------------------------------------------------------------------------

type Expr =
  | { kind: 'str'; value: string | null }
  | { kind: 'name'; name: string }
  | { kind: 'attr'; object: Expr; name: string }
  | { kind: 'call'; callee: Expr; args: Arg[] }
  | { kind: 'other' }

interface Arg {
  keyword: string | null
  star: boolean
  value: Expr
  tokens: Token[]
}

const KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue',
  'def', 'del', 'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in',
  'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with',
  'yield',
])
const OTHER: Expr = { kind: 'other' }

const isOp = (t: Token | undefined, text: string): boolean => t?.type === 'op' && t.text === text
const isName = (t: Token | undefined, text?: string): boolean =>
  t?.type === 'name' && (text === undefined || t.text === text)

/** Index of the bracket closing the one at `i`, or -1. */
function matching(toks: Token[], i: number): number {
  let depth = 0
  for (let j = i; j < toks.length; j++) {
    const t = toks[j]!
    if (t.type !== 'op') continue
    if (t.text in OPENERS) depth++
    else if (CLOSERS.has(t.text)) {
      depth--
      if (depth === 0) return j
    }
  }
  return -1
}

/** Split on commas outside brackets. */
function splitTopLevel(toks: Token[], sep: string): Token[][] {
  const parts: Token[][] = []
  let part: Token[] = []
  let depth = 0
  for (const t of toks) {
    if (t.type === 'op') {
      if (t.text in OPENERS) depth++
      else if (CLOSERS.has(t.text)) depth--
      else if (t.text === sep && depth === 0) {
        parts.push(part)
        part = []
        continue
      }
    }
    part.push(t)
  }
  parts.push(part)
  return parts
}

function parsePrimary(toks: Token[], i: number): { expr: Expr; next: number } | null {
  const t = toks[i]
  if (!t) return null
  let expr: Expr
  if (t.type === 'string') {
    // Adjacent literals concatenate at compile time: 'a' 'b' is one constant.
    let value: string | null = ''
    while (toks[i]?.type === 'string') {
      const v: string | null | undefined = toks[i]!.value
      value = value === null || v === null || v === undefined ? null : value + v
      i++
    }
    expr = { kind: 'str', value }
  } else if (t.type === 'name' && !KEYWORDS.has(t.text)) {
    expr = { kind: 'name', name: t.text }
    i++
  } else if (isOp(t, '(')) {
    const j = matching(toks, i)
    if (j < 0) return null
    const inner = toks.slice(i + 1, j)
    expr = inner.length === 0 || splitTopLevel(inner, ',').length > 1 ? OTHER : parseSlice(inner)
    i = j + 1
  } else {
    return null
  }
  for (;;) {
    const tr = toks[i]
    if (isOp(tr, '.') && isName(toks[i + 1])) {
      expr = { kind: 'attr', object: expr, name: toks[i + 1]!.text }
      i += 2
    } else if (isOp(tr, '(')) {
      const j = matching(toks, i)
      if (j < 0) return null
      expr = { kind: 'call', callee: expr, args: parseArgs(toks.slice(i + 1, j)) }
      i = j + 1
    } else if (isOp(tr, '[')) {
      const j = matching(toks, i)
      if (j < 0) return null
      expr = OTHER
      i = j + 1
    } else {
      break
    }
  }
  return { expr, next: i }
}

/** Read a whole token slice as one primary expression; anything else is `other`. */
function parseSlice(toks: Token[]): Expr {
  const r = parsePrimary(toks, 0)
  return r && r.next === toks.length ? r.expr : OTHER
}

function parseArgs(toks: Token[]): Arg[] {
  if (toks.length === 0) return []
  const parts = splitTopLevel(toks, ',')
  if (parts[parts.length - 1]!.length === 0) parts.pop()
  return parts.map((p) => {
    if (isOp(p[0], '*') || isOp(p[0], '**')) {
      return { keyword: null, star: true, value: parseSlice(p.slice(1)), tokens: p }
    }
    if (isName(p[0]) && isOp(p[1], '=')) {
      return { keyword: p[0]!.text, star: false, value: parseSlice(p.slice(2)), tokens: p }
    }
    return { keyword: null, star: false, value: parseSlice(p), tokens: p }
  })
}

const positional = (args: Arg[]): Arg[] => args.filter((a) => a.keyword === null && !a.star)

/** Dotted name of a callee (`site.addsitedir`), or null. */
function dotted(e: Expr): string | null {
  if (e.kind === 'name') return e.name
  if (e.kind === 'attr') {
    const o = dotted(e.object)
    return o === null ? null : `${o}.${e.name}`
  }
  return null
}

const OPENERS_OF_FILES = new Set(['open', 'file', 'io.open', 'codecs.open'])

/** `open(P).read()` => P. */
function readOfOpen(e: Expr): { path: Expr } | null {
  if (e.kind !== 'call' || e.args.length !== 0 || e.callee.kind !== 'attr' || e.callee.name !== 'read') {
    return null
  }
  const opener = e.callee.object
  if (opener.kind !== 'call') return null
  const name = dotted(opener.callee)
  const first = positional(opener.args)[0]
  if (name === null || !OPENERS_OF_FILES.has(name) || !first) return null
  return { path: first.value }
}

/** The code argument of `exec`: `open(P).read()` or `compile(open(P).read(), ...)`. */
function execCode(e: Expr): { form: ExecForm; path: Expr } | null {
  const direct = readOfOpen(e)
  if (direct) return { form: 'exec(open().read())', path: direct.path }
  if (e.kind === 'call' && dotted(e.callee) === 'compile') {
    const src = positional(e.args)[0]
    const inner = src ? readOfOpen(src.value) : null
    if (inner) return { form: 'exec(compile())', path: inner.path }
  }
  return null
}

// ---------------------------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------------------------

/** Collapse `//` and `/./`, drop a trailing `/`: the same directory written two ways must match. */
function normalizePath(p: string): string {
  let out = p.replace(/\/{2,}/g, '/')
  while (out.includes('/./')) out = out.replace('/./', '/')
  if (out.length > 1 && out.endsWith('/')) out = out.replace(/\/+$/, '') || '/'
  return out
}

/** `<venv>/bin/activate_this.py` => `<venv>`; relative paths depend on the cwd, so they do not count. */
function venvFromActivate(path: string): string | null {
  const m = /^(.*)\/bin\/activate_this\.py$/.exec(normalizePath(path))
  if (!m || !path.startsWith('/')) return null
  return m[1] === '' ? '/' : m[1]!
}

/** `<venv>/lib[64]/pythonX.Y/site-packages` => `<venv>`, `X.Y`. */
function venvFromSitePackages(path: string): { venv: string; pythonVersion: string } | null {
  const m = /^(\/.*)\/lib(?:64)?\/python(\d+(?:\.\d+)*)\/site-packages$/.exec(normalizePath(path))
  return m ? { venv: m[1]!, pythonVersion: m[2]! } : null
}

const isActivateFile = (path: string): boolean => /(?:^|\/)activate_this\.py$/.test(path)

/**
 * Does the token slice build an activate_this.py path (used to flag computed paths)? Only the
 * variable name and a string ending in the file name count, so prose in strings does not.
 */
function mentionsActivate(toks: Token[]): boolean {
  return toks.some(
    (t) =>
      (t.type === 'name' && t.text.includes('activate_this')) ||
      (t.type === 'string' && /activate_this\.py(?:['"]{1,3})?$/.test(t.value ?? t.text)),
  )
}

function mentionsSitePackages(toks: Token[]): boolean {
  return toks.some((t) => t.type === 'string' && /site-packages|dist-packages|\/lib\/python/.test(t.text))
}

// ---------------------------------------------------------------------------------------------
// Analysis
// ---------------------------------------------------------------------------------------------

interface Stmt extends Statement {
  order: number
}

interface Binding {
  stmt: Stmt
  name: string
  /** The value is (or is about) an activate_this.py path. */
  activate: boolean
  path: string | null
  venv: string | null
}

interface Internal {
  scan: PythonScan
  stmts: Stmt[]
  bindings: Map<string, Binding[]>
  assignments: Array<{ stmt: Stmt; finding: ActivateAssignment; binding: Binding }>
  execs: Array<{ stmt: Stmt; finding: ActivateExec }>
  siteDirs: Array<{ stmt: Stmt; finding: SiteDirAddition }>
  siteImports: Array<{ stmt: Stmt; finding: SiteImport }>
  unresolved: Unresolved[]
}

function base(s: Stmt): FindingBase {
  return { startLine: s.startLine, endLine: s.endLine, text: s.text, topLevel: s.topLevel, sharedLine: s.sharedLine }
}

const isImportStmt = (s: Statement): boolean => isName(s.tokens[0], 'import') || isName(s.tokens[0], 'from')

/**
 * Does the statement read `name`? Attribute names (`x.name`), import targets and the target of
 * a plain `name = ...` are bindings or other names, not reads. Keyword arguments count as reads:
 * that keeps more code, which is the safe side.
 */
function usesName(s: Statement, name: string): boolean {
  const toks = s.tokens
  const importing = isImportStmt(s)
  return toks.some((t, i) => {
    if (t.type !== 'name' || t.text !== name) return false
    const prev = toks[i - 1]
    if (isOp(prev, '.')) return false
    if (isName(prev, 'import') || isName(prev, 'from') || isName(prev, 'as')) return false
    if (importing && isOp(prev, ',')) return false
    if (i === 0 && isOp(toks[1], '=')) return false
    return true
  })
}

/**
 * Bindings of `name` that may reach statement `s`. At module level that is the nearest preceding
 * module-level binding plus any conditional ones after it; code in blocks (functions, loops) may
 * run at any time, so every binding may reach it.
 */
function reaching(bindings: Map<string, Binding[]>, name: string, s: Stmt): Binding[] {
  const all = bindings.get(name) ?? []
  if (!s.topLevel) return all
  const before = all.filter((b) => b.stmt.order < s.order)
  let lastTop = -1
  before.forEach((b, i) => {
    if (b.stmt.topLevel) lastTop = i
  })
  return lastTop < 0 ? before : before.slice(lastTop)
}

function analyzeInternal(text: string): Internal {
  const scan = scanPython(text)
  const stmts: Stmt[] = []
  for (const ll of scan.logicalLines) for (const st of ll.statements) stmts.push({ ...st, order: stmts.length })

  const bindings = new Map<string, Binding[]>()
  const bindingOf = new Map<Stmt, Binding>()
  for (const s of stmts) {
    const toks = s.tokens
    if (!(isName(toks[0]) && !KEYWORDS.has(toks[0]!.text) && isOp(toks[1], '=') && toks.length > 2)) continue
    const name = toks[0]!.text
    const valueToks = toks.slice(2)
    const value = parseSlice(valueToks)
    let b: Binding
    if (value.kind === 'str' && value.value !== null && isActivateFile(value.value)) {
      b = { stmt: s, name, activate: true, path: value.value, venv: venvFromActivate(value.value) }
    } else {
      // `activate_this = None` (a reset) is not an activation path; anything else under that name is.
      const constant = valueToks.length === 1 && (valueToks[0]!.type === 'number' || KEYWORDS.has(valueToks[0]!.text))
      const activate = (name === 'activate_this' && !constant) || mentionsActivate(valueToks)
      b = { stmt: s, name, activate, path: null, venv: null }
    }
    bindings.set(name, [...(bindings.get(name) ?? []), b])
    bindingOf.set(s, b)
  }

  const out: Internal = {
    scan, stmts, bindings, assignments: [], execs: [], siteDirs: [], siteImports: [], unresolved: [],
  }
  const unresolved = (s: Stmt, kind: UnresolvedKind, reason: string): void => {
    out.unresolved.push({ ...base(s), kind, reason })
  }

  /** Resolve the path argument of an exec/execfile call; returns false when not activation. */
  const handleExec = (s: Stmt, form: ExecForm, p: Expr, argToks: Token[]): boolean => {
    if (p.kind === 'str') {
      if (p.value === null) {
        if (!mentionsActivate(argToks)) return false
        unresolved(s, 'activate-exec', 'the activate_this.py path is built at run time')
        return true
      }
      if (!isActivateFile(p.value)) return false
      const venv = venvFromActivate(p.value)
      out.execs.push({
        stmt: s,
        finding: { ...base(s), form, via: 'literal', name: null, path: p.value, venv, assignmentLine: null },
      })
      if (venv === null) unresolved(s, 'activate-exec', `'${p.value}' is not an absolute <venv>/bin/activate_this.py`)
      return true
    }
    if (p.kind === 'name') {
      const reach = reaching(bindings, p.name, s)
      const related = reach.some((b) => b.activate) || p.name === 'activate_this'
      if (!related) return false
      const venvs = new Set(reach.map((b) => b.venv))
      const nearest = reach[reach.length - 1]
      if (reach.length > 0 && reach.every((b) => b.activate && b.venv !== null) && venvs.size === 1 && nearest) {
        out.execs.push({
          stmt: s,
          finding: {
            ...base(s), form, via: 'variable', name: p.name, path: nearest.path!, venv: nearest.venv,
            assignmentLine: nearest.stmt.startLine,
          },
        })
        return true
      }
      const reason = reach.length === 0
        ? `no assignment to ${p.name} found that reaches this line`
        : reach.some((b) => b.path === null)
          ? `${p.name} is not assigned a plain string literal`
          : reach.some((b) => b.venv === null)
            ? `${p.name} is not an absolute <venv>/bin/activate_this.py`
            : `${p.name} may hold different paths here`
      unresolved(s, 'activate-exec', reason)
      return true
    }
    if (!mentionsActivate(argToks)) return false
    unresolved(s, 'activate-exec', 'the activate_this.py path is computed')
    return true
  }

  const handleSiteDir = (s: Stmt, form: SiteDirForm, arg: Arg): boolean => {
    const p = arg.value
    const sysPath = form.startsWith('sys.path')
    if (p.kind === 'str' && p.value !== null) {
      const sp = venvFromSitePackages(p.value)
      out.siteDirs.push({
        stmt: s,
        finding: { ...base(s), form, path: p.value, venv: sp?.venv ?? null, pythonVersion: sp?.pythonVersion ?? null },
      })
      return true
    }
    // A computed sys.path entry is usually the app's own directory; flag only venv-looking ones.
    if (sysPath && !mentionsSitePackages(arg.tokens) && !mentionsActivate(arg.tokens)) return false
    unresolved(s, 'site-dir', p.kind === 'str' ? 'the path is built at run time' : 'the path is computed, not a string literal')
    return true
  }

  const classify = (s: Stmt): boolean => {
    const toks = s.tokens
    if (isName(toks[0], 'import')) {
      const groups = splitTopLevel(toks.slice(1), ',')
      if (toks.length === 2 && isName(toks[1], 'site')) {
        out.siteImports.push({ stmt: s, finding: { ...base(s), form: 'import site' } })
        return true
      }
      if (groups.some((g) => isName(g[0], 'site') && (g.length === 1 || isName(g[1], 'as')))) {
        out.siteImports.push({ stmt: s, finding: { ...base(s), form: 'multi' } })
        return true
      }
      return false
    }
    if (isImportStmt(s)) return false

    const b = bindingOf.get(s)
    if (b) {
      if (!b.activate) return false
      if (b.path !== null) {
        const finding: ActivateAssignment = { ...base(s), name: b.name, path: b.path, venv: b.venv }
        out.assignments.push({ stmt: s, finding, binding: b })
        if (b.venv === null) {
          unresolved(s, 'activate-assignment', `'${b.path}' is not an absolute <venv>/bin/activate_this.py`)
        }
      } else {
        unresolved(s, 'activate-assignment', 'the activate_this.py path is computed, not a string literal')
      }
      return true
    }

    const e = parseSlice(toks)
    if (e.kind === 'call') {
      const callee = dotted(e.callee)
      const pos = positional(e.args)
      if (callee === 'execfile' && pos[0]) return handleExec(s, 'execfile', pos[0].value, pos[0].tokens)
      if (callee === 'exec' && pos[0]) {
        const code = execCode(pos[0].value)
        if (code) return handleExec(s, code.form, code.path, pos[0].tokens)
        return false
      }
      if (callee === 'site.addsitedir' || callee === 'addsitedir') {
        const dir = pos[0] ?? e.args.find((x) => x.keyword === 'sitedir')
        if (dir) return handleSiteDir(s, callee, dir)
      }
      if (callee === 'sys.path.insert' && pos.length === 2) return handleSiteDir(s, callee, pos[1]!)
      if (callee === 'sys.path.append' && pos.length === 1) return handleSiteDir(s, callee, pos[0]!)
      return false
    }
    // Python 2 statement form: `exec open(p).read() in globals`.
    if (isName(toks[0], 'exec')) {
      let depth = 0
      let inAt = -1
      for (let i = 1; i < toks.length && inAt < 0; i++) {
        const t = toks[i]!
        if (t.type === 'op' && t.text in OPENERS) depth++
        else if (t.type === 'op' && CLOSERS.has(t.text)) depth--
        else if (depth === 0 && isName(t, 'in')) inAt = i
      }
      const codeToks = toks.slice(1, inAt < 0 ? toks.length : inAt)
      const code = execCode(parseSlice(codeToks))
      if (code) return handleExec(s, 'exec statement', code.path, codeToks)
    }
    return false
  }

  for (const s of stmts) {
    if (classify(s) || isImportStmt(s)) continue
    const names = new Set(s.tokens.filter((t) => t.type === 'name').map((t) => t.text))
    if (names.has('execfile') || names.has('addsitedir') || (names.has('exec') && mentionsActivate(s.tokens))) {
      unresolved(s, 'unrecognized', 'activation code in a shape this tool does not rewrite')
    }
  }
  return out
}

/** Report the virtualenv activation code of a WSGI dispatch script, with 1-based line ranges. */
export function analyzeDispatchScript(text: string): DispatchAnalysis {
  const a = analyzeInternal(text)
  const byVenv = new Map<string, number[]>()
  const note = (venv: string | null, line: number): void => {
    if (venv === null) return
    const lines = byVenv.get(venv) ?? []
    if (!lines.includes(line)) lines.push(line)
    byVenv.set(venv, lines)
  }
  const located = [
    ...a.assignments.map((x) => x.finding),
    ...a.execs.map((x) => x.finding),
    ...a.siteDirs.map((x) => x.finding),
  ].sort((x, y) => x.startLine - y.startLine)
  for (const f of located) note(f.venv, f.startLine)

  const boilerplate = new Set<Stmt>(
    a.siteDirs.filter((x) => x.finding.form === 'site.addsitedir' && x.finding.venv !== null).map((x) => x.stmt),
  )
  const siteUsedElsewhere = a.stmts.some((s) => !boilerplate.has(s) && usesName(s, 'site'))
  const venvs = [...byVenv.keys()]
  return {
    lineCount: a.scan.lines.length,
    activateAssignments: a.assignments.map((x) => x.finding),
    activateExecs: a.execs.map((x) => x.finding),
    siteDirs: a.siteDirs.map((x) => x.finding),
    siteImports: a.siteImports.map((x) => x.finding),
    siteUsedElsewhere,
    unresolved: a.unresolved,
    venv: venvs.length === 1 ? venvs[0]! : null,
    venvs,
    conflicts: venvs.length > 1 ? venvs.map((venv) => ({ venv, lines: byVenv.get(venv)! })) : [],
    errors: a.scan.errors,
  }
}

// ---------------------------------------------------------------------------------------------
// Removal
// ---------------------------------------------------------------------------------------------

interface Candidate {
  stmt: Stmt
  what: ActivationKind
  binding: Binding | null
  siteForm: SiteDirForm | null
}

/** A coding declaration only counts on line 1, or on line 2 after a comment or blank line 1. */
const COOKIE_RE = /^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+/
function cookieLine(lineNumbers: number[], content: (line: number) => string): number | null {
  const first = lineNumbers[0]
  if (first === undefined) return null
  const c1 = content(first)
  if (COOKIE_RE.test(c1)) return first
  if (!/^[ \t\f]*(?:#.*)?$/.test(c1)) return null
  const second = lineNumbers[1]
  return second !== undefined && COOKIE_RE.test(content(second)) ? second : null
}

/**
 * Remove the virtualenv activation statements that refer to exactly `venv` (the one
 * `python-home` now sets up), as whole physical lines. Everything else stays byte for byte.
 * Statements it will not remove safely are listed in `skipped` with the reason.
 */
export function removeVenvActivation(text: string, venv: string): RemovalResult {
  const target = normalizePath(venv)
  const a = analyzeInternal(text)
  const { scan } = a

  const cands: Candidate[] = []
  for (const x of a.assignments) {
    if (x.finding.venv === target) cands.push({ stmt: x.stmt, what: 'activate-assignment', binding: x.binding, siteForm: null })
  }
  for (const x of a.execs) {
    if (x.finding.venv === target) cands.push({ stmt: x.stmt, what: 'activate-exec', binding: null, siteForm: null })
  }
  for (const x of a.siteDirs) {
    if (x.finding.venv !== target) continue
    const what: ActivationKind = x.finding.form.startsWith('sys.path') ? 'sys-path' : 'addsitedir'
    cands.push({ stmt: x.stmt, what, binding: null, siteForm: x.finding.form })
  }
  // `import site` is part of the boilerplate only where a `site.addsitedir` of this venv goes.
  if (cands.some((c) => c.siteForm === 'site.addsitedir')) {
    for (const x of a.siteImports) {
      if (x.finding.form === 'import site') cands.push({ stmt: x.stmt, what: 'import-site', binding: null, siteForm: null })
    }
  }
  cands.sort((x, y) => x.stmt.order - y.stmt.order)

  const skipped = new Map<Candidate, { reason: SkipReason; message: string }>()
  const skip = (c: Candidate, reason: SkipReason, message: string): void => {
    if (!skipped.has(c)) skipped.set(c, { reason, message })
  }
  for (const c of cands) {
    if (scan.errors.length > 0) {
      skip(c, 'syntax-error', `Python would reject this file (line ${scan.errors[0]!.line}: ${scan.errors[0]!.message}); it is left alone`)
    } else if (c.stmt.sharedLine) {
      skip(c, 'shared-line', 'other statements share this line (separated by ;)')
    }
  }

  const live = (): Candidate[] => cands.filter((c) => !skipped.has(c))
  /**
   * Keep enough of `group` to hold a line in place. An `import site` is enough on its own, and
   * keeping it rather than the activation makes a second run agree: once its `site.addsitedir`
   * partner is gone, it is no longer a candidate, and the rest would go then.
   */
  const skipPreferringImports = (group: Candidate[], reason: SkipReason, message: string): boolean => {
    const imports = group.filter((c) => c.what === 'import-site')
    for (const c of imports.length > 0 ? imports : group) skip(c, reason, message)
    return group.length > 0
  }
  const ll = scan.logicalLines

  // Each pass applies the first rule that keeps something, then starts over with fresh state:
  // keeping one statement can change what the others need. Passes only ever shrink the set.
  for (let changed = true; changed;) {
    changed = false
    const removing = new Set(live().map((c) => c.stmt))
    const removedLogical = new Set([...removing].map((s) => s.logical))

    // A block must keep at least one statement, or Python rejects the file.
    for (const c of live()) {
      const li = c.stmt.logical
      const w = ll[li]!.indentWidth
      if (w === 0) continue
      let h = li - 1
      while (h >= 0 && ll[h]!.indentWidth >= w) h--
      if (h < 0 || !ll[h]!.opensBlock) {
        skip(c, 'unexpected-indent', 'indented without a block header above it')
        changed = true
        break
      }
      const children: number[] = []
      for (let j = h + 1; j < ll.length && ll[j]!.indentWidth >= w; j++) {
        if (ll[j]!.indentWidth === w) children.push(j)
      }
      if (children.every((j) => removedLogical.has(j))) {
        const inBlock = live().filter((d) => children.includes(d.stmt.logical))
        changed = skipPreferringImports(inBlock, 'empty-block', `removing it would leave the block opened on line ${ll[h]!.startLine} empty`)
        if (changed) break
      }
    }
    if (changed) continue

    // A variable or `site` still read by code that stays must stay bound.
    const remaining = a.stmts.filter((s) => !removing.has(s))
    for (const c of live()) {
      if (c.what === 'activate-assignment' && c.binding) {
        const b = c.binding
        const user = remaining.find((s) => usesName(s, b.name) && reaching(a.bindings, b.name, s).includes(b))
        if (user) {
          skip(c, 'name-used', `${b.name} is still used on line ${user.startLine}`)
          changed = true
          break
        }
      } else if (c.what === 'import-site') {
        const user = remaining.find((s) => usesName(s, 'site'))
        if (user) {
          skip(c, 'name-used', `site is still used on line ${user.startLine}`)
          changed = true
          break
        }
      }
    }
    if (changed) continue

    // Removing lines above a later `coding:` comment could make it the file's declared encoding.
    const removedLines = new Set<number>()
    for (const c of live()) {
      const l = ll[c.stmt.logical]!
      for (let n = l.startLine; n <= l.endLine; n++) removedLines.add(n)
    }
    const content = (n: number): string => {
      const pl = scan.lines[n - 1]!
      return text.slice(pl.start === 0 && scan.bom ? 1 : pl.start, pl.contentEnd)
    }
    const all = scan.lines.map((l) => l.line)
    const before = cookieLine(all, content)
    const after = cookieLine(all.filter((n) => !removedLines.has(n)), content)
    if (after !== null && after !== before) {
      const above = live().filter((c) => c.stmt.startLine < after)
      changed = skipPreferringImports(above, 'coding-cookie', `removing it would make the coding declaration on line ${after} take effect`)
    }
  }

  const removed: RemovedStatement[] = []
  let result = ''
  let at = 0
  for (const c of live()) {
    const l = ll[c.stmt.logical]!
    const start = l.start === 0 && scan.bom ? 1 : l.start
    result += text.slice(at, start)
    removed.push({ startLine: l.startLine, endLine: l.endLine, text: text.slice(start, l.end), what: c.what })
    at = l.end
  }
  result += text.slice(at)

  return {
    text: result,
    removed,
    skipped: cands.flatMap((c) => {
      const s = skipped.get(c)
      return s
        ? [{ startLine: c.stmt.startLine, endLine: c.stmt.endLine, text: c.stmt.text, what: c.what, ...s }]
        : []
    }),
  }
}
