// What a tree says about the template it was parsed from, for decisions that must advise rather
// than guess when what they rest on is only known once the template is rendered:
//
// - templated words: isTemplated(word) (templates.ts), templatedArgs(node), isTemplatedNode(node);
// - template blocks: a block is its control lines (directives whose data.control holds its
//   statements) and the nodes between them, among the children of one parent (the parser makes
//   the sections of every branch balance, so the statements of a block are always siblings).
//   templateBlocks(parent) reads them (a block that writes a section's open tag and holds more
//   lines starts in its open tag: data.opening; one whose branches close it ends in its close
//   tag: data.closing); branchesOf() says in which branches a node is (and
//   branchesByNode() for every node of a tree at once), and areAlternatives() or exclusive()
//   whether two nodes never render together;
// - lines and open tags a template writes in alternative ways: data.alternatives on the node.
import type { ParentNode } from './edit.js'
import { unbalancedStatement } from './template-lines.js'
import { isElse, isTemplated, type Control } from './templates.js'
import type { Content, Directive, Root, Section } from './types.js'

export interface TemplateBranch {
  /** The control line that starts it (for the first branch, the block's opening line). */
  control: Directive
  /** Its statement as written: `if SSL`, `elif x`, `else`, `for site in sites`. */
  statement: string
  /** Its nodes in order, nested blocks (their control lines and nodes) included. */
  children: Content[]
  /** The blocks nested in it. */
  blocks: TemplateBlock[]
}

export interface TemplateBlock {
  /** The opening statement's first word: `if`, `unless`, `for`, `block`... (`@list.each do |x|`: `@list`). */
  keyword: string
  branches: TemplateBranch[]
  /** The control line that ends it; undefined when it is never closed. */
  end: Directive | undefined
  /**
   * The last branch is an `else`: every rendering takes one of the branches. Otherwise a
   * rendering may take none (an `if` without `else`, a loop over nothing).
   */
  exhaustive: boolean
}

/** One step of the way to a node: the block it is in, and the index of the branch. */
export interface BranchStep {
  block: TemplateBlock
  branch: number
}

const controlsOf = (node: Content): readonly Control[] | undefined => (node.type === 'directive' ? node.data?.control : undefined)

/** The template blocks among the children of `parent`, outermost first (nested ones in their branches). */
export function templateBlocks(parent: ParentNode): TemplateBlock[] {
  const top: TemplateBlock[] = []
  const open: TemplateBlock[] = []
  const current = (b: TemplateBlock): TemplateBranch => b.branches[b.branches.length - 1]
  // A section whose open tag a block writes, with more lines in its branches: its children start
  // in the block's first branch (the control line that opens it is in the open tag).
  // Mirror: a block whose branches each close the section ends in its close tag (data.closing).
  const opening = parent.type === 'section' ? parent.data?.opening : undefined
  const closing = parent.type === 'section' ? parent.data?.closing : undefined
  let children = opening === undefined ? parent.children : [opening, ...parent.children]
  if (closing !== undefined) children = [...children, closing]
  for (const child of children) {
    const controls = controlsOf(child)
    let untouched = open.length
    for (const c of controls ?? []) {
      const block = open[open.length - 1]
      if (c.role === 'open') {
        const branch: TemplateBranch = { control: child as Directive, statement: c.statement, children: [], blocks: [] }
        const made: TemplateBlock = { keyword: c.keyword, branches: [branch], end: undefined, exhaustive: false }
        ;(block === undefined ? top : current(block).blocks).push(made)
        open.push(made)
      } else if (block !== undefined) {
        untouched = Math.min(untouched, open.length - 1)
        if (c.role === 'branch') {
          block.branches.push({ control: child as Directive, statement: c.statement, children: [], blocks: [] })
          block.exhaustive = isElse(c)
        } else {
          block.end = child as Directive
          open.pop()
        }
      }
    }
    // A line is a node of the branches it neither opens, switches nor ends.
    for (let k = 0; k < untouched && k < open.length; k++) current(open[k]).children.push(child)
    if (controls === undefined) for (let k = untouched; k < open.length; k++) current(open[k]).children.push(child)
  }
  return top
}

const LOOP_KEYWORDS = new Set(['for', 'while', 'until'])

/**
 * True when a block is a loop: its body renders once per item (`{% for site in sites %}`, ERB
 * `<% @sites.each do |site| %>`, EPP `<% $sites.each |$site| { %>`), so a literal name in it is
 * written once per item.
 */
