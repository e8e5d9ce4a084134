// bpmn-js for the workflow pages: a diagram to look at (pan and zoom) or to
// draw (the modeler), the Camunda 8 (zeebe:) extensions read and written so a
// file round-trips as Camunda Modeler writes it, and the few properties the
// page edits itself. Large (about 1 MB): components/BpmnCanvas.vue imports
// this module on demand, so only the pages that draw a diagram load it, with
// its styles.
import Modeler from 'bpmn-js/lib/Modeler'
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer'
import zeebe from 'zeebe-bpmn-moddle/resources/zeebe.json'
import 'bpmn-js/dist/assets/diagram-js.css'
import 'bpmn-js/dist/assets/bpmn-js.css'
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn.css'
import './bpmn.css'

// The services of bpmn-js the pages use, as far as they use them.
interface Shape {
  id: string
  type: string
  labelTarget?: unknown
  businessObject: ModdleElement
}
interface ModdleElement {
  $type: string
  id?: string
  name?: string
  extensionElements?: { values: ModdleElement[] }
  sourceRef?: ModdleElement
  targetRef?: ModdleElement
  [key: string]: unknown
}
interface Canvas {
  addMarker(id: string, marker: string): void
  removeMarker(id: string, marker: string): void
  zoom(level: 'fit-viewport', center: 'auto'): void
  scrollToElement(element: Shape): void
  getRootElement(): Shape
}
interface Registry {
  get(id: string): Shape | undefined
  getAll(): Shape[]
}
interface Overlays {
  add(id: string, type: string, overlay: { position: Record<string, number>; html: string }): void
  remove(filter: { type: string }): void
}
interface Modeling {
  updateProperties(element: Shape, properties: Record<string, unknown>): void
}
interface Moddle {
  create(type: string, attrs?: Record<string, unknown>): ModdleElement
}
interface EventBus {
  on(event: string, callback: (e: { newSelection: Shape[] }) => void): void
}
interface Selection {
  select(element: Shape): void
}

export type Diagram = InstanceType<typeof Modeler> | InstanceType<typeof NavigatedViewer>

export function createDiagram(container: HTMLElement, edit: boolean): Diagram {
  const options = { container, moddleExtensions: { zeebe } }
  return edit ? new Modeler(options) : new NavigatedViewer(options)
}

// What the page lists of a diagram's elements: flows name their ends.
export interface DiagramElement {
  id: string
  type: string // the BPMN type without its prefix: "UserTask", "SequenceFlow"
  name: string
  from?: string // a flow's source and target names
  to?: string
}

const nameOf = (bo: ModdleElement | undefined) => (bo ? bo.name || bo.id || '' : '')

export function elementsOf(diagram: Diagram): DiagramElement[] {
  const registry = diagram.get<Registry>('elementRegistry')
  return registry
    .getAll()
    .filter((e) => e.type !== 'label' && e.businessObject && e.type.startsWith('bpmn:'))
    .map((e) => {
      const bo = e.businessObject
      const element: DiagramElement = { id: e.id, type: e.type.slice(5), name: bo.name ?? '' }
      if (bo.sourceRef) {
        element.from = nameOf(bo.sourceRef)
        element.to = nameOf(bo.targetRef)
      }
      return element
    })
}

// Marks (a CSS class of bpmn.css) and badges (a short text at the top right),
// each replacing the previous ones; ids the diagram does not have are skipped.
export function decorate(diagram: Diagram, marks: Record<string, string>, badges: Record<string, string>): () => void {
  const registry = diagram.get<Registry>('elementRegistry')
  const canvas = diagram.get<Canvas>('canvas')
  const overlays = diagram.get<Overlays>('overlays')
  const placed: [string, string][] = []
  for (const [id, marker] of Object.entries(marks))
    if (registry.get(id)) {
      canvas.addMarker(id, marker)
      placed.push([id, marker])
    }
  for (const [id, text] of Object.entries(badges))
    if (registry.get(id)) {
      const badge = document.createElement('span')
      badge.className = 'xt-bpmn-badge'
      badge.textContent = text
      overlays.add(id, 'xt-badge', { position: { top: -10, right: 10 }, html: badge.outerHTML })
    }
  return () => {
    for (const [id, marker] of placed) if (registry.get(id)) canvas.removeMarker(id, marker)
    overlays.remove({ type: 'xt-badge' })
  }
}

