// The shapes of the API's answers the pages use (see src/http/*_handlers.cc).

export type Role =
  | 'resident'
  | 'operator'
  | 'handler'
  | 'unit_lead'
  | 'supervisor'
  | 'leader'
  | 'data_officer'
  | 'admin'

export interface Membership {
  id: string
  unit_id: string
  unit_name: string
  role: Role
}

export interface Principal {
  id: string
  username: string
  display_name: string
  kind: 'staff' | 'resident'
  memberships: Membership[]
  phone?: string | null // when the server tells it (the login's answer does)
}

export interface Account extends Principal {
  disabled: boolean
  created_at: string
  version: number
}

export interface Place {
  address: string
  lat: number | null
  lon: number | null
  grid_id: string | null
  community_id: string | null
  street_id: string | null
  district_id: string | null
}

export interface MatterRef {
  id: string
  code: string
  name: string
}

export type Status =
  | 'received'
  | 'dispatched'
  | 'signed'
  | 'handling'
  | 'replied'
  | 'callback'
  | 'closed'
  | 'merged'

export interface Req {
  id: string
  number: string
  channel: string
  title: string
  text: string
  matter_id: string | null
  matter_version: number
  parent_id: string | null
  matter: MatterRef | null
  place: Place
  contact: { name: string; phone: string }
  anonymous: boolean
  requester_id: string | null
  created_by: string | null
  external_id: string | null
  centre_id: string | null
  attachment_ids: string[]
  reply_attachment_ids: string[] // photos taken after handling (处置后照片), sent with the reply
  status: Status
  unit_id: string | null
  unit_name: string
  received_at: string | null
  dispatched_at: string | null
  signed_at: string | null
  replied_at: string | null
  closed_at: string | null
  sign_due: string | null
  finish_due: string | null
  sign_warn_at: string | null
  finish_warn_at: string | null
  return_until: string | null
  sign_late: boolean
  finish_late: boolean
  warned: boolean
  return_requested: boolean
  return_reason: string
  extension_days: number
  extension_reason: string
  reply: string
  resolved: boolean | null
  satisfaction: 'satisfied' | 'basically_satisfied' | 'dissatisfied' | null
  feedback: string
  dispatch_count: number
  reopen_count?: number
  version: number
  updated_at: string | null
  // In a list only: in the caller's work because one of their departments
  // was summoned (吹哨报到), not because it was given to them.
  summoned?: boolean
}

export interface Summons {
  id: string
  department_id: string
  department_name: string
  summoned_by: string
  reason: string
  created_at: string | null
  report_due: string | null
  reported_at: string | null
  report: string
  late: boolean
}

export interface ReplyQuality {
  overall: number
  relevance: number
  completeness: number
  timeliness: number
  reasons: string[]
}

export interface Detail {
  request: Req
  summonses: Summons[]
  merged: { id: string; number: string }[]
  allowed: string[]
  reply_quality?: ReplyQuality
}

export interface TimelineEvent {
  seq?: number
  at: string
  actor?: string
  action: string
  payload: Record<string, unknown> | string
}

export interface Suggestion {
  matter: MatterRef
  confidence: number
}

export interface Duplicate {
  id: string
  number: string
  title: string
  status: Status
  unit_name: string
  received_at: string
  score: number
  mergeable: boolean
}

export interface Preview {
  suggestions: Suggestion[]
  suggested_by: string
  model_version: string // the classifier's ("v7", "file"); "" for keywords
  duplicates: Duplicate[]
  matter: MatterRef | null
  place: Place
  route: { unit_id: string; unit_name: string; rule: string } | null
  problem: string | null
  sign_due: string | null
  finish_due: string | null
  return_until: string | null
}

