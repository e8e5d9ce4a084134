// Unread counts shown in the header: messages in the person's channels (the
// 消息 link's badge) and notifications (the bell, with the newest few for its
// list). Refreshed when the live socket says something changed, every
// minute (a reminder due has no push of its own), and by the pages that mark
// things read.
import { reactive } from 'vue'
import { get, post, query } from './api'
import type { AppNotification, ChatChannel, NotificationPage, NotifyKind } from './types'

export const notifyKinds: NotifyKind[] = ['directive', 'mention', 'task_assigned', 'task_overdue', 'reminder', 'report_form', 'report_overdue']

export const unread = reactive({ messages: 0, notifications: 0, latest: [] as AppNotification[] })

let pending: ReturnType<typeof setTimeout> | undefined

// Many pushes at once (a busy channel) make one reload; notifications are
// written by a reaction just after the change, hence the short wait.
export function refreshUnreadSoon(delay = 800) {
  clearTimeout(pending)
  pending = setTimeout(refreshUnread, delay)
}

export async function refreshUnread() {
  await Promise.all([refreshMessages(), refreshNotifications()])
}

async function refreshMessages() {
  try {
    const channels = (await get<{ items: ChatChannel[] }>('/api/v1/channels')).items
    unread.messages = channels.reduce((n, c) => n + (c.unread ?? 0), 0)
  } catch {
    // kept as it was until the next refresh
  }
}

export async function refreshNotifications() {
  try {
    const page = await get<NotificationPage>('/api/v1/notifications' + query({ limit: 10 }))
    unread.notifications = page.unread
    unread.latest = page.items
  } catch {
    // kept as it was until the next refresh
  }
}

// Marks every notification up to the newest shown read.
export async function markNotificationsRead(upTo: string) {
  const r = await post<{ unread: number }>('/api/v1/notifications/read', { up_to: upTo })
  unread.notifications = r.unread
  unread.latest = unread.latest.map((n) => (n.id <= upTo && !n.read_at ? { ...n, read_at: new Date().toISOString() } : n))
}

export function clearUnread() {
  clearTimeout(pending)
  unread.messages = 0
  unread.notifications = 0
  unread.latest = []
}
