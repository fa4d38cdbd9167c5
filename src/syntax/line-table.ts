// The line table: what the scan learns about each logical line of a file, a few bytes a line, in
// parallel typed arrays. The node builder (build.ts) makes nodes from it.

// What a logical line is: a kind (the low bits), and flags.
export const BLANK = 0
export const COMMENT = 1
export const DIRECTIVE = 2
export const OPEN = 3
/** A close tag that closes a section (it is read with its section, not as a node of its own). */
export const CLOSE = 4
/** A close tag that closes nothing: a directive, marked strayClose. */
export const STRAY = 5
export const KIND_MASK = 7
/** Continued with `\`, or holding a NUL: read through lines.ts. */
export const CONTINUED = 8
/** An open tag whose section has a close tag (at `end`). */
export const CLOSED = 16
/** An open `<Macro>` tag. */
export const MACRO = 32
/**
 * A `<Macro>` whose body only balances after expansion, or a template block (its first control
 * line) whose branches do not balance on their own: the lines up to `end` are read flat (build.ts).
 */
export const FLAT = 64
/** An open tag of a template branch read as a plain line: another branch's open tag is its section's (template-blocks.ts). */
export const ALT_TAG = 128

/** What a few lines need beyond their kind (kept aside: most files have none). */
export interface LineExtra {
  /**
   * A section whose open tag is a whole template block, each branch of which opens it
   * (`{% if SSL %}` / `<VirtualHost *:443>` / `{% else %}` / `<VirtualHost *:80>` / `{% endif %}`):
   * the tag's last line (the block's, or when `split`, the first branch's open tag line: the
   * rest of the block is in the section), each branch's open tag line and statement.
   */
  compound?: { end: number; opens: number[]; when: string[]; split?: boolean }
  /**
   * A section whose close tag is a whole template block, each branch of which closes it: the
   * block's last line, the last branch's close tag line; `split`: the tag starts there (at the
   * table's `end`), the lines of the block before it are the last children (template-blocks.ts).
   */
  closeBlock?: { end: number; tag: number; split: boolean }
  /** A section closed on the close tag line of the section inside it (`</VirtualHost> </IfModule>`): its name as written there. */
  sharedClose?: string
}

export class LineTable {
  count = 0
  /** By line index: see LineExtra. */
  readonly extra = new Map<number, LineExtra>()
  /** Offset of each line's first character; start[count] is the end of the text. */
  start: Int32Array
  /** Physical line number each logical line starts on. */
  line: Int32Array
  kind: Uint8Array
  /** For an open tag: the index of the first line after its children (its close tag, if any). */
  end: Int32Array

  constructor(capacity: number) {
    this.start = new Int32Array(capacity + 1)
    this.line = new Int32Array(capacity)
    this.kind = new Uint8Array(capacity)
    this.end = new Int32Array(capacity)
  }

  /** Add a line [start, end) on physical line `line`; returns its index. */
  push(start: number, end: number, line: number, kind: number): number {
    const i = this.count
    if (i === this.line.length) this.grow()
    this.start[i] = start
    this.start[i + 1] = end
    this.line[i] = line
    this.kind[i] = kind
    this.count = i + 1
    return i
  }

  private grow(): void {
    const capacity = this.line.length * 2 + 16
    const grown = <T extends Int32Array | Uint8Array>(a: T, size: number): T => {
      const b = new (a.constructor as new (n: number) => T)(size)
      b.set(a)
      return b
    }
    this.start = grown(this.start, capacity + 1)
    this.line = grown(this.line, capacity)
    this.kind = grown(this.kind, capacity)
    this.end = grown(this.end, capacity)
  }
}