export interface Unit {
  id: string
  parent_id: string | null
  kind: string
  code: string
  name: string
  geometry?: GeoJSON
  created_at: string
  version: number
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type GeoJSON = { type: string; coordinates: any }

export interface RankRow {
  rank: number
  unit_id: string
  unit_name: string
  unit_kind: string
  dispatched: number
  replied: number
  rated: number
  resolved: number
  satisfied: number
  basically_satisfied: number
  dissatisfied: number
  summoned: number
  summons_late: number
  responded_on_time: number
  response_rate: number | null
  resolution_rate: number | null
  satisfaction_rate: number | null
  score: number
}

// Requests counted by where they are (GET /stats/places): per grid,
// community, street (streets and townships) or district.
export type PlaceLevel = 'grid' | 'community' | 'street' | 'district'
export interface PlaceCounts {
  level: PlaceLevel
  items: { unit_id: string; count: number }[]
}

// A cluster of similar requests in a period (GET /stats/hotspots).
// A request a task force works on, as its members see it.
export interface LinkedRequest {
  id: string
  number: string
  title: string
  status: string
  unit_name: string | null
  received_at: string
}

export interface Hotspot {
  title: string
  representative_id: string
  place: string
  first_at: string
  last_at: string
  count: number
  support: number
  recent: number
  previous: number
  score: number
  request_ids: string[]
}

export interface Matter {
  id: string
  code: string
  name: string
  name_en?: string
  handler?: string
  level: number
  parent_id: string | null
  legal_basis: string
  keywords: string[]
  active: boolean
  version: number
  updated_at: string
  [key: string]: unknown
}

// Workflow (流程): BPMN definitions, their instances, user tasks and
// incidents (src/http/workflow_handlers.cc).
export interface Deployed {
  id: string
  process_id: string
  version: number
  unchanged: boolean // the same XML as the newest version: no new version
}

export interface Definition {
  id: string
  process_id: string
  version: number
  name: string
  deployed_by: string
  deployed_at: string | null
}

// Per element: how often a token arrived and how long it waited there; per
// flow: how often it was taken.
export interface DefinitionDetail extends Definition {
  xml: string
  analytics: {
    elements: { element_id: string; visits: number; median_wait_ms: number; p90_wait_ms: number }[]
    flows: { flow_id: string; taken: number }[]
  }
}

export type InstanceState = 'active' | 'completed' | 'terminated' | 'incident'

export interface Instance {
  id: string
  definition_id: string
  process_id: string
  version: number
  state: InstanceState
  active_elements: string[]
  variables: Record<string, unknown>
  incident: string | null
  started_at: string | null
  ended_at: string | null
}

export interface Task {
  id: string
  instance_id: string
  process_id: string
  element_id: string
  name: string
  candidate_groups: string // comma-separated: "<unit code>" or "<unit code>:<role>"
  assignee: string
  due: string | null
  created_at: string | null
  variables: Record<string, unknown>
}

export interface Incident {
  instance_id: string
  element_id: string
  job_key: string | null
  message: string
}

// A BPMN file the server refused: every problem, where it is.
export interface BpmnProblem {
  element_id: string | null
  line: number
  reason: string
}

// 一件事 (高效办成一件事): bundles of several departments' matters applied for
// with one form (src/http/services_handlers.cc).
export type Audience = 'person' | 'company'

// One department's matter within a bundle, and the licence it issues.
export interface ServicePart {
  key: string
  title: string
  title_en: string
  unit_code: string
  unit_name: string
  promised_days: number
  certificate: string | null
  certificate_en: string | null
}

export interface Service {
  id: string
  code: string
  version: number
  title: string
  title_en: string
  summary: string
  summary_en: string
  audience: Audience
  promised_days: number
  process_id: string
  parts: ServicePart[]
  applications: number
}

export type FieldType = 'text' | 'textarea' | 'number' | 'date' | 'id_number' | 'uscc' | 'phone' | 'choice' | 'boolean'

// A field of the one form (一表申请); listed once however many parts use it.
export interface ServiceField {
  key: string
  label: string
  label_en: string
  type: FieldType
  required: boolean
  parts: string[]
  hint: string
  hint_en: string
  options: { value: string; label: string; label_en: string }[] // choice only; else empty
  max_length: number // text types, in characters
}

export interface ServiceMaterial {
  key: string
  name: string
  name_en: string
  required: boolean
  note: string
  note_en: string
  parts: string[]
}

// The 一次告知 page: all a person must know and bring, at once.
export interface ServiceDetail extends Service {
  conditions: { text: string; text_en: string }[]
  fees: { name: string; name_en: string; amount_fen: number }[]
  materials: ServiceMaterial[]
  fields: ServiceField[]
  // The definition as POST /api/v1/services takes it (to edit a new version).
  definition: Record<string, unknown>
}

export type FormValue = string | number | boolean | null

export interface Prefill {
  values: Record<string, FormValue>
  sources: Record<string, 'account' | 'previous'>
}

export type ApplicationStatus = 'submitted' | 'in_progress' | 'correction' | 'completed'
export type PartStatus = 'waiting' | 'in_review' | 'correction' | 'approved' | 'rejected' | 'skipped'

// One department's part of an application (its clock stops during 补正).
export interface AppPart {
  key: string
  title: string
  title_en: string
  unit_code: string
  unit_name: string
  status: PartStatus
  promised_days: number
  opened_at: string | null
  due_at: string | null
  decided_at: string | null
  decided_by: string | null
  reason: string | null
  comment: string | null
  correction: { reason: string; items: string[]; asked_at: string } | null
  corrections: number
}

// 电子证照, checked by anyone at verify_url.
export interface Certificate {
  number: string
  code: string
  title: string
  title_en: string
  part: string
  issued_at: string
  verify_url: string
}

export interface MaterialFile {
  id: string
  content_type: string
  size: number
}

export interface ApplicationEvent {
  at: string
  kind: string
  part: string | null
  actor_name: string | null
  detail: string | null
}

export interface Rating {
  score: number
  reasons: string[]
  comment: string
  rated_at: string
}

export interface Application {
  id: string
  number: string
  service_code: string
  service_title: string
  service_title_en: string
  applicant_name: string
  status: ApplicationStatus
  outcome: 'approved' | 'partly_approved' | 'rejected' | null
  submitted_at: string
  promised_at: string
  finished_at: string | null
  form: Record<string, FormValue>
  materials: Record<string, MaterialFile[]>
  masked: boolean // personal fields were masked for this reader (a department that does not need them)
  parts: AppPart[]
  certificates: Certificate[]
  rating: Rating | null
  timeline: ApplicationEvent[]
}

// A department's queue: one part of one application per row.
export interface PartQueueItem {
  application_id: string
  number: string
  service_code: string
  service_title: string
  service_title_en: string
  applicant_name: string
  submitted_at: string
  part: AppPart
}

// What the public verification page shows (the holder masked: 张*).
export interface CertificateCheck {
  valid: boolean
  number: string
  title: string
  title_en: string
  holder: string
  issued_by: string
  issued_at: string
  service_title: string
  service_title_en: string
  application_number: string
}

// 一件事统计 of a period: counts and means as the server computes them (the
// page derives the rates: on_time / decided, good / ratings).
export interface PartFigures {
  service_code: string
  service_title: string
  part_key: string
  part_title: string
  unit_code: string
  unit_name: string
  decided: number
  on_time: number
  corrections: number
  promised_days: number
  mean_days: number // working days from reaching the part to the decision, pauses excluded
}

export interface ServiceFiguresRow {
  service_code: string
  service_title: string
  applications: number
  completed: number
  on_time: number
  promised_days: number
  mean_days: number
  ratings: number
  good: number // rated 4 or 5
  mean_score: number
}

export interface UnitFigures {
  unit_code: string
  unit_name: string
  decided: number
  on_time: number
  ratings: number
  mean_score: number
}

export interface ServiceFigures {
  parts: PartFigures[]
  services: ServiceFiguresRow[]
  units: UnitFigures[]
}

// 数据按需共享 (src/http/exchange_handlers.cc, ExchangeSchemas): the data
// catalogue, access requests decided field by field, grants, the gateway and
// the residents' log of who used their data.
export type Grade = 'general' | 'important' | 'core'
export type ShareAttribute = 'unconditional' | 'conditional' | 'none'

// Each 0–1; overall is their weighted mean.
export interface QualityScores {
  completeness: number
  validity: number
  uniqueness: number
  timeliness: number
  consistency: number
  overall: number
}

export interface DataResource {
  id: string
  code: string
  title: string
  description: string
  owner_unit_id: string
  owner_name: string
  steward_id: string
  cycle: 'realtime' | 'daily' | 'weekly' | 'monthly' | 'quarterly' | 'yearly'
  share: ShareAttribute
  share_condition: string
  open: 'open' | 'conditional' | 'closed'
  grade: Grade
  effective_grade: Grade // the strictest of the resource's and its fields' (就高从严)
  kind: 'hosted' | 'remote'
  key_field: string
  keywords: string[]
  rows: number
  fields_count: number
  created_at: string | null
  updated_at: string | null
  last_import_at: string | null
  scores: QualityScores | null // null until the first quality run
  version: number
}

export interface DataField {
  name: string
  title: string
  type: 'string' | 'integer' | 'number' | 'date' | 'boolean'
  description: string
  element: string // the data element (数据元) code, or ''
  personal: boolean // 个人信息: masked by the gateway unless granted whole
  required: boolean
  grade: Grade
}

export interface DataResourceDetail extends DataResource {
  fields: DataField[]
  endpoint: string
}

export interface DataElement {
  code: string
  name: string
  type: string
  rule: string
  pattern: string
  codes: Record<string, string>
  description: string
  personal: boolean
  mask: 'none' | 'keep_ends' | 'name' | 'all' | 'address'
  standard: boolean
}

export interface FieldChoice {
  name: string
  unmasked: boolean
}

export type AccessStatus = 'pending' | 'awaiting_second' | 'approved' | 'rejected'

export interface AccessRequest {
  id: string
  resource_id: string
  resource_code: string
  resource_title: string
  owner_unit_id: string
  consumer_unit_id: string
  consumer_name: string
  requester_name: string
  fields: FieldChoice[]
  purpose_code: string
  purpose: string
  legal_basis: string
  period_days: number
  rate_per_minute: number // the grant's lookups a minute
  status: AccessStatus
  decisions: { name: string; approved: boolean; unmasked: boolean }[]
  first_approver_name: string | null
  second_approver_name: string | null
  reason: string | null
  grant_id: string | null
  created_at: string
  decided_at: string | null
}

export interface Grant {
  id: string
  request_id: string
  resource_id: string
  owner_unit_id: string
  consumer_unit_id: string
  consumer_name: string
  purpose_code: string
  purpose: string
  legal_basis: string
  fields: FieldChoice[]
  starts_at: string
  expires_at: string
  revoked_at: string | null
  revoked_reason: string | null
  rate_per_minute: number
  active: boolean
}

export interface GradeChange {
  id: string
  resource_id: string
  field: string | null // null: the resource's own grade
  from: Grade
  to: Grade
  reason: string
  proposed_by_name: string
  proposed_at: string
  status: 'pending' | 'approved' | 'rejected'
  decided_at: string | null
}

// A problem of a CSV file (a refused import lists them in error.details as
// {field: "line 3 name", reason, message}).
export interface ImportProblem {
  line: number
  column: string
  reason: string
  message: string
  defect: boolean // a quality defect (stored with accept_defects), not a blocking error
}

export interface ImportReport {
  import_id: string | null
  accepted: boolean
  encoding: 'utf-8' | 'gb18030' | 'xlsx'
  rows: number
  stored: number
  defects: number
  blocking: number
  scores: QualityScores
  problems: ImportProblem[]
}

export interface ImportRow {
  id: string
  at: string
  encoding: string
  rows: number
  stored: number
  defects: number
  scores: Partial<QualityScores>
}

export interface GatewayAnswer {
  grant_id: string
  resource_id: string
  purpose_code: string
  fields: string[]
  records: { key: string; found: boolean; data: Record<string, unknown> }[]
  audit_seq: number // the audit event that recorded this answer
}

export interface DataAccessLogEntry {
  at: string
  unit_name: string
  resource_code: string
  resource_title: string
  purpose_code: string
  purpose: string
  record_key: string // masked
  fields: string[]
  field_titles: string[] // the fields' Chinese titles, same order
  found: boolean
  audit_seq: number
}

export interface GatewayUsage {
  day: string
  resource_id: string
  resource_title: string
  consumer_unit_id: string
  consumer_name: string
  lookups: number
  found: number
}

export interface QualityScorecard {
  unit_id: string
  unit_name: string
  resources: number
  scores: QualityScores
  trend: { day: string; overall: number }[]
}

// 专班 and 协同办公 (src/http/collab_handlers.cc).
export type ForceRole = 'lead' | 'member' | 'liaison'
export type ForceTaskStatus = 'todo' | 'doing' | 'done' | 'blocked'
export type MilestoneStage = 'initiation' | 'approval' | 'construction' | 'acceptance'

export interface TaskForce {
  id: string
  title: string
  subject_kind: string
  subject_id: string | null
  goal: string
  charter: string
  deadline: string | null
  unit_id: string
  unit_name: string
  created_by: string
  created_at: string
  status: string // active | dissolved
  channel_id: string
  dissolved_at: string | null
  summary: string | null
}

export interface ForceMember {
  account_id: string
  username: string
  display_name: string
  unit_id: string
  unit_name: string
  role: ForceRole
  added_at: string
}

export interface ForceTask {
  id: string
  force_id: string
  title: string
  description: string
  owner_unit_id: string
  owner_unit_name: string
  owner_account_id: string
  deadline_days: number
  deadline: string | null
  depends_on: string[]
  status: ForceTaskStatus
  percent: number
  created_at: string
  updated_at: string
  handed_to: string | null
}

export interface Milestone {
  id: string
  force_id: string
  stage: MilestoneStage
  due: string | null
  budget_fen: number
  spent_fen: number
  reached_at: string | null
}

export interface TaskForceDetail extends TaskForce {
  members: ForceMember[]
  tasks: ForceTask[]
  milestones: Milestone[]
  overdue: string[] // the ids of overdue tasks
  my_role: ForceRole | null
}

export interface ProgressReport {
  id: string
  task_id: string
  account_id: string
  text: string
  percent: number
  file_ids: string[]
  at: string
}

export interface Directive {
  id: string
  title: string
  body: string
  from_unit_id: string
  from_unit_name: string
  sender_id: string
  sender_name: string
  to_units: string[]
  include_subtree: boolean
  ack_by: string | null
  created_at: string
  recipients: number
}

export interface Receipt {
  directive_id: string
  account_id: string
  display_name: string
  unit_id: string
  unit_name: string
  received_at: string | null
  read_at: string | null
  acked_at: string | null
  ack_note: string
}

export interface DirectiveListed extends Directive {
  receipt?: Receipt | null
}

export interface ReceiptTable {
  directive: Directive
  recipients: number
  read: number
  acknowledged: number
  units: { unit_id: string; unit_name: string; recipients: number; read: number; acknowledged: number }[]
  units_not_acknowledged: string[]
  units_without_recipients: string[]
  items: Receipt[]
}

export interface ChatChannel {
  id: string
  kind: string // force | group | direct
  force_id: string | null
  title: string
  created_at: string
  last_seq: number
  archived: boolean
  read_seq?: number
  unread?: number
}

export interface ChatMessage {
  id: string
  channel_id: string
  seq: number
  author_id: string
  author_name: string
  text: string
  mentions: string[]
  parent_id: string | null
  file_ids: string[]
  at: string
}

export interface ChatMessagePage {
  items: ChatMessage[]
  next_cursor: string | null
  resume_cursor: string
}

// 通知提醒: notifications and outbound webhooks (src/http/notify_handlers.cc)
export type NotifyKind = 'directive' | 'mention' | 'task_assigned' | 'task_overdue' | 'reminder' | 'report_form' | 'report_overdue'

export interface AppNotification {
  id: string
  kind: NotifyKind
  subject_id: string
  title: string
  body: string
  link: string
  unit_id: string | null
  at: string | null
  read_at: string | null
}

export interface NotificationPage {
  items: AppNotification[]
  unread: number
}

export interface Webhook {
  id: string
  owner_kind: 'account' | 'unit'
  owner_id: string
  url: string
  kinds: NotifyKind[]
  secret_set: boolean
  updated_by: string
  updated_at: string | null
}

export interface WebhookDelivery {
  id: string
  webhook_id: string
  notification_id: string
  kind: NotifyKind
  status: 'pending' | 'delivered' | 'failed'
  attempts: number
  next_at: string | null
  last_status: number | null
  last_error: string | null
  created_at: string | null
  delivered_at: string | null
}

// 报送/填报 (src/http/report_form_handlers.cc, ReportFormSchemas)
export type ReportFieldType = 'text' | 'number' | 'integer' | 'date' | 'choice'

export interface ReportFormField {
  key: string
  title: string
  type: ReportFieldType
  required: boolean
  options: string[]
  unit: string
  hint: string
}

export interface ReportForm {
  id: string
  title: string
  instructions: string
  fields: ReportFormField[]
  from_unit_id: string
  from_unit_name: string
  sender_id: string
  sender_name: string
  to_units: string[]
  include_subtree: boolean
  unit_kinds: string[]
  due_by: string | null
  series: string | null
  created_at: string | null
  recipients: number
  answered: number
}

export type ReportValues = Record<string, string | number>

export interface ReportAnswer {
  form_id: string
  unit_id: string
  unit_name: string
  values: ReportValues
  submitted_by: string
  submitted_by_name: string
  first_submitted_at: string | null
  submitted_at: string | null
  revision: number
  late: boolean
}

export interface ReportUnit {
  unit_id: string
  unit_name: string
  unit_code: string
}

export interface ReportFormListed extends ReportForm {
  unit: ReportUnit | null
  answer: ReportAnswer | null
}

export interface ReportPrefill {
  values: ReportValues
  from_form_id: string | null
}

export interface ReportCompletionUnit {
  unit_id: string
  unit_name: string
  unit_code: string
  status: 'submitted' | 'late' | 'missing' | 'overdue'
  submitted_at: string | null
  revision: number
  submitted_by_name: string | null
}

export interface ReportCompletion {
  recipients: number
  submitted: number
  late: number
  missing: number
  overdue: number
  units: ReportCompletionUnit[]
}

export interface ReportMine {
  unit: ReportUnit
  answer: ReportAnswer | null
  versions: ReportAnswer[]
  prefill: ReportPrefill
}

export interface ReportFormDetail extends ReportForm {
  completion: ReportCompletion | null
  mine: ReportMine[]
}

export interface ReportAnswersTable {
  form: ReportForm
  completion: ReportCompletion
  items: ReportAnswer[]
}

// 应急协同 and 预警 (src/http/warning_handlers.cc, incident_handlers.cc,
// crowd_report_handlers.cc; schemas in incident_schemas.cc).
export type WarningStatus = 'open' | 'quiet' | 'escalated' | 'dismissed'
export type WarningKind = 'volume' | 'keyword' | 'rule' | 'place'
export type IncidentType = 'waterlogging' | 'fire' | 'gas_leak' | 'water_outage' | 'road_collapse' | 'public_health' | 'other'
export type NeedKind = 'rescue' | 'supplies' | 'medical' | 'evacuation'
export type ResourceKind = 'warehouse' | 'vehicle' | 'team' | 'volunteers' | 'shelter'
export type ReportState = 'unverified' | 'verified' | 'duplicate' | 'false'
export interface LatLng {
  lat: number
  lng: number
}

export interface Warning {
  id: string
  kind: WarningKind
  key: string // the matter id, the keyword or the rule id
  category: string | null
  street_id: string
  status: WarningStatus
  observed: number
  expected: number
  opened_at: string | null
  updated_at: string | null
  closed_at: string | null
  incident_id: string | null
  note: string | null
  target_unit_ids: string[]
}

export interface WarningCurvePoint {
  hour: string | null
  observed: number
  baseline: number
  upper: number
}

export interface WarningEvidence {
  statistic: string
  p_value: number
  upper: number
  window_hours: number
  request_ids: string[]
  curve: WarningCurvePoint[]
}

export interface WarningDetail extends Warning {
  evidence: WarningEvidence
}

export interface WarningRule {
  id: string
  category: string
  street_id: string | null
  threshold: number
  window_hours: number
  enabled: boolean
  created_by: string
  created_at: string | null
  updated_at: string | null
}

export interface EscalatedWarning {
  warning_id: string
  incident_id: string
  level: number
  title: string
  type: string
}

export interface IncidentArea {
  grid_ids: string[]
  polygon: Record<string, unknown> | null
}

export interface EmergencyIncident {
  id: string
  title: string
  type: IncidentType
  type_zh: string
  level: number
  level_roman: 'I' | 'II' | 'III' | 'IV'
  level_zh: string
  status: 'active' | 'closed'
  description: string
  area: IncidentArea
  unit_id: string
  unit_name: string
  force_id: string | null
  report_series: string
  source_warning_id: string | null
  summary: string | null
  created_by: string
  created_at: string
  updated_at: string
  closed_at: string | null
  version: number
}

export interface IncidentTimelineEntry {
  seq: number
  at: string
  kind: string
  text: string
  actor_id: string
  actor_name: string
  data: Record<string, unknown>
}

export interface ForceTemplate {
  departments: string[]
  lead_role: string
  lead_unit_kind: 'city' | 'district' | 'street'
  situation_report_hours: number
}

export interface IncidentDetail extends EmergencyIncident {
  force_template: ForceTemplate
  latest_report_form_id: string | null
  timeline: IncidentTimelineEntry[]
}

export interface Need {
  id: string
  incident_id: string
  kind: NeedKind
  kind_zh: string
  title: string
  description: string
  priority: number // 1 most urgent … 4
  quantity: number
  unit_label: string
  committed: number
  delivered: number
  coverage: 'open' | 'partial' | 'committed' | 'met'
  place: string
  location: LatLng | null
  contact_name: string
  contact_phone: string
  source_report_id: string | null
  created_by: string
  created_at: string
  updated_at: string
}

export interface EmResource {
  id: string
  incident_id: string | null // null: a unit's reserve (储备)
  unit_id: string | null
  source_id: string | null // the reserve it was lent from
  kind: ResourceKind
  kind_zh: string
  name: string
  quantity: number
  committed: number
  remaining: number
  unit_label: string
  available: boolean
  place: string
  location: LatLng | null
  contact_phone: string
  created_by: string
  created_at: string
  updated_at: string
}

// GET /reserves: a unit's standing reserve, with its unit's name.
export interface EmReserve extends EmResource {
  unit_name: string
}

export interface Commitment {
  id: string
  incident_id: string
  need_id: string
  resource_id: string
  quantity: number
  complete: boolean
  status: 'committed' | 'delivered' | 'cancelled'
  note: string
  created_by: string
  created_at: string
  delivered_at: string | null
  cancelled_at: string | null
}

export interface NeedsBoard {
  items: Need[]
  commitments: Commitment[]
}

export interface ResourceMatch {
  resource_id: string
  name: string
  kind: ResourceKind
  can_give: number
  complete: boolean
  distance_km: number | null
}

export interface CrowdReportPlace {
  address: string
  lat: number | null
  lng: number | null
}

export interface CrowdReport {
  id: string
  incident_id: string
  kind: 'situation' | 'need'
  text: string
  place: CrowdReportPlace
  state: ReportState
  received_at: string
  channel?: 'web' | 'phone' | 'open311'
  contact?: { name: string; phone: string }
  count?: number
  need_type?: string | null
  priority?: 'low' | 'normal' | 'high' | 'critical'
  photo_ids?: string[]
  signed_in?: boolean
  duplicate_of?: string | null
  duplicate_score?: number | null
  need_id?: string | null
  note?: string
  verified_at?: string | null
  verified_by?: string | null
}

export interface CrowdReportCounts {
  unverified: number
  verified: number
  duplicate: number
  false: number
}

export interface CrowdReportPage {
  items: CrowdReport[]
  counts: CrowdReportCounts
  next_cursor: string | null
}

export interface PublicCrowdReport {
  id: string
  kind: 'situation' | 'need'
  text: string
  received_at: string
  count?: number
  need_type?: string | null
  lat?: number | null
  lng?: number | null
  verified_at?: string | null
}

export interface CrowdReportReceipt {
  id: string
  incident_id: string
  received_at: string
  state: ReportState
}

export interface SituationRound {
  form_id: string
  series: string
  recipients: number
  due_by: string
}

// The live map (GET /incidents/{id}/map): one FeatureCollection; each
// feature's layer says what it is.
export interface IncidentMapFeature {
  type: 'Feature'
  geometry: { type: string; coordinates: number[] } | null
  properties: Record<string, unknown> & { layer: 'area' | 'need' | 'resource' | 'shelter' | 'report' }
}

export interface IncidentMap {
  type: 'FeatureCollection'
  features: IncidentMapFeature[]
  incident: Record<string, unknown>
  centre?: number[]
}

// --- points (issue 18): src/http/points_handlers.cc, PointsSchemas
export type PointsTriggerCode =
  | 'request_fixed'
  | 'report_verified'
  | 'volunteer_hour'
  | 'proposal_supported'
  | 'ballot_cast'
  | 'meeting_attended'
  | 'proposal_accepted'
export type PostingKind = 'award' | 'manual' | 'redemption' | 'refund' | 'reversal'
export type RewardKind = 'goods' | 'service' | 'honour' | 'policy'
export type RedemptionStatus = 'requested' | 'approved' | 'fulfilled' | 'rejected' | 'cancelled'

export interface PointsTrigger {
  trigger: PointsTriggerCode
  name_zh: string
  name_en: string
  per: 'event' | 'hour'
  source_event: string
}

export interface PointsRule {
  id: string
  unit_id: string
  unit_name: string
  trigger: PointsTriggerCode
  trigger_name: string
  per: 'event' | 'hour'
  title: string
  points: number
  daily_cap: number
  monthly_cap: number
  valid_from: string | null
  valid_until: string | null
  status: 'active' | 'retired'
  created_by: string
  created_at: string | null
  retire_reason: string
  version: number
}

// A posting with both sides (awards, reversals, GET /points/postings/{id}).
export interface PointsPosting {
  id: string
  kind: PostingKind
  debit: string
  credit: string
  amount: number
  debit_balance_after: number
  credit_balance_after: number
  unit_id: string
  rule_id: string
  trigger: string
  subject_id: string
  source_seq: number
  memo: string
  actor: string
  posted_at: string | null
  reverses: string | null
  reversed_by: string | null
  audit_seq: number
}

// One posting from an account's side: ± amount and the running balance.
export interface PointsPostingLine {
  id: string
  posted_at: string | null
  kind: PostingKind
  amount: number
  balance_after: number
  counterparty: string
  trigger: string
  rule_id: string
  memo: string
  subject_id: string
  reverses: string | null
  reversed_by: string | null
  audit_seq: number
}

export interface PointsPostingPage {
  items: PointsPostingLine[]
  next_cursor: string | null
}

export interface PointsLevel {
  code: 'sprout' | 'active' | 'core' | 'exemplar'
  name_zh: string
  name_en: string
  next_at: number | null
}

export interface PointsBadge {
  code: string
  name_zh: string
  name_en: string
}

export interface PointsAccount {
  id: string
  kind: 'person' | 'organisation' | 'issuer' | 'pool'
  owner_id: string
  owner_name: string
  balance: number
  lifetime_earned: number
  level: PointsLevel
  badges: PointsBadge[]
  postings: PointsPostingPage
}

export interface ParticipationSettings {
  unit_id: string
  support_threshold: number
  support_days: number
  velocity_per_hour: number
  velocity_per_day: number
  same_decider_per_month: number
  manual_award_max: number
  version: number
}

export interface PointsReward {
  id: string
  community_id: string
  kind: RewardKind
  title: string
  description: string
  cost: number
  stock: number | null
  per_person_limit: number
  needs_approval: boolean
  status: 'active' | 'retired'
  created_at: string | null
  my_redeemed: number
}

export interface PointsRedemption {
  id: string
  reward_id: string
  reward_title: string
  community_id: string
  account_id: string
  requested_by: string
  quantity: number
  points: number
  status: RedemptionStatus
  posting_id: string
  refund_posting_id: string | null
  requested_at: string | null
  decided_by: string
  decided_at: string | null
  note: string
  fulfilled_at: string | null
  version: number
}

export interface PointsLedgerCheck {
  accounts: number
  postings: number
  sum_of_balances: number
  mismatched: string[]
}

export type ReviewStatus = 'pending' | 'approved' | 'rejected'

// A held award waiting for a second look (复核): why it was held (self,
// household, velocity_hour, velocity_day, same_decider) and what was decided.
export interface PointsReview {
  id: string
  unit_id: string
  trigger: string
  subject_id: string
  earner_account: string
  decider: string
  rule_id: string
  amount: number
  source_seq: number
  reasons: string[]
  status: ReviewStatus
  created_at: string | null
  decided_by: string
  decided_at: string | null
  note: string
  posting_id: string | null
  version: number
}

export type HouseholdRelation = '户主' | '本人' | '配偶' | '子女' | '父母' | '其他'

export interface PointsHouseholdMember {
  account_id: string
  relation: HouseholdRelation
  display_name: string
}

// A household (家庭户) recorded by community staff: its members' awards to each other are held.
export interface PointsHousehold {
  id: string
  community_id: string
  label: string
  members: PointsHouseholdMember[]
  created_by: string
  created_at: string | null
  version: number
}

// 光荣榜: a unit's month, published or live (names masked for residents).
export interface PointsHonourEntry {
  rank: number
  account_id: string
  display_name: string
  points: number
  level: { code: PointsLevel['code']; name_zh: string; name_en: string }
}

export interface PointsHonourRoll {
  unit_id: string
  unit_name: string
  month: string
  published: boolean
  published_at: string | null
  entries: PointsHonourEntry[]
}

// 信用积分证明: the signed envelope (the statement is the signed text) and
// what the server's check says of one.
export interface PointsStatementEnvelope {
  format: 'xietong-points-statement/1'
  public_key: string
  signature: string
  statement: string
}

export interface PointsStatementVerdict {
  valid: boolean
  problem: string | null
  statement_id: string
  issued_here: boolean
  reversed_since: number
  holder: string
  holder_name: string
  balance: number
  valid_until: string | null
}

export interface PointsPublicKey {
  public_key: string
  algorithm: 'Ed25519'
}

// --- deliberation (issue 18): src/http/deliberation_handlers.cc, DeliberationSchemas
export type ProposalStatus =
  | 'collecting'
  | 'qualified'
  | 'scheduled'
  | 'accepted'
  | 'implementing'
  | 'done'
  | 'rejected'
  | 'withdrawn'
  | 'expired'
  | 'hidden'
export type ItemDecisionKind = 'accepted' | 'rejected' | 'deferred'
export type ImplementKind = 'task' | 'request' | 'none'
export type MeetingKind = 'council' | 'building' | 'hearing'

export interface ProposalPlace {
  address: string
  lat: number | null
  lng: number | null
}

// What an accepted proposal becomes: a task of the community's standing
// force, a request to the hub, or nothing to carry out.
export interface ProposalImplement {
  kind: ImplementKind
  owner_account_id?: string
  deadline_days?: number
  matter_id?: string
}

export interface Proposal {
  id: string
  community_id: string
  author_id: string
  organisation_id: string | null
  title: string
  text: string
  place: ProposalPlace
  photo_ids: string[]
  cost_fen: number
  status: ProposalStatus
  supports: number
  threshold: number
  created_at: string
  support_until: string
  qualified_at: string | null
  meeting_id: string | null
  decision: ItemDecisionKind | null
  decision_reason: string | null
  decided_at: string | null
  implement: ProposalImplement | null
  percent: number
  completed_at: string | null
  hidden_reason: string | null
}

export interface ProposalUpdate {
  source_seq: number
  at: string
  kind: 'progress' | 'status' | 'replied' | 'closed' | 'implemented'
  percent: number
  text: string
}

// How an accepted proposal is carried out, once it is: a task of the
// community's 议事厅项目专班 or a request to the hub.
export interface ProposalImplementation {
  kind: 'task' | 'request'
  force_id: string | null
  task_id: string | null
  request_id: string | null
  request_number: string | null
}

export interface ProposalDetail extends Proposal {
  my_support: boolean
  can_support: boolean
  updates: ProposalUpdate[]
  implementation?: ProposalImplementation | null
}

export interface SupportResult {
  proposal_id: string
  supports: number
  threshold: number
  status: ProposalStatus
  qualified: boolean
}

export interface ProposalSupporter {
  account_id: string
  supported_at: string
}

export interface ProposalComment {
  id: string
  proposal_id: string
  author_id: string
  text: string
  created_at: string
}

export interface MeetingDecision {
  proposal_id: string
  decision: ItemDecisionKind
  reason: string
  implement: ProposalImplement
}

export interface Meeting {
  id: string
  community_id: string
  title: string
  kind: MeetingKind
  scheduled_at: string
  place: string
  agenda: string[]
  status: 'scheduled' | 'recorded' | 'cancelled'
  minutes: string
  attendees: string[]
  decisions: MeetingDecision[]
  created_by: string
  created_at: string
  recorded_by: string | null
  recorded_at: string | null
}

// 参与式预算 (issue 18): a community's budget, its projects, one secret
// ballot per resident, the results after the close.
export type BudgetStatus = 'draft' | 'voting' | 'closed' | 'cancelled'

export interface Budget {
  id: string
  community_id: string
  title: string
  description: string
  total_fen: number
  max_choices: number
  status: BudgetStatus
  voting_opens: string
  voting_closes: string
  ballots: number
  spent_fen: number
  closed_at: string | null
  created_by: string
  created_at: string
}

export interface BudgetProject {
  id: string
  position: number
  title: string
  description: string
  cost_fen: number
  proposal_id: string | null
  votes: number | null
  selected: boolean | null
}

export interface BudgetDetail extends Budget {
  projects: BudgetProject[]
  i_voted: boolean
  can_vote: boolean
}

export interface BallotReceipt {
  budget_id: string
  receipt: string
  commitment: string
  tag: string
  cast_seq: number
  cast_at: string
}

export interface MyBallot {
  voted: boolean
  cast_seq: number | null
  commitment: string | null
  cast_at: string | null
}

export interface BudgetTally {
  project_id: string
  votes: number
}

export interface SealedBallot {
  tag: string
  choices: string[]
}

export interface BudgetResults {
  budget: Budget
  tally: BudgetTally[]
  selected: string[]
  spent_fen: number
  ballots: SealedBallot[]
}

// --- insight (issue 19): forecasts, staffing, targets and 考核 ---------------
// The server's answers (http/forecast_handlers.cc, http/evaluation_handlers.cc).

export interface ForecastRun {
  id: string
  data_from: string
  data_to: string
  generated_at: string
  series: number
}

export interface ForecastSeries {
  key: string
  scope_kind: 'city' | 'district' | 'street' | 'unit'
  scope_id: string
  scope_name: string
  category_id: string
  category_name: string
  channel: 'all' | 'phone'
  mean_daily: number | null
}

export interface ForecastBacktest {
  mase_1d: number | null
  mase_7d: number | null
  mase_28d: number | null
  rel_mae_7d: number | null
  mape_7d: number | null
  wape_7d: number | null
  coverage80: number | null
  origins: number
}

export interface ForecastActual {
  date: string
  count: number | null
}

export interface ForecastPoint {
  date: string
  value: number | null
  lo80: number | null
  hi80: number | null
  lo95: number | null
  hi95: number | null
}

export interface Forecast {
  run: ForecastRun
  series: ForecastSeries
  models: { '1-3': string; '4-14': string; '15-28': string }
  backtest: ForecastBacktest
  resolution: 'day' | 'week'
  actual: ForecastActual[]
  forecast: ForecastPoint[]
}

export interface StaffingSlot {
  start: string
  calls: number | null
  lo80: number | null
  hi80: number | null
  erlangs: number | null
  seats: number
  agents: number
  service_level: number | null
  asa_seconds: number | null
  occupancy: number | null
}

export interface RotaShift {
  start: string
  end: string
  count: number
}

export interface StaffingSettings {
  talk_seconds: number
  acw_seconds: number
  aht_seconds: number
  aht_source: 'default' | 'measured'
  target_level: number
  target_seconds: number
  shrinkage: number
  max_occupancy: number
  calls_per_request: number
  min_seats: number
  shift_slots: number[]
}

export interface StaffingTotals {
  calls: number | null
  calls_lo80: number | null
  calls_hi80: number | null
  seat_hours: number | null
  agent_hours: number | null
  required_agent_hours: number | null
  peak_seats: number
  peak_at: string
}

export interface Staffing {
  date: string
  day_type: string
  run_id: string
  basis: string
  calls_series: string
  profile: 'phone' | 'all' | 'uniform'
  settings: StaffingSettings
  slots: StaffingSlot[]
  rota: RotaShift[]
  totals: StaffingTotals
}

export type IndicatorName = 'response_rate' | 'resolution_rate' | 'satisfaction_rate' | 'overdue_share' | 'one_thing_on_time'
export type Rag = 'grey' | 'green' | 'amber' | 'red'

export interface IndicatorStatus {
  value: number | null
  numerator: number
  denominator: number
  enough: boolean
  rag: Rag
  rag_zh: string
  trend: (number | null)[]
  arrow: '' | '↑' | '→' | '↓'
}

export interface UnitIndicatorTarget {
  indicator: IndicatorName
  name_zh: string
  higher_is_better: boolean
  target: number
  amber_margin: number
  source: string
  id: string
  version: number
  status?: IndicatorStatus
}

export interface UnitTargets {
  unit_id: string
  unit_name: string
  kind: 'street' | 'department'
  overall?: Rag
  overall_zh?: string
  indicators: UnitIndicatorTarget[]
}

export interface InsightTarget {
  id: string
  scope: 'unit' | 'kind'
  unit_id: string
  unit_kind: string
  period: string
  indicator: IndicatorName
  target: number
  amber_margin: number
  set_by: string
  set_at: string
  version: number
}

export interface InsightTargets {
  month: string
  units: UnitTargets[]
  stored: InsightTarget[]
}

export type IndicatorWeights = Record<IndicatorName, number>

export interface IndicatorValue {
  value: number | null
  numerator: number
  denominator: number
  enough: boolean
}

export interface EvaluationRow {
  rank: number
  unit_id: string
  unit_name: string
  dispatched: number
  indicators: Record<IndicatorName, IndicatorValue>
  score: number | null
  rag: Rag
  improvement: number | null
  improvement_rank: number
  flag: '' | '先进' | '需改进'
  ranked: boolean
  note: string
}

export interface EvaluationPublished {
  revision: number
  published_at: string
  sha256: string
  reason: string
}

export interface Evaluation {
  month: string
  kind: 'street' | 'department'
  weights: IndicatorWeights
  min_dispatched: number
  formula: string
  published: EvaluationPublished | null
  rows: EvaluationRow[]
}

export interface InsightWeights {
  period: string
  weights: IndicatorWeights
  min_dispatched: number
  source: string
  version: number
  formula: string
}

// --- insight what-if (issue 19, POST /api/v1/insight/whatif; http/capacity_handlers.cc) ---
// The sliders of a scenario (plan §4.2): more or less volume (on all, or one
// category), handlers added to or taken from units, a matter's finish limit
// in working days. Absent fields leave the baseline as it is.
export interface WhatIfRequest {
  unit_id?: string
  weeks: number
  volume_pct: number
  volume_category_id?: string
  handlers: { unit_id: string; delta: number }[]
  limits: { matter_id: string; finish_days: number }[]
}

// One side (baseline or scenario) of the whole scope: per week of the horizon
// (backlog at the week's end, new overdue, done) and over the horizon. A
// figure the model could not compute (not finite) is null.
export interface WhatIfSeries {
  backlog: (number | null)[]
  new_overdue: (number | null)[]
  done: (number | null)[]
  arrivals: number | null
  backlog_end: number | null
  new_overdue_total: number | null
  overdue_share: number | null // new overdue / arrivals over the horizon
  clears_in_days: number | null // first day the backlog is under a working day's capacity; null: not in the horizon
}

export interface WhatIfTotal {
  baseline: WhatIfSeries
  scenario: WhatIfSeries
}

// One side of one unit over the horizon.
export interface WhatIfUnitFigures {
  backlog_end: number | null
  new_overdue: number | null
  arrivals: number | null
  overdue_share: number | null
  clears_in_days: number | null
}

export interface WhatIfUnit {
  unit_id: string
  unit_name: string
  handlers: number
  scenario_handlers: number
  handlers_assumed: boolean // the unit has work but no handler account: 1 assumed
  per_handler_per_day: number | null
  baseline: WhatIfUnitFigures
  scenario: WhatIfUnitFigures
}

export interface WhatIf {
  as_of: string // the city's date the projection starts on
  unit_id: string // the scope
  forecast_run_id: string | null
  arrivals_source: string // "forecast:<run id>" | "history"
  basis: string // the assumptions in words: Chinese, " / ", English
  computed_ms: number | null
  baseline_ms: number | null
  baseline_built_at: string
  days: number
  weeks: string[] // the Monday of each week
  total: WhatIfTotal
  units: WhatIfUnit[] // by the scenario's overdue share, highest first
}

// --- the routing model (issue 19, src/http/routing_handlers.cc) ---
// How well the trained model suggested categories in a month (GET
// /api/v1/insight/routing/accuracy?month=): in total (model_version "") and
// per model version ("v7" a stored model, "file" a model file). Rates are
// 0..1, and 0 when their denominator is 0.
export interface RoutingFigures {
  model_version: string
  n: number // requests with the model's suggestion and a final category
  top1: number
  top3: number
  macro_f1: number // over f1_leaves leaves with at least min_leaf_cases requests
  f1_leaves: number
  operator_chosen: number // intakes where an operator chose the category
  override_rate: number // of those, another than suggestion 1
  recategorised_rate: number // changed after intake, of n
  auto_routed: number
  auto_routed_share: number
  auto_routed_accuracy: number
}

// A most-mixed pair: suggestion 1 was suggested_*, the category given in the end final_*.
export interface RoutingPair {
  suggested_id: string
  suggested_name: string
  final_id: string
  final_name: string
  count: number
  share_of_final: number // of the requests whose final category is final_id
}

export interface RoutingAccuracy {
  month: string
  min_leaf_cases: number
  total: RoutingFigures
  versions: RoutingFigures[]
  confused: RoutingPair[] // leaves, at most ten, most first
  confused_level1: RoutingPair[] // the same rolled up to level-1 categories
}

// A model's figures on a holdout (the requests decided in 30 days).
export interface RoutingScore {
  n: number
  top1: number
  top3: number
  macro_f1: number
}

// A model's holdout figures as stored when it was trained (the candidate's),
// beside the model active then ("against", null when none was); an empty
// object for a model stored without them.
export interface RoutingHoldout {
  n?: number
  top1?: number
  top3?: number
  macro_f1?: number
  against?: (RoutingScore & { version: number }) | null
}

// A stored model (GET /api/v1/insight/routing/models, newest version first).
export interface RoutingModel {
  id: string
  version: number
  status: 'candidate' | 'active' | 'retired' | 'rejected'
  trained_at: string
  trained_on: number // requests
  classes: number // categories
  data_to: string
  holdout: RoutingHoldout
  sha256: string
  size: number
  note: string
  created_by: string
}

export interface RoutingModels {
  items: RoutingModel[]
}

// POST /api/v1/insight/routing/models/retrain: promoted (model active) or
// rejected, with the candidate's and the active model's figures on the holdout.
export interface RoutingRetrain {
  promoted: boolean
  candidate: RoutingScore
  active: RoutingScore | null
  model: RoutingModel
}