export function fit(diagram: Diagram): void {
  diagram.get<Canvas>('canvas').zoom('fit-viewport', 'auto')
}

export function focus(diagram: Diagram, id: string): void {
  const element = diagram.get<Registry>('elementRegistry').get(id)
  if (!element) return
  diagram.get<Canvas>('canvas').scrollToElement(element)
  if (diagram instanceof Modeler) diagram.get<Selection>('selection').select(element)
}

// The properties the page edits without a full properties panel: every
// element's id and name; a user task's candidate groups and due date
// (zeebe:assignmentDefinition, zeebe:taskSchedule); a service task's job type.
export interface Properties {
  id: string
  type: string
  name: string
  candidateGroups?: string
  dueDate?: string
  jobType?: string
}

const extension = (bo: ModdleElement, type: string) => bo.extensionElements?.values.find((v) => v.$type === type)

export function onSelect(diagram: Diagram, callback: (p: Properties | null) => void): void {
  diagram.get<EventBus>('eventBus').on('selection.changed', (e) => {
    const element = e.newSelection.length === 1 ? e.newSelection[0] : null
    callback(element ? propertiesOf(diagram, element.id) : propertiesOf(diagram, null))
  })
}

// The selected element's properties; the process's when none is selected.
export function propertiesOf(diagram: Diagram, id: string | null): Properties | null {
  const element = id ? diagram.get<Registry>('elementRegistry').get(id) : diagram.get<Canvas>('canvas').getRootElement()
  if (!element?.businessObject || element.type === 'label') return null
  const bo = element.businessObject
  const p: Properties = { id: bo.id ?? element.id, type: bo.$type.slice(5), name: bo.name ?? '' }
  if (bo.$type === 'bpmn:UserTask') {
    p.candidateGroups = String(extension(bo, 'zeebe:AssignmentDefinition')?.candidateGroups ?? '')
    p.dueDate = String(extension(bo, 'zeebe:TaskSchedule')?.dueDate ?? '')
  }
  if (bo.$type === 'bpmn:ServiceTask') p.jobType = String(extension(bo, 'zeebe:TaskDefinition')?.type ?? '')
  return p
}

// Writes one property of the element `id` names (the process when it names
// the root), as one undoable step of the modeler.
export function setProperty(diagram: Diagram, id: string, key: keyof Properties, value: string): void {
  if (!(diagram instanceof Modeler)) return
  const registry = diagram.get<Registry>('elementRegistry')
  const root = diagram.get<Canvas>('canvas').getRootElement()
  const element = registry.get(id) ?? (root.businessObject.id === id ? root : undefined)
  if (!element) return
  const modeling = diagram.get<Modeling>('modeling')
  if (key === 'id' || key === 'name') {
    modeling.updateProperties(element, { [key]: value || undefined })
    return
  }
  const [type, attribute] = (
    {
      candidateGroups: ['zeebe:AssignmentDefinition', 'candidateGroups'],
      dueDate: ['zeebe:TaskSchedule', 'dueDate'],
      jobType: ['zeebe:TaskDefinition', 'type'],
    } as Record<string, [string, string]>
  )[key] ?? ['', '']
  if (!type) return
  const moddle = diagram.get<Moddle>('moddle')
  const bo = element.businessObject
  const ext = bo.extensionElements ?? (moddle.create('bpmn:ExtensionElements', { values: [] }) as unknown as { values: ModdleElement[] })
  let entry = ext.values.find((v) => v.$type === type)
  if (!entry) {
    entry = moddle.create(type)
    ext.values.push(entry)
  }
  entry[attribute] = value || undefined
  modeling.updateProperties(element, { extensionElements: ext })
}

export async function saveXML(diagram: Diagram): Promise<string> {
  const { xml } = await diagram.saveXML({ format: true })
  return xml ?? ''
}