export function isLoop(block: TemplateBlock): boolean {
  if (LOOP_KEYWORDS.has(block.keyword)) return true
  // Ruby and Puppet iterate with a method and a block: `x.each do |v|`, `x.each |$v| {`.
  return /^[@$]?[A-Za-z_][\w.]*\.(?:each\w*|map|times|step|upto|downto)\b/.test(block.branches[0].statement)
}

/** The blocks and branches of `parent`'s template that `child` is in, outermost first. */
function stepsIn(parent: ParentNode, child: Content): BranchStep[] {
  return stepsOfChildren(parent).get(child) ?? []
}

/** For each child of `parent` inside a template block: the blocks and branches it is in, outermost first. */
function stepsOfChildren(parent: ParentNode): Map<Content, BranchStep[]> {
  const out = new Map<Content, BranchStep[]>()
  const pending = templateBlocks(parent)
  // Outer blocks before the blocks nested in them: each child's steps come outermost first.
  for (let k = 0; k < pending.length; k++) {
    const block = pending[k]
    block.branches.forEach((branch, i) => {
      for (const child of branch.children) {
        const steps = out.get(child)
        if (steps === undefined) out.set(child, [{ block, branch: i }])
        else steps.push({ block, branch: i })
      }
      pending.push(...branch.blocks)
    })
  }
  return out
}

/**
 * The template branches `node` is in, outermost first, through every level of its `ancestors`
 * (root first, direct parent last: a NodePath's).
 */
export function branchesOf(ancestors: readonly ParentNode[], node: Content): BranchStep[] {
  const steps: BranchStep[] = []
  for (let k = 0; k < ancestors.length; k++) {
    const child = k + 1 < ancestors.length ? (ancestors[k + 1] as Section) : node
    steps.push(...stepsIn(ancestors[k], child))
  }
  return steps
}

/**
 * The template branches of every node of a tree, in one walk (nodes outside every block have
 * none): for comparing many nodes, as a model does (see exclusive()).
 */
export function branchesByNode(root: Root): Map<Content, BranchStep[]> {
  const out = new Map<Content, BranchStep[]>()
  const stack: Array<{ parent: ParentNode; steps: BranchStep[] }> = [{ parent: root, steps: [] }]
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const own = stepsOfChildren(top.parent)
    for (const child of top.parent.children) {
      const steps = [...top.steps, ...(own.get(child) ?? [])]
      out.set(child, steps)
      if (child.type === 'section') stack.push({ parent: child, steps })
    }
  }
  return out
}

/** True when steps `a` and `b` take different branches of one block: no rendering has both nodes. */
export function exclusive(a: readonly BranchStep[], b: readonly BranchStep[]): boolean {
  // The same block may be read more than once: known by its opening control line.
  const opening = (s: BranchStep): Directive => s.block.branches[0].control
  return a.some((s) => b.some((t) => opening(s) === opening(t) && s.branch !== t.branch))
}

/** True when `a` and `b` are in different branches of one template block: no rendering has both. */
export function areAlternatives(a: { node: Content; ancestors: readonly ParentNode[] }, b: { node: Content; ancestors: readonly ParentNode[] }): boolean {
  return exclusive(branchesOf(a.ancestors, a.node), branchesOf(b.ancestors, b.node))
}

/** Indexes of the args of `node` that hold template syntax (see isTemplated). */
export function templatedArgs(node: Directive | Section): number[] {
  const out: number[] = []
  node.args.forEach((arg, i) => {
    if (isTemplated(arg)) out.push(i)
  })
  return out
}

/**
 * True when what Apache would read from `node` depends on a template: its name or an arg is
 * templated, it is a template line, or a template writes it in alternative ways.
 */
export function isTemplatedNode(node: Content): boolean {
  if (node.type !== 'directive' && node.type !== 'section') return false
  if (node.data?.alternatives !== undefined || (node.type === 'directive' && node.data?.template === true)) return true
  return isTemplated(node.name) || node.args.some(isTemplated)
}

/**
 * True when a line continued with `\` runs into a template block statement (`... \` then
 * `{% if venv %}`): the engine drops the statement's line, so what follows the node in the file
 * is still part of it, inside that block. Nothing may be inserted right after it.
 */
export function continuesIntoBlock(node: Content): boolean {
  if (node.type !== 'directive' || node.data?.template !== true) return false
  return node.args.some((a) => (a.startsWith('{%') || a.startsWith('<%')) && unbalancedStatement(a) !== undefined)
}
