import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router'
import { i18n } from './i18n'
import { restore } from './session'
import './style.css'

document.documentElement.lang = i18n.global.locale.value
restore().finally(() => {
  const app = createApp(App).use(i18n).use(router)
  app.mount('#app')
})
