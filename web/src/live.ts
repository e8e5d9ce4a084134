// New work without reloading: the server pushes a small event on
// /api/v1/live whenever a request the signed-in account may see changes, and
// for collab: a channel's new messages (to its members), a directive (to its
// recipients), a receipt (to whoever reads the receipt table) and a task
// force's change (to its members); the page then reloads what it shows. One
// socket for the whole page, shared by every listener, reconnecting with
// back-off; after a reconnect every listener hears {type: 'reconnected'} so
// it can catch up on what it missed (a channel through its resume cursor).
import { onBeforeUnmount, onMounted, reactive, ref } from 'vue'

export interface LiveEvent {
  type: string // request, channel, directive, receipt, taskforce; reconnected (local)
  request_id?: string
  channel_id?: string
  seq?: number // channel: its newest message number
  directive_id?: string
  force_id?: string
  action?: string // the audit action, e.g. request.dispatched
  number?: string
  status?: string
}

// Requests that arrived as new work and have not been seen yet; kept while
// the user moves between pages, until they open the row or dismiss the badge.
export const unseen = reactive(new Set<string>())

// The actions that bring work to a unit (or to the centre).
export const arrivals = [
  'request.received',
  'request.dispatched',
  'request.transferred',
  'request.reopened',
  'request.summoned',
  'request.return_approved',
]

type Listener = (e: LiveEvent) => void
const listeners = new Set<Listener>()
const connected = ref(false)
let ws: WebSocket | null = null
let delay = 1000
let timer: ReturnType<typeof setTimeout> | undefined
let dropped = false // a socket was open before: tell the listeners when it is back

function emit(e: LiveEvent) {
  for (const l of [...listeners]) {
    try {
      l(e)
    } catch {
      // one listener's failure is not the others'
    }
  }
}

function connect() {
  clearTimeout(timer)
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
  const socket = new WebSocket(`${scheme}://${location.host}/api/v1/live`)
  ws = socket
  socket.onopen = () => {
    connected.value = true
    delay = 1000
    if (dropped) emit({ type: 'reconnected' })
  }
  socket.onmessage = (m) => {
    let e: LiveEvent
    try {
      e = JSON.parse(String(m.data)) as LiveEvent
    } catch {
      return // a message that is not ours: ignore it
    }
    emit(e)
  }
  socket.onclose = () => {
    if (ws !== socket) return // replaced or shut down meanwhile
    if (connected.value) dropped = true
    connected.value = false
    ws = null
    if (!listeners.size) return
    timer = setTimeout(connect, delay)
    delay = Math.min(delay * 2, 30000)
  }
  socket.onerror = () => socket.close()
}

function shutdown() {
  clearTimeout(timer)
  const socket = ws
  ws = null
  connected.value = false
  dropped = false
  socket?.close()
}

// Listens until the returned function is called; the socket opens with the
// first listener and closes after the last.
export function listenLive(onEvent: Listener): () => void {
  listeners.add(onEvent)
  if (!ws) connect()
  return () => {
    if (!listeners.delete(onEvent)) return
    if (!listeners.size) shutdown()
  }
}

// listenLive while the calling component is mounted.
export function useLive(onEvent: Listener) {
  let stop: (() => void) | undefined
  onMounted(() => {
    stop = listenLive(onEvent)
  })
  onBeforeUnmount(() => stop?.())
  return { connected }
}
