// Which file and parent each node of a run belongs to, so a report or a fix names a node and the
// engine finds the rest. Made once per run by one walk of the trees; fixes keep it current as they
// insert and remove nodes.
import type { Content, ParentNode } from '../syntax/types.js'
import { visit } from '../syntax/visit.js'
import type { ApacheFile, SourceFile } from './transform.js'

export interface NodePlace {
  file: ApacheFile
  parent: ParentNode
}

export class NodeIndex {
  private places: Map<Content, NodePlace> | undefined

  constructor(private readonly files: readonly SourceFile[]) {}

  get(node: Content): NodePlace | undefined {
    return this.index().get(node)
  }

  /** The file whose tree is `parent`, or holds it (a section of the run). */
  fileOfParent(parent: ParentNode): ApacheFile | undefined {
    if (parent.type === 'section') return this.get(parent)?.file
    return this.files.find((f): f is ApacheFile => f.kind === 'apache' && f.tree === parent)
  }

  /** Record a node a fix put into `parent` (with everything inside it). */
  added(node: Content, place: NodePlace): void {
    const index = this.index()
    index.set(node, place)
    if (node.type === 'section') walk(node, place.file, index)
  }

  removed(node: Content): void {
    this.index().delete(node)
  }

  private index(): Map<Content, NodePlace> {
    if (this.places === undefined) {
      this.places = new Map()
      for (const f of this.files) if (f.kind === 'apache') walk(f.tree, f, this.places)
    }
    return this.places
  }
}

/** Record every node below `top` (the iterative visit: a config may nest thousands deep). */
function walk(top: ParentNode, file: ApacheFile, into: Map<Content, NodePlace>): void {
  visit(top, (node: Content | ParentNode, _: number | undefined, parent: ParentNode | undefined) => {
    if (parent !== undefined) into.set(node as Content, { file, parent })
  })
}
