// The data the dispatch-script reader hands out: the scan of a Python file (physical lines,
// tokens, logical lines and their statements), the virtualenv activation found in it, and what
// its removal removed or left in place.

// ---------------------------------------------------------------------------------------------
// Scanning
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
// Analysis
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
// Removal
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
