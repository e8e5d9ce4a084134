// New work without reloading: the server pushes a small event on
// /api/v1/live whenever a request the signed-in account may see changes; the
// page then reloads what it shows. Reconnects with back-off.
import { onBeforeUnmount, onMounted, reactive, ref } from 'vue'

export interface LiveEvent {
  type: string
  request_id?: string
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

export function useLive(onEvent: (e: LiveEvent) => void) {
  const connected = ref(false)
  let ws: WebSocket | null = null
  let stopped = false
  let delay = 1000
  let timer: ReturnType<typeof setTimeout> | undefined

  function connect() {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
    ws = new WebSocket(`${scheme}://${location.host}/api/v1/live`)
    ws.onopen = () => {
      connected.value = true
      delay = 1000
    }
    ws.onmessage = (m) => {
      try {
        onEvent(JSON.parse(String(m.data)) as LiveEvent)
      } catch {
        // a message that is not ours: ignore it
      }
    }
    ws.onclose = () => {
      connected.value = false
      if (stopped) return
      timer = setTimeout(connect, delay)
      delay = Math.min(delay * 2, 30000)
    }
    ws.onerror = () => ws?.close()
  }

  onMounted(connect)
  onBeforeUnmount(() => {
    stopped = true
    clearTimeout(timer)
    ws?.close()
  })
  return { connected }
}
